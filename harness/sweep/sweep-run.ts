// `evalfirst sweep`: LoRA arms (sweep/arms.ts) trained on one data file with one seed and schedule,
// scored by the harness at every rung, promoted by the halving state machine (one arm at a time) or by
// ASHA over N workers (`parallel`), inside one deadline. Order of work:
//   1. the base is scored on the full suite: the baseline of the final comparison, and the measured
//      time of a full evaluation, which (with a margin: the supervisor's estimateReserve) is the
//      reserve held back from the deadline for the winner's final evaluation;
//   2. extrapolating rules: the base scored on the limited instances, every curve's start;
//   3. the rungs: every active arm trained from its checkpoint to the rung's looks and scored there;
//      losers are not resumed (their checkpoints stay under OUT/runs/ARM/train); a crashed arm is
//      recorded as crashed and the others go on; a rung the deadline less the reserve cannot hold
//      ends the sweep with the current leader;
//   4. the arms that reached the last step are ranked pairwise (rankCandidates, Holm);
//   5. the winner's checkpoint gets a final full evaluation, compared with the base's on the same instances.
// Writes OUT/sweep.json; the table and sweep.html are the reports layer's.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../core/atomic-write.js';
import { UserError } from '../../core/errors.js';
import { estimateReserve } from '../supervisor/stop-rules.js';
import type { ArmSpec } from './arms.js';
import { ashaOverCandidates, type AshaDecision } from './asha-loop.js';
import { withFirstLooks } from './budget-plan.js';
import { totalCompute, type SweepState } from './halving.js';
import type { Scorer, ScoreOutcome } from './harness-scorer.js';
import { commonInstances, headline, headlineInterval, type CandidateScores } from './paired.js';
import { usesExtrapolation, type PromotionRule } from './promotion.js';
import { rankCandidates, type Ranking } from './rank.js';
import { planRungs } from './rungs.js';
import { SWEEP_FILE, SWEEP_FORMAT, sweepArm, sweepDecisions, type FinalEvaluation, type Interval, type SweepReport } from './sweep-report.js';
import { candidateDir, halvingOverCandidates, type CandidateRun } from './train-score.js';
import type { Trainer } from './trainer.js';

export interface SweepRunOptions {
  arms: ArmSpec[];
  data: string;
  outDir: string;
  trainer: Trainer;
  /** Scores with the sweep's limit; `full: true` requests score the whole suite. */
  scorer: Scorer;
  seed: number;
  maxSteps: number;
  eta: number;
  rule: PromotionRule;
  alpha: number;
  /** Rung steps are multiples of this (the trainer's checkpoint interval). */
  stepMultiple: number;
  deadlineS?: number;
  /** GPUs of the workers (`--parallel N`: N of them); null: one arm at a time. */
  gpus: string[] | null;
  meta: { base: string; suite: string; limit: number | null; launcher: string | null };
  say?: (line: string) => void;
}

const interval = (c: CandidateScores, on?: Record<string, string[]>): Interval => {
  const h = headlineInterval(c, on);
  return { mean: h.mean, low: h.ciLow, high: h.ciHigh, n: h.n };
};

function checkOptions(o: SweepRunOptions): void {
  if (o.arms.length < 2) throw new UserError(`sweep: ${o.arms.length} arm(s); a sweep needs at least two`);
  if (!(o.alpha > 0 && o.alpha < 1)) throw new UserError(`--alpha must be in (0, 1), got ${o.alpha}`);
  if (!(o.eta >= 2)) throw new UserError(`--eta must be at least 2, got ${o.eta}`);
  if (o.maxSteps % o.stepMultiple !== 0) throw new UserError(`--max-steps ${o.maxSteps} must be a multiple of --checkpoint-every ${o.stepMultiple} (rungs end on checkpoints)`);
  if (o.gpus && o.gpus.length < 1) throw new UserError('--parallel needs at least one worker');
}

export async function runSweep(o: SweepRunOptions): Promise<SweepReport> {
  checkOptions(o);
  const started = performance.now();
  const now = () => (performance.now() - started) / 1000;
  mkdirSync(o.outDir, { recursive: true });
  const notes: string[] = [];
  const asha = o.gpus !== null;
  let state: SweepState;
  let runs: CandidateRun[];
  let decisions: AshaDecision[] | null = null;
  let base: ScoreOutcome;
  let reserveS = 0;
  let final: FinalEvaluation | null = null;
  let ranking: Ranking | null = null;
  let rankedAt: number | null = null;
  try {
    base = await o.scorer.score({ name: 'base', adapter: null, outDir: join(o.outDir, 'base-eval-full'), full: true });
    reserveS = estimateReserve({ fullEvalSeconds: base.seconds, secondsPerRequest: null, fullRequestCount: base.requests, checkpointSaveSeconds: 0, marginFraction: 0.25, marginFloorS: 5 });
    o.say?.(`base: full evaluation ${base.requests} instances in ${base.seconds.toFixed(1)}s; reserve for the winner's final evaluation ${reserveS.toFixed(1)}s`);
    const sweep = { eta: o.eta, alpha: o.alpha, rule: o.rule, stepMultiple: o.stepMultiple, minStep: o.stepMultiple, minFinalists: 2 };
    let rungs = planRungs({ arms: o.arms.length, maxStep: o.maxSteps, ...sweep });
    let curve: { start: number } | undefined;
    if (usesExtrapolation(o.rule) && !asha) {
      const limited = await o.scorer.score({ name: 'base', adapter: null, outDir: join(o.outDir, 'base-eval') });
      const c = { name: 'base', tasks: limited.tasks };
      curve = { start: headline(c, commonInstances([c])) };
      rungs = withFirstLooks(rungs, 2, o.stepMultiple);
    }
    const cands = o.arms.map((a) => ({ name: a.id, data: o.data, params: a.params }));
    const loop = { trainer: o.trainer, scorer: o.scorer, seed: o.seed, maxSteps: o.maxSteps, outDir: o.outDir, say: o.say, clock: o.deadlineS === undefined ? undefined : { now, deadlineS: o.deadlineS, reserveS } };
    if (asha) {
      if (o.rule !== 'budget') notes.push(`--parallel: ASHA promotes the top fraction by mean as arms finish; --rule ${o.rule} applies to one-at-a-time sweeps`);
      ({ state, runs, decisions } = await ashaOverCandidates(cands, { ...loop, gpus: o.gpus!, sweep: { ...sweep, rungs } }));
    } else {
      ({ state, runs } = await halvingOverCandidates(cands, { ...loop, sweep: { ...sweep, rungs, ...(curve ? { curve } : {}) } }));
    }
    notes.push(`${asha ? 'asha' : 'halving'}: ${state.finished?.detail ?? 'not finished'}`);
    // Ranked: the arms scored at the last step, or (ended early) at the last rung that scored two or more.
    const scoredAt = (step: number) => runs.filter((r) => r.scoresByStep[step]);
    const steps = [o.maxSteps, ...[...state.done].reverse().map((d) => d.step)];
    rankedAt = steps.find((s) => scoredAt(s).length >= 2) ?? null;
    if (rankedAt !== null) {
      if (rankedAt !== o.maxSteps) notes.push(`ranked at step ${rankedAt}, the last step that scored two or more arms`);
      ranking = rankCandidates(scoredAt(rankedAt).map((r) => ({ name: r.name, tasks: r.scoresByStep[rankedAt!] })), { alpha: o.alpha, seed: o.seed });
    } else notes.push('fewer than two arms scored at the same step: no pairwise ranking');
    for (const r of runs) if (r.status === 'crashed') notes.push(`${r.name} crashed: ${r.error}`);
    const winner = state.finished?.winner ?? null;
    const wr = winner ? runs.find((r) => r.name === winner)! : null;
    if (wr?.checkpoint) {
      const dir = join(candidateDir(o.outDir, wr.name), 'final-eval');
      o.say?.(`final: full evaluation of ${wr.name} (${wr.checkpoint})`);
      try {
        const f = await o.scorer.score({ name: wr.name, adapter: wr.checkpoint, outDir: dir, full: true });
        const cand = { name: wr.name, tasks: f.tasks };
        const baseCand = { name: 'base', tasks: base.tasks };
        const tasks: Record<string, Interval> = {};
        for (const [t, ids] of Object.entries(commonInstances([cand]))) tasks[t] = interval(cand, { [t]: ids });
        const vs = rankCandidates([cand, baseCand], { alpha: o.alpha, seed: o.seed }).pairs[0];
        const sign = vs.better === wr.name ? 1 : -1;
        final = {
          arm: wr.name,
          checkpoint: wr.checkpoint,
          dir,
          score: interval(cand),
          tasks,
          base: interval(baseCand),
          vs_base: sign > 0 ? { delta: vs.delta, low: vs.low, high: vs.high, distinguishable: vs.distinguishable } : { delta: -vs.delta, low: -vs.high, high: -vs.low, distinguishable: vs.distinguishable },
          seconds: f.seconds,
        };
        if (o.deadlineS !== undefined && now() > o.deadlineS) notes.push(`the final evaluation ended ${(now() - o.deadlineS).toFixed(1)}s past the deadline (reserve ${reserveS.toFixed(1)}s)`);
      } catch (err) {
        notes.push(`final evaluation of ${wr.name} failed: ${(err as Error).message}`);
      }
    }
  } finally {
    await o.scorer.close();
  }
  const total = totalCompute(state);
  const report: SweepReport = {
    format: SWEEP_FORMAT,
    created_at: new Date().toISOString(),
    mode: asha ? 'asha' : 'halving',
    base: o.meta.base,
    data: o.data,
    suite: o.meta.suite,
    limit: o.meta.limit,
    trainer: o.trainer.description,
    scorer: o.scorer.description,
    seed: o.seed,
    max_steps: o.maxSteps,
    eta: o.eta,
    rule: asha ? 'asha' : o.rule,
    alpha: o.alpha,
    deadline_s: o.deadlineS ?? null,
    reserve_s: reserveS,
    parallel: o.gpus?.length ?? 1,
    gpus: o.gpus ?? [],
    launcher: o.meta.launcher,
    rungs: state.rungs,
    arms: state.arms.map(sweepArm),
    decisions: sweepDecisions(state, decisions),
    finished: state.finished,
    winner: state.finished?.winner ?? null,
    ranking,
    ranked_at_step: rankedAt,
    final_evaluation: final,
    compute: { steps: total.steps, grid_steps: o.arms.length * o.maxSteps, train_seconds: total.trainSeconds, eval_seconds: total.evalSeconds + base.seconds + (final?.seconds ?? 0), eval_requests: total.evalRequests, wall_seconds: now() },
    notes,
  };
  writeJsonAtomic(join(o.outDir, SWEEP_FILE), report);
  return report;
}
