import { expect } from 'chai';
import { bestCheckpoint, finalEvaluation } from '../../../harness/supervisor/final-eval.js';
import { Scorer, type TaskScores } from '../../../harness/supervisor/scorer.js';
import type { CheckpointRecord, TrainState, Verdict } from '../../../core/train-schema.js';

const ckpt = (step: number, mean: number, verdict?: Verdict, full = false): CheckpointRecord => ({
  step,
  path: `/c/${step}`,
  time_s: step,
  scores: { task: { mean, ci_low: mean - 0.1, ci_high: mean + 0.1, n: 10 } },
  decision: { action: 'continue', verdict, detail: '' },
  full_eval: full,
});
const noTiming = (): TrainState['timing'] => ({ full_eval_s: null, seconds_per_request: null, full_request_count: null, checkpoint_save_s: 0 });

/** An evaluation where every instance of checkpoint `step` scores 1 on its first `step` of 10. */
function evaluator(calls: { step: number; n: number | null }[]) {
  return async (c: { step: number }, n: number | null): Promise<TaskScores> => {
    calls.push({ step: c.step, n });
    const all = Array.from({ length: 10 }, (_, i) => (i < c.step ? 1 : 0));
    return { perTask: { task: all.slice(0, n ?? 10) }, requestsSent: n ?? 10, requestsTotal: n ?? 10, fullPerRun: 10 };
  };
}

describe('supervisor final evaluation', () => {
  it('ranks checkpoints that met the target first, then by headline score, then the earliest step', () => {
    expect(bestCheckpoint([ckpt(1, 0.9), ckpt(2, 0.6, 'met'), ckpt(3, 0.7, 'met')])?.step).to.equal(3);
    expect(bestCheckpoint([ckpt(1, 0.5), ckpt(2, 0.8), ckpt(3, 0.8)])?.step).to.equal(2);
    expect(bestCheckpoint([])).to.equal(undefined);
  });

  it('gives the best checkpoint the full suite, and skips it when its scores are full already', async () => {
    const calls: { step: number; n: number | null }[] = [];
    const book = { timing: noTiming() };
    const scorer = new Scorer(evaluator(calls), { target: null, alpha: 0.05, adaptive: true, n0: 4 }, book);
    const lines: string[] = [];
    const best = await finalEvaluation({ finalEval: true }, [ckpt(3, 0.3), ckpt(7, 0.7)], scorer, (l) => lines.push(l));
    expect(calls).to.deep.equal([{ step: 7, n: null }]);
    expect(best).to.deep.include({ step: 7, path: '/c/7', full_eval: true });
    expect(best?.scores?.task.mean).to.equal(0.7);
    expect(book.timing.full_eval_s).to.be.a('number'); // the final evaluation is timed too
    expect(lines.at(-1)).to.equal('best checkpoint: step 7 /c/7');

    const again = await finalEvaluation({ finalEval: true }, [ckpt(7, 0.7, undefined, true)], scorer, () => undefined);
    expect(calls).to.have.length(1);
    expect(again).to.deep.include({ step: 7, full_eval: true });
  });

  it('keeps the intermediate scores when the final evaluation fails', async () => {
    const scorer = new Scorer(async () => Promise.reject(new Error('server gone')), { target: null, alpha: 0.05, adaptive: false, n0: 4 }, { timing: noTiming() });
    const lines: string[] = [];
    const best = await finalEvaluation({ finalEval: true }, [ckpt(2, 0.4)], scorer, (l) => lines.push(l));
    expect(best).to.deep.equal({ step: 2, path: '/c/2', scores: ckpt(2, 0.4).scores, full_eval: false, final_eval_error: 'server gone' });
    expect(lines.some((l) => l.startsWith('final evaluation failed: server gone'))).to.equal(true);
  });

  it('uses the full-suite scores the stop candidate got when the stop was decided, sending nothing', async () => {
    const calls: { step: number; n: number | null }[] = [];
    const scorer = new Scorer(evaluator(calls), { target: null, alpha: 0.05, adaptive: true, n0: 4 }, { timing: noTiming() });
    const full = { scores: { task: { mean: 0.71, ci_low: 0.6, ci_high: 0.8, n: 100 } }, eval_s: 3, scored_by: { via: 'trainer' as const, backend: 'neurips:http://127.0.0.1:5' } };
    const lines: string[] = [];
    const best = await finalEvaluation({ finalEval: true }, [ckpt(3, 0.3), { ...ckpt(7, 0.7, 'met'), full_suite: full }], scorer, (l) => lines.push(l));
    expect(calls).to.deep.equal([]);
    expect(best).to.deep.equal({ step: 7, path: '/c/7', scores: full.scores, full_eval: true, eval_s: 3, scored_by: full.scored_by });
    expect(lines[0]).to.match(/its full-suite scores from when the stop was decided/);
  });

  it('records which backend gave the final scores', async () => {
    const evaluate = async (c: { step: number }, n: number | null): Promise<TaskScores> => ({
      perTask: { task: [1, 0, 1] },
      requestsSent: 3,
      requestsTotal: 3,
      fullPerRun: 3,
      scoredBy: { via: 'scoring-server', backend: `neurips:http://127.0.0.1:9#${c.step}:${n}` },
    });
    const scorer = new Scorer(evaluate, { target: null, alpha: 0.05, adaptive: true, n0: 4 }, { timing: noTiming() });
    const best = await finalEvaluation({ finalEval: true }, [ckpt(4, 0.9)], scorer, () => undefined);
    expect(best?.scored_by).to.deep.equal({ via: 'scoring-server', backend: 'neurips:http://127.0.0.1:9#4:null' });
    expect(best?.eval_s).to.be.a('number');
  });
});
