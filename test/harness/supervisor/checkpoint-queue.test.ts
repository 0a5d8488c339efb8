import { expect } from 'chai';
import { CheckpointQueue } from '../../../harness/supervisor/checkpoint-queue.js';
import type { ControlAnswer } from '../../../harness/supervisor/control-server.js';
import type { CheckpointRef } from '../../../harness/supervisor/scorer.js';
import type { Decision } from '../../../core/train-schema.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ref = (step: number): CheckpointRef => ({ step, path: `/ckpt/checkpoint-${step}` });

/** A queue over a scorer that logs when each scoring starts and ends; steps in `scored` count as done. */
function harness(durationMs: (step: number) => number, fail = new Set<number>(), policy: 'pause' | 'async' = 'pause') {
  const events: string[] = [];
  const skipped: string[] = [];
  const scored = new Set<number>();
  let stop: Decision | null = null;
  const queue = new CheckpointQueue({
    policy,
    onSkip: (stale, newer) => skipped.push(`${stale.step} for ${newer.step}`),
    isScored: (r) => scored.has(r.step),
    stopDecision: () => stop,
    async score(r, viaControl): Promise<ControlAnswer> {
      events.push(`start ${r.step}${viaControl ? ' control' : ''}`);
      await sleep(durationMs(r.step));
      events.push(`end ${r.step}`);
      if (fail.has(r.step)) throw new Error(`scoring ${r.step} broke`);
      scored.add(r.step);
      return { action: 'continue', detail: `scored ${r.step}` };
    },
  });
  return { queue, events, scored, skipped, setStop: (d: Decision) => (stop = d) };
}

describe('supervisor checkpoint queue', () => {
  it('scores one checkpoint at a time, in arrival order, however long each takes', async () => {
    const h = harness((step) => (step === 1 ? 60 : step === 2 ? 5 : 20));
    const answers = await Promise.all([h.queue.push(ref(1), true), h.queue.push(ref(2), false), h.queue.push(ref(3), true)]);
    expect(h.events).to.deep.equal(['start 1 control', 'end 1', 'start 2', 'end 2', 'start 3 control', 'end 3']);
    expect(answers.map((a) => a.detail)).to.deep.equal(['scored 1', 'scored 2', 'scored 3']);
  });

  it('answers a checkpoint scored already without scoring it again (continue, or stop once decided)', async () => {
    const h = harness(() => 1);
    await h.queue.push(ref(1), false);
    expect(await h.queue.push(ref(1), true)).to.deep.equal({ action: 'continue', detail: 'already scored' });
    h.setStop({ action: 'stop', reason: 'plateau', detail: 'no improvement' });
    expect(await h.queue.push(ref(1), true)).to.deep.equal({ action: 'stop', detail: 'already scored' });
    expect(h.events.filter((e) => e.startsWith('start'))).to.deep.equal(['start 1']);
  });

  it('answers stop, with the reason, for checkpoints after a stop decision, without scoring them', async () => {
    const h = harness(() => 1);
    h.setStop({ action: 'stop', reason: 'target', detail: 'target met on the lower confidence bound' });
    expect(await h.queue.push(ref(4), true)).to.deep.equal({ action: 'stop', reason: 'target', detail: 'target met on the lower confidence bound' });
    expect(h.events).to.deep.equal([]);
  });

  it('a stop decided while a checkpoint is scored applies to the ones queued behind it', async () => {
    const h = harness(() => 20);
    const first = h.queue.push(ref(1), true);
    const second = h.queue.push(ref(2), true);
    await sleep(5);
    h.setStop({ action: 'stop', reason: 'deadline', detail: 'reserve reached' });
    expect((await first).detail).to.equal('scored 1');
    expect(await second).to.include({ action: 'stop', reason: 'deadline' });
  });

  it('a scoring that throws rejects its own push only; the next checkpoint is still scored', async () => {
    const h = harness(() => 5, new Set([1]));
    const failed = h.queue.push(ref(1), false);
    const next = h.queue.push(ref(2), false);
    const err = await failed.catch((e: Error) => e);
    expect((err as Error).message).to.equal('scoring 1 broke');
    expect((await next).detail).to.equal('scored 2');
  });

  it('drained() waits for every checkpoint queued so far', async () => {
    const h = harness(() => 15);
    void h.queue.push(ref(1), false);
    void h.queue.push(ref(2), false);
    await h.queue.drained();
    expect([...h.scored]).to.deep.equal([1, 2]);
  });

  it('async: answers at once, scores one at a time, and skips a waiting checkpoint when a newer one arrives', async () => {
    const h = harness(() => 30, new Set(), 'async');
    const t0 = Date.now();
    const answers = [];
    for (const step of [1, 2, 3, 4]) answers.push(await h.queue.push(ref(step), true));
    expect(Date.now() - t0).to.be.below(20); // nobody waited for a scoring
    expect(answers.every((a) => a.action === 'continue' && /^queued: scored beside training/.test(a.detail ?? ''))).to.equal(true);
    await h.queue.drained();
    expect(h.events).to.deep.equal(['start 1', 'end 1', 'start 4', 'end 4']); // 1 was running; 2 and 3 went stale
    expect(h.skipped).to.deep.equal(['2 for 3', '3 for 4']);
  });

  it('async: once a stop is decided the next report is answered stop', async () => {
    const h = harness(() => 5, new Set(), 'async');
    await h.queue.push(ref(1), true);
    await h.queue.drained();
    expect(await h.queue.push(ref(1), true)).to.include({ action: 'continue', detail: 'already scored' });
    h.setStop({ action: 'stop', reason: 'target', detail: 'met' });
    expect(await h.queue.push(ref(2), true)).to.include({ action: 'stop', reason: 'target' });
    await h.queue.drained();
    expect(h.events).to.deep.equal(['start 1', 'end 1']);
  });
});
