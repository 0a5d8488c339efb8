// The training and scoring loop shared by `mix rank` (compositions) and `sweep` (arms): every
// candidate is trained with the same seed and schedule by a Trainer and scored on the same instances
// by a Scorer, either all to the last step (trainAndScoreAll) or by successive halving over rungs
// (halvingOverCandidates: halving.ts decides, this loop trains each survivor from its checkpoint to
// the rung's looks and scores it there). A candidate that fails to train or score is recorded as
// crashed and the others go on. Layout: OUT/runs/NAME/train (checkpoints, trainer logs) and
// OUT/runs/NAME/eval-step-N (one run directory per scoring).
import { join } from 'node:path';
import type { ArmValue } from './arms.js';
import { applyRung, initSweep, nextWork, stopForDeadline, type ArmRungResult, type LookResult, type SweepConfig, type SweepState } from './halving.js';
import type { TaskScores } from './paired.js';
import type { Scorer } from './harness-scorer.js';
import type { Trainer } from './trainer.js';

export interface CandidateInput {
  name: string;
  /** Training data (JSONL). */
  data: string;
  params?: Record<string, ArmValue>;
}

export interface CandidateRun {
  name: string;
  status: 'ok' | 'crashed' | 'stopped' | 'not-run';
  error: string | null;
  /** Last step trained to. */
  step: number;
  checkpoint: string | null;
  /** Scores at its last scoring (null when it never was scored). */
  tasks: TaskScores | null;
  /** Step of that scoring, and its run directory. */
  scoredAt: number | null;
  /** Every scoring, by step. */
  scoresByStep: Record<number, TaskScores>;
  evalDir: string | null;
  trainSeconds: number;
  evalSeconds: number;
  evalRequests: number;
  evalErrors: number;
}

export interface LoopOptions {
  trainer: Trainer;
  scorer: Scorer;
  seed: number;
  maxSteps: number;
  outDir: string;
  /** Seconds since the start, and the deadline in the same clock (no deadline: unbounded). */
  clock?: { now: () => number; deadlineS: number; reserveS?: number };
  say?: (line: string) => void;
}

export const candidateDir = (outDir: string, name: string) => join(outDir, 'runs', name);
const evalDir = (outDir: string, name: string, step: number) => join(candidateDir(outDir, name), `eval-step-${step}`);

export function freshRun(name: string): CandidateRun {
  return { name, status: 'not-run', error: null, step: 0, checkpoint: null, tasks: null, scoredAt: null, scoresByStep: {}, evalDir: null, trainSeconds: 0, evalSeconds: 0, evalRequests: 0, evalErrors: 0 };
}

/** Seconds left before the deadline, less the reserve held back for the winner's final evaluation. */
const left = (o: LoopOptions) => (o.clock ? Math.max(0, o.clock.deadlineS - o.clock.now() - (o.clock.reserveS ?? 0)) : undefined);

/** Trains `run` on to `step` and scores it there (`gpu`: the device its trainer is given); updates `run` and says whether both went well. */
export async function trainAndScoreTo(c: CandidateInput, run: CandidateRun, step: number, o: LoopOptions, gpu?: string): Promise<boolean> {
  const t = await o.trainer.train({ name: c.name, data: c.data, outDir: join(candidateDir(o.outDir, c.name), 'train'), seed: o.seed, toStep: step, maxSteps: o.maxSteps, resumeFrom: run.checkpoint, params: c.params, maxSeconds: left(o), ...(gpu !== undefined ? { gpu } : {}) });
  run.trainSeconds += t.seconds;
  run.step = Math.max(run.step, t.step);
  if (!t.ok) {
    Object.assign(run, { status: 'crashed', error: `training: ${t.error}` });
    o.say?.(`${c.name}: training crashed at step ${t.step}: ${t.error}`);
    return false;
  }
  run.checkpoint = t.checkpoint;
  const dir = evalDir(o.outDir, c.name, t.step);
  try {
    const s = await o.scorer.score({ name: c.name, adapter: t.checkpoint, outDir: dir });
    run.scoresByStep[t.step] = s.tasks;
    Object.assign(run, { status: 'ok', tasks: s.tasks, scoredAt: t.step, evalDir: dir, evalSeconds: run.evalSeconds + s.seconds, evalRequests: run.evalRequests + s.requests, evalErrors: run.evalErrors + s.errors });
    o.say?.(`${c.name}: step ${t.step} trained in ${t.seconds.toFixed(1)}s, scored ${s.requests} instances in ${s.seconds.toFixed(1)}s`);
    return true;
  } catch (err) {
    Object.assign(run, { status: 'crashed', error: `scoring: ${(err as Error).message}` });
    o.say?.(`${c.name}: scoring crashed at step ${t.step}: ${(err as Error).message}`);
    return false;
  }
}

/** Every candidate to the last step, one after another; those the deadline leaves no time for are "not-run". */
export async function trainAndScoreAll(cands: readonly CandidateInput[], o: LoopOptions): Promise<CandidateRun[]> {
  const runs: CandidateRun[] = [];
  for (const c of cands) {
    const run = freshRun(c.name);
    runs.push(run);
    if (left(o) === 0) {
      run.error = 'deadline: no time left to train it';
      continue;
    }
    await trainAndScoreTo(c, run, o.maxSteps, o);
  }
  return runs;
}

export interface HalvingLoopOptions extends LoopOptions {
  sweep: Omit<SweepConfig, 'arms' | 'maxStep'>;
}

/**
 * Successive halving over the candidates: each rung trains the survivors (resumed from their
 * checkpoints) through the rung's looks and scores them at each; halving.ts promotes and stops. A
 * rung the deadline cannot hold (measured costs) ends it with the last rung's leader.
 */
export async function halvingOverCandidates(cands: readonly CandidateInput[], o: HalvingLoopOptions): Promise<{ state: SweepState; runs: CandidateRun[] }> {
  let state = initSweep({ ...o.sweep, arms: cands.map((c) => ({ id: c.name, params: c.params ?? {} })), maxStep: o.maxSteps });
  const runs = new Map(cands.map((c) => [c.name, freshRun(c.name)]));
  for (;;) {
    const clock = o.clock ? { nowS: o.clock.now(), deadlineS: o.clock.deadlineS, reserve: o.clock.reserveS ?? 0, prior: { secondsPerStep: 0, evalSecondsPerArm: 0 } } : undefined;
    const w = nextWork(state, clock);
    if (w.kind === 'done') break;
    if (w.kind === 'deadline') {
      o.say?.(`halving: ${w.check.detail}; stopping with the current leader`);
      state = stopForDeadline(state, w.check);
      break;
    }
    o.say?.(`halving: rung ${w.rung.index} (step ${w.rung.looks.join('+')}): ${w.arms.join(', ')}`);
    const results: ArmRungResult[] = [];
    for (const name of w.arms) {
      const c = cands.find((x) => x.name === name)!;
      const run = runs.get(name)!;
      const before = { train: run.trainSeconds, eval: run.evalSeconds };
      const looks: LookResult[] = [];
      let ok = true;
      for (const step of w.rung.looks) {
        ok = await trainAndScoreTo(c, run, step, o);
        if (!ok) break;
        if (step !== w.rung.step) looks.push({ step, scores: run.tasks! });
      }
      const trainSeconds = run.trainSeconds - before.train;
      results.push(ok ? { arm: name, ok: true, step: run.step, checkpoint: run.checkpoint, scores: run.tasks!, looks, trainSeconds, evalSeconds: run.evalSeconds - before.eval } : { arm: name, ok: false, error: run.error ?? 'failed', step: run.step, trainSeconds });
    }
    state = applyRung(state, w.rung.index, results);
  }
  // Losers of the last rung reached the last step: they stay 'ok' (finalists), the others are 'stopped'.
  for (const a of state.arms) if (a.status === 'stopped' && a.stopped?.reason !== 'final' && runs.get(a.id)!.status === 'ok') Object.assign(runs.get(a.id)!, { status: 'stopped', error: a.stopped?.detail ?? null });
  return { state, runs: cands.map((c) => runs.get(c.name)!) };
}
