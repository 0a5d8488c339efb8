// The training and scoring loop with a simulated clock: a Trainer and a Scorer that take known time,
// so resumption, looks, crashes and deadline stops are checked exactly (the real trainer and scorer
// run in test/harness/mix/rank.test.ts).
import { expect } from 'chai';
import type { ScoreOutcome, ScoreRequest, Scorer } from '../../../harness/sweep/harness-scorer.js';
import type { TrainOutcome, TrainRequest, Trainer } from '../../../harness/sweep/trainer.js';
import { halvingOverCandidates, trainAndScoreAll } from '../../../harness/sweep/train-score.js';
import type { ResultsFile } from '../../../core/results-schema.js';

/** Each candidate's accuracy (k right of 100) as a function of the step. */
const SKILL: Record<string, (step: number) => number> = {
  a: (s) => Math.min(90, 20 + s),
  b: (s) => Math.min(60, 10 + s),
  c: (s) => Math.min(30, s),
  d: (s) => Math.min(20, s),
};

class SimClock {
  t = 0;
  now = () => this.t;
}

function simTrainer(clock: SimClock, log: TrainRequest[], crash: (req: TrainRequest) => boolean = () => false): Trainer {
  return {
    description: { kind: 'simulated' },
    async train(req): Promise<TrainOutcome> {
      log.push(req);
      const from = req.resumeFrom ? Number(/step-(\d+)$/.exec(req.resumeFrom)![1]) : 0;
      const seconds = (req.toStep - from) * 0.1;
      clock.t += seconds;
      if (crash(req)) return { ok: false, step: from, error: 'simulated crash', seconds };
      return { ok: true, step: req.toStep, checkpoint: `/ckpt/${req.name}/step-${req.toStep}`, seconds };
    },
  };
}

function simScorer(clock: SimClock, log: ScoreRequest[], fail: (req: ScoreRequest) => boolean = () => false): Scorer {
  return {
    description: { kind: 'simulated' },
    async score(req): Promise<ScoreOutcome> {
      log.push(req);
      clock.t += 1;
      if (fail(req)) throw new Error('scoring server went away');
      const [, name, step] = /\/ckpt\/(\w+)\/step-(\d+)/.exec(req.adapter!)!;
      const k = SKILL[name](Number(step));
      const scores: Record<string, number> = {};
      for (let i = 0; i < 100; i++) scores[`i${String(i).padStart(3, '0')}`] = i < k ? 1 : 0;
      return { tasks: { t: scores }, seconds: 1, requests: 100, errors: 0, results: {} as ResultsFile };
    },
    async close() {},
  };
}

const cands = ['a', 'b', 'c', 'd'].map((name) => ({ name, data: `/data/${name}.jsonl` }));

describe('train-and-score loop', () => {
  it('trains and scores every candidate with the same seed and schedule; crashes are recorded, the rest go on', async () => {
    const clock = new SimClock();
    const trains: TrainRequest[] = [];
    const scores: ScoreRequest[] = [];
    const runs = await trainAndScoreAll(cands, { trainer: simTrainer(clock, trains, (r) => r.name === 'b'), scorer: simScorer(clock, scores, (r) => r.name === 'c'), seed: 7, maxSteps: 50, outDir: '/out' });
    expect(trains.map((t) => [t.name, t.seed, t.toStep, t.maxSteps, t.resumeFrom, t.outDir])).to.deep.equal(cands.map((c) => [c.name, 7, 50, 50, null, `/out/runs/${c.name}/train`]));
    expect(runs.map((r) => [r.name, r.status])).to.deep.equal([
      ['a', 'ok'],
      ['b', 'crashed'],
      ['c', 'crashed'],
      ['d', 'ok'],
    ]);
    expect(runs[1].error).to.equal('training: simulated crash');
    expect(runs[2].error).to.equal('scoring: scoring server went away');
    expect(Object.keys(runs[0].scoresByStep)).to.deep.equal(['50']);
    expect(runs[0].evalDir).to.equal('/out/runs/a/eval-step-50');
    expect(scores.map((s) => s.name)).to.deep.equal(['a', 'c', 'd']);
  });

  it('leaves what the deadline has no time for as not run', async () => {
    const clock = new SimClock();
    const trains: TrainRequest[] = [];
    const runs = await trainAndScoreAll(cands, { trainer: simTrainer(clock, trains), scorer: simScorer(clock, []), seed: 0, maxSteps: 50, outDir: '/out', clock: { now: clock.now, deadlineS: 10 } });
    // a: 5 s training + 1 s scoring; b: the same, ending at 12 s > 10: c and d are not started.
    expect(runs.map((r) => r.status)).to.deep.equal(['ok', 'ok', 'not-run', 'not-run']);
    expect(trains.map((t) => t.maxSeconds)).to.deep.equal([10, 4]);
    expect(runs[2].error).to.match(/deadline/);
  });

  it('halving: survivors resume from their checkpoints, every look is scored, losers stop', async () => {
    const clock = new SimClock();
    const trains: TrainRequest[] = [];
    const scores: ScoreRequest[] = [];
    const rungs = [
      { index: 0, step: 20, looks: [10, 20], arms: 4, keep: 2 },
      { index: 1, step: 80, looks: [80], arms: 2, keep: 1 },
    ];
    const { state, runs } = await halvingOverCandidates(cands, { trainer: simTrainer(clock, trains), scorer: simScorer(clock, scores), seed: 1, maxSteps: 80, outDir: '/out', sweep: { eta: 2, alpha: 0.05, rule: 'budget', rungs } });
    expect(trains.filter((t) => t.name === 'a').map((t) => [t.toStep, t.resumeFrom])).to.deep.equal([
      [10, null],
      [20, '/ckpt/a/step-10'],
      [80, '/ckpt/a/step-20'],
    ]);
    expect(trains.filter((t) => t.name === 'c').map((t) => t.toStep)).to.deep.equal([10, 20]);
    expect(scores).to.have.length(4 * 2 + 2);
    expect(state.finished).to.deep.include({ winner: 'a', reason: 'completed' });
    expect(state.arms.find((x) => x.id === 'a')!.history.map((h) => h.step)).to.deep.equal([10, 20, 80]);
    expect(runs.map((r) => [r.name, r.status, r.step])).to.deep.equal([
      ['a', 'ok', 80],
      ['b', 'ok', 80],
      ['c', 'stopped', 20],
      ['d', 'stopped', 20],
    ]);
    expect(Object.keys(runs[2].scoresByStep)).to.deep.equal(['10', '20']);
  });

  it('halving: a rung the deadline cannot hold ends it with the leader of the last rung', async () => {
    const clock = new SimClock();
    const { state, runs } = await halvingOverCandidates(cands, {
      trainer: simTrainer(clock, []),
      scorer: simScorer(clock, []),
      seed: 1,
      maxSteps: 80,
      outDir: '/out',
      clock: { now: clock.now, deadlineS: 25 },
      sweep: { eta: 2, alpha: 0.05, rule: 'budget', stepMultiple: 10, minFinalists: 2 },
    });
    // Rung 0 (step 40 for 4 arms): 4 × (4 s + 1 s) = 20 s; rung 1 needs 2 × (4 + 1) = 10 s more, only 5 s are left.
    expect(state.rungs.map((r) => r.step)).to.deep.equal([40, 80]);
    expect(state.done).to.have.length(1);
    expect(state.finished).to.deep.include({ winner: 'a', reason: 'deadline' });
    expect(runs.find((r) => r.name === 'b')!.status).to.equal('stopped');
    expect(state.arms.find((x) => x.id === 'b')!.stopped!.reason).to.equal('deadline');
  });
});
