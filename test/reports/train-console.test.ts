import { expect } from 'chai';
import { trainConsole } from '../../reports/train-console.js';

/** A stream that records what is written; `isTTY` as given. */
function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = { isTTY, columns: 100, write: (s: string) => (chunks.push(s), true), on: () => stream, removeListener: () => stream } as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

const step = (n: number) => `step ${n}/40 (${(n * 100) / 40}%)  loss ${(3 - n / 20).toFixed(4)}  lr 5.00e-3  900 tok/s  checkpoint 20 in 1s  end in 4s`;

describe('train console: what train and start show while they run', () => {
  it('off a terminal: supervisor lines on stdout; on stderr the trainer progress (throttled, the latest before the next line), its other output, and the eval progress of a scoring', () => {
    const out = sink(false);
    const err = sink(false);
    let t = 1_000_000;
    const ui = trainConsole({ out: out.stream, err: err.stream, plainEveryMs: 60_000, evalPlainEveryMs: 60_000, deadlineAtMs: t + 90_000, now: () => t });
    ui.say('trainer started');
    ui.trainerLine(step(1), 'stdout'); // printed: the first
    ui.trainerLine(step(2), 'stdout'); // held (within the interval), then replaced
    t += 30_000;
    ui.trainerLine(step(10), 'stdout');
    ui.trainerLine('checkpoint 10: /ckpt/checkpoint-10 (saved in 0.01 s)', 'stdout');
    ui.say('checkpoint step 10 at 2.0s: scoring (adaptive) /ckpt/checkpoint-10');
    ui.scoring.update('evals/step-10-n16', 10, { done: 0, total: 16, errors: 0, reused: 0 });
    ui.scoring.update('evals/step-10-full', 10, { done: 0, total: 40, errors: 0, reused: 0 });
    ui.scoring.update('evals/step-10-n16', 10, { done: 16, total: 16, errors: 0, reused: 0 });
    ui.scoring.end('evals/step-10-n16');
    ui.scoring.update('evals/step-10-full', 10, { done: 40, total: 40, errors: 0, reused: 2 });
    ui.scoring.end('evals/step-10-full');
    ui.say('checkpoint step 10: pooled=0.400');
    ui.trainerLine('Traceback (most recent call last):', 'stderr');
    ui.done();
    expect(out.text()).to.equal('trainer started\ncheckpoint step 10 at 2.0s: scoring (adaptive) /ckpt/checkpoint-10\ncheckpoint step 10: pooled=0.400\n');
    const lines = err.text().split('\n');
    expect(lines[0]).to.equal(`${step(1)}  deadline in 1m30s`);
    expect(lines[1]).to.equal(`${step(10)}  deadline in 60.0s`); // held, then printed before the next line
    expect(lines[2]).to.equal('[trainer] checkpoint 10: /ckpt/checkpoint-10 (saved in 0.01 s)');
    // The eval progress: at once the first evaluation's counters, at the end the largest one's (the full suite).
    expect(lines[3]).to.match(/^eval: 0\/16 requests/);
    expect(lines[4]).to.match(/^eval: 40\/40 requests, [\d.]+\/s, ETA 0s, 0 errors, 2 reused$/);
    expect(lines.slice(5)).to.deep.equal(['[trainer] Traceback (most recent call last):', '']);
    expect(err.text()).to.not.contain(step(2));
  });

  it('on a terminal: the progress is redrawn in place, stays in the scroll-back when the eval bar starts, and comes back after it', () => {
    const out = sink(true);
    const err = sink(true);
    const ui = trainConsole({ out: out.stream, err: err.stream });
    ui.trainerLine(step(1), 'stdout');
    ui.trainerLine(step(2), 'stdout');
    ui.say('checkpoint step 2: scoring');
    ui.scoring.update('e', 2, { done: 1, total: 4, errors: 0, reused: 0 });
    ui.trainerLine(step(3), 'stdout'); // async scoring: held while the bar is drawn
    ui.scoring.end('e');
    ui.done();
    const e = err.text();
    expect(e.startsWith(`\r\x1b[K${step(1)}\r\x1b[K${step(2)}\r\x1b[K\r\x1b[K${step(2)}\n`)).to.equal(true);
    expect(e).to.contain('eval [');
    expect(e.indexOf(step(3))).to.be.greaterThan(e.lastIndexOf('eval ['));
    expect(e.endsWith(`\r\x1b[K${step(3)}\n`)).to.equal(true);
    expect(out.text()).to.equal('checkpoint step 2: scoring\n');
  });
});
