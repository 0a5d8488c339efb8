// `mix rank`: the same base fine-tuned on each composition with one seed and budget, each scored on
// the same instances of the suite, ranked with paired statistics (sweep/rank.ts). Modes: every
// composition to the last step; --halving (successive halving over compositions, sweep/halving.ts,
// within a deadline); --ablate (one manifest and its leave-one-source-out variants, per-task effect
// of each source). Writes OUT/rank.json; the training and scoring loop is sweep/train-score.ts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../core/atomic-write.js';
import { UserError } from '../../core/errors.js';
import { withFirstLooks } from '../sweep/budget-plan.js';
import { usesExtrapolation, type PromotionRule } from '../sweep/promotion.js';
import { planRungs } from '../sweep/rungs.js';
import { rankCandidates, type Ranking } from '../sweep/rank.js';
import type { Scorer } from '../sweep/harness-scorer.js';
import { headline, commonInstances } from '../sweep/paired.js';
import type { Trainer } from '../sweep/trainer.js';
import { halvingOverCandidates, trainAndScoreAll, type CandidateRun } from '../sweep/train-score.js';
import type { SweepState } from '../sweep/halving.js';
import type { AssembleOptions } from './assemble.js';
import { leaveOneOutCompositions, prepareCompositions } from './compositions.js';
import { ablationEffects, compositionResult, RANK_FORMAT, type RankReport } from './rank-report.js';

export interface MixRankOptions {
  /** Manifest files or built mix folders (one manifest with `ablate`). */
  inputs: string[];
  outDir: string;
  assemble: AssembleOptions;
  trainer: Trainer;
  scorer: Scorer;
  seed: number;
  steps: number;
  alpha: number;
  ablate: boolean;
  halving: { eta: number; rule: PromotionRule; stepMultiple: number } | null;
  /** Wall-clock budget in seconds from the start (halving stops a rung it cannot hold; the others skip what they cannot start). */
  deadlineS?: number;
  say?: (line: string) => void;
}

export const RANK_FILE = 'rank.json';

function checkInputs(o: MixRankOptions): void {
  if (o.ablate && o.inputs.length !== 1) throw new UserError(`--ablate takes one manifest (its sources are left out one at a time), got ${o.inputs.length}`);
  if (!o.ablate && o.inputs.length < 2) throw new UserError('mix rank needs at least two compositions (manifests or built mix folders), or one manifest with --ablate');
  if (!(o.alpha > 0 && o.alpha < 1)) throw new UserError(`--alpha must be in (0, 1), got ${o.alpha}`);
}

export async function mixRank(o: MixRankOptions): Promise<RankReport> {
  checkInputs(o);
  const started = performance.now();
  const now = () => (performance.now() - started) / 1000;
  mkdirSync(o.outDir, { recursive: true });
  const comps = o.ablate ? await leaveOneOutCompositions(o.inputs[0], o.outDir, o.assemble) : await prepareCompositions(o.inputs, o.outDir, o.assemble);
  for (const c of comps) o.say?.(`${c.name}: ${c.rows} rows, version ${c.version.slice(0, 12)}`);
  const loop = { trainer: o.trainer, scorer: o.scorer, seed: o.seed, maxSteps: o.steps, outDir: o.outDir, say: o.say, clock: o.deadlineS === undefined ? undefined : { now, deadlineS: o.deadlineS } };
  const cands = comps.map((c) => ({ name: c.name, data: c.data }));
  const notes: string[] = [];
  let runs: CandidateRun[];
  let state: SweepState | null = null;
  try {
    if (o.halving) {
      const h = o.halving;
      const sweep = { eta: h.eta, alpha: o.alpha, rule: h.rule, stepMultiple: h.stepMultiple, minStep: h.stepMultiple, minFinalists: 2 };
      let extra = {};
      if (usesExtrapolation(h.rule)) {
        // Every curve starts at the base's score; two looks in the first rung give each a shape before the first cut.
        const base = await o.scorer.score({ name: 'base', adapter: null, outDir: join(o.outDir, 'base-eval') });
        const tasks = { name: 'base', tasks: base.tasks };
        const rungs = withFirstLooks(planRungs({ arms: cands.length, maxStep: o.steps, ...sweep }), 2, h.stepMultiple);
        extra = { curve: { start: headline(tasks, commonInstances([tasks])) }, rungs };
      }
      ({ state, runs } = await halvingOverCandidates(cands, { ...loop, sweep: { ...sweep, ...extra } }));
      notes.push(`halving: ${state.finished?.detail ?? 'not finished'}`);
    } else runs = await trainAndScoreAll(cands, loop);
  } finally {
    await o.scorer.close();
  }
  // Ranked: the compositions scored at the last step, or (halving ended early by the deadline) at the
  // last rung that scored two or more.
  let at = o.steps;
  let finalists = runs.filter((r) => r.scoresByStep[at]);
  if (finalists.length < 2 && state) {
    const rung = [...state.done].reverse().find((d) => runs.filter((r) => r.scoresByStep[d.step]).length >= 2);
    if (rung) {
      at = rung.step;
      finalists = runs.filter((r) => r.scoresByStep[at]);
      notes.push(`ranked at step ${at} (rung ${rung.rung}), the last rung that scored two or more compositions`);
    }
  }
  let ranking: Ranking | null = null;
  if (finalists.length >= 2) ranking = rankCandidates(finalists.map((r) => ({ name: r.name, tasks: r.scoresByStep[at] })), { alpha: o.alpha, seed: o.seed });
  else notes.push(`${finalists.length} composition(s) scored at the same step: nothing to rank`);
  for (const r of runs) if (r.status === 'crashed') notes.push(`${r.name} crashed: ${r.error}`);
  const report: RankReport = {
    format: RANK_FORMAT,
    created_at: new Date().toISOString(),
    mode: o.ablate ? 'ablate' : o.halving ? 'halving' : 'all',
    trainer: o.trainer.description,
    scorer: o.scorer.description,
    seed: o.seed,
    steps: o.steps,
    ranked_at_step: ranking ? at : null,
    alpha: o.alpha,
    compositions: comps.map((c, i) => compositionResult(c, runs[i], ranking ? at : null)),
    ranking,
    ablation: o.ablate ? { composition: comps[0].name, effects: ablationEffects(comps[0].name, comps.slice(1), ranking) } : null,
    halving: state ? { rungs: state.rungs, arms: state.arms, done: state.done, finished: state.finished } : null,
    compute: {
      train_seconds: runs.reduce((s, r) => s + r.trainSeconds, 0),
      eval_seconds: runs.reduce((s, r) => s + r.evalSeconds, 0),
      eval_requests: runs.reduce((s, r) => s + r.evalRequests, 0),
      wall_seconds: now(),
    },
    notes,
  };
  writeJsonAtomic(join(o.outDir, RANK_FILE), report);
  return report;
}
