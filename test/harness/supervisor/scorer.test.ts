import { expect } from 'chai';
import { Scorer, withTimings, type ScoreOutcome } from '../../../harness/supervisor/scorer.js';
import type { TrainState } from '../../../core/train-schema.js';

const noTiming = (): TrainState['timing'] => ({ full_eval_s: null, seconds_per_request: null, full_request_count: null, checkpoint_save_s: 0 });

describe('supervisor scorer timings', () => {
  const outcome = (o: Partial<ScoreOutcome>): ScoreOutcome => ({ scores: {}, full: false, looks: [], requestsSent: 0, requestsTotal: 0, seconds: 0, ...o });

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
});
