import { expect } from 'chai';
import { Scorer, scoreCheckpoint, withTimings, type LookOptions, type ScoreOutcome, type TaskScores } from '../../../harness/supervisor/scorer.js';
import { parseTarget } from '../../../harness/supervisor/target.js';
import type { TrainState } from '../../../core/train-schema.js';

const noTiming = (): TrainState['timing'] => ({ full_eval_s: null, seconds_per_request: null, full_request_count: null, checkpoint_save_s: 0 });

describe('supervisor scorer timings', () => {
  const outcome = (o: Partial<ScoreOutcome>): ScoreOutcome => ({ scores: {}, full: false, looks: [], requestsSent: 0, requestsTotal: 0, seconds: 0, fullPerRun: 0, ...o });

  it('a full evaluation times the final one; any evaluation gives the time per request', () => {
    const t1 = withTimings(noTiming(), outcome({ full: true, seconds: 20, requestsSent: 100, requestsTotal: 100 }));
    expect(t1).to.deep.include({ full_eval_s: 20, full_request_count: 100, seconds_per_request: 0.2 });
    const t2 = withTimings(t1, outcome({ full: false, seconds: 3, requestsSent: 10, requestsTotal: 40 }));
    expect(t2).to.deep.include({ full_eval_s: 20, full_request_count: 100, seconds_per_request: 0.3 });
    // Before any full evaluation, the largest request count seen stands in for the full one.
    const t3 = withTimings(noTiming(), outcome({ seconds: 1, requestsSent: 0, requestsTotal: 40 }));
    expect(t3).to.deep.include({ full_eval_s: null, full_request_count: 40, seconds_per_request: null });
  });

  it('scores the first checkpoint on the full suite, later ones adaptively', async () => {
    const evaluate = async (_c: unknown, n: number | null) => ({ perTask: { task: Array(n ?? 10).fill(1) }, requestsSent: n ?? 10, requestsTotal: n ?? 10, fullPerRun: 10 });
    const scorer = new Scorer(evaluate, { target: null, alpha: 0.05, adaptive: true, n0: 4 }, { timing: noTiming() });
    expect(scorer.nextMode()).to.equal('full');
    await scorer.score({ step: 5, path: '/c/5' }, scorer.nextMode());
    expect(scorer.nextMode()).to.equal('adaptive');
  });

  /** Looks of a 64-instance task where every answer is right; each look resolves after `delay(n)` ms unless cancelled. */
  function looks(delay: (n: number) => number) {
    const started: { n: number | null; priority: number | undefined; at: number }[] = [];
    const cancelled: (number | null)[] = [];
    const t0 = Date.now();
    const evaluate = (_c: unknown, n: number | null, look?: LookOptions) =>
      new Promise<TaskScores>((resolve) => {
        started.push({ n, priority: look?.priority, at: Date.now() - t0 });
        const size = n ?? 64;
        let finished = false;
        const done = () => (finished = true) && resolve({ perTask: { task: Array(size).fill(1) }, requestsSent: size, requestsTotal: size, fullPerRun: 64, scoredBy: { via: 'server', backend: 'b' } });
        const timer = setTimeout(done, delay(size));
        look?.signal.addEventListener('abort', () => {
          if (finished) return;
          clearTimeout(timer);
          cancelled.push(n);
          resolve({ perTask: {}, requestsSent: 1, requestsTotal: 0, fullPerRun: 64, cancelled: true });
        });
      });
    return { evaluate, started, cancelled };
  }

  it('issues every look at once (look k with priority k), judges them in order and cancels those past the decision', async () => {
    const l = looks((n) => 5 * n);
    const target = parseTarget('task >= 0.6');
    const o = await scoreCheckpoint(l.evaluate, { step: 1, path: '/c/1' }, { target, alpha: 0.05, adaptive: true, n0: 8, fullPerRun: 64 }, 'adaptive');
    expect(l.started.map((s) => [s.n, s.priority])).to.deep.equal([[8, 0], [16, 1], [32, 2], [64, 3]]);
    expect(l.started.every((s) => s.at < 20)).to.equal(true); // none waited for the look before it
    expect(o.verdict).to.equal('met');
    expect(o.looks).to.deep.equal([8, 16]); // 8 of 8 right: lower bound 0.53 at δ = 0.05/4; 16 of 16: 0.73
    expect(l.cancelled).to.deep.equal([32, 64]);
    expect(o.requestsSent).to.equal(8 + 16 + 1 + 1); // what the cancelled looks had sent counts too
    expect(o.requestsTotal).to.equal(16);
    expect(o.scoredBy).to.deep.equal({ via: 'server', backend: 'b' });
  });

  it('with a lookahead of 1, issues the next look while one is judged', async () => {
    const l = looks((n) => 2 * n);
    await scoreCheckpoint(l.evaluate, { step: 1, path: '/c/1' }, { target: parseTarget('task >= 0.99'), alpha: 0.05, adaptive: true, n0: 8, fullPerRun: 64, lookahead: 1 }, 'adaptive');
    expect(l.started.map((s) => s.n)).to.deep.equal([8, 16, 32, 64]);
    expect(l.started[1]!.at).to.be.below(10); // with look 0
    expect(l.started[2]!.at).to.be.at.least(16); // once look 0 (16 ms) was judged
  });

  it('with the full size unknown, takes the first look alone, then issues the others', async () => {
    const l = looks(() => 10);
    const o = await scoreCheckpoint(l.evaluate, { step: 1, path: '/c/1' }, { target: parseTarget('task >= 0.99'), alpha: 0.05, adaptive: true, n0: 8 }, 'adaptive');
    expect(l.started.map((s) => s.n)).to.deep.equal([8, 16, 32, 64]);
    // The second look starts after the first (10 ms) answered; a margin for millisecond rounding of the clock.
    expect(l.started[1]!.at).to.be.at.least(l.started[0]!.at + 8);
    expect(o.looks).to.deep.equal([8, 16, 32, 64]); // 0.99 stays undecided with 64 instances
    expect(o.full).to.equal(true);
    expect(o.fullPerRun).to.equal(64);
  });

  it('a full evaluation records the suite size the later plans use', async () => {
    const book = { timing: noTiming() };
    const l = looks(() => 1);
    const scorer = new Scorer(l.evaluate, { target: parseTarget('task >= 0.5'), alpha: 0.05, adaptive: true, n0: 8 }, book);
    await scorer.score({ step: 1, path: '/c/1' }, 'full');
    expect(book.timing.full_per_run).to.equal(64);
    l.started.length = 0;
    await scorer.score({ step: 2, path: '/c/2' }, 'adaptive');
    expect(l.started.map((s) => s.n)).to.deep.equal([8, 16, 32, 64]); // issued together: the plan was known
  });
});
