// The end of a training run: the best checkpoint (among those that met the target, if any, the
// highest headline score; the earliest on a tie) and its full-suite evaluation: the one it already
// has (scored on the full suite at its turn, or when the stop was decided at it, while the trainer
// still served it), else one now from its saved checkpoint (a scorer that can score what nothing
// serves any more: the embedded runtime, a vLLM server loading the adapter, or a scoring server the
// supervisor starts on it).
import type { CheckpointRecord, TrainState } from '../../core/train-schema.js';
import { describeScores, recordScores, type Scorer } from './scorer.js';
import { headlineScore } from './stop-rules.js';

export function bestCheckpoint(checkpoints: CheckpointRecord[]): CheckpointRecord | undefined {
  const met = (c: CheckpointRecord) => (c.decision.verdict === 'met' ? 1 : 0);
  return [...checkpoints].sort((a, b) => met(b) - met(a) || headlineScore(b.scores) - headlineScore(a.scores) || a.step - b.step)[0];
}

export interface FinalEvalConfig {
  /** Give the best checkpoint the full suite (else keep its intermediate scores). */
  finalEval: boolean;
}

type Best = NonNullable<TrainState['best']>;

/** The best checkpoint as train.json records it, with the full-suite scores it already has, if any. */
export function bestRecord(best: CheckpointRecord): Best {
  const record: Best = { step: best.step, path: best.path, scores: best.scores, full_eval: best.full_eval ?? false };
  if (best.full_eval) return { ...record, ...(best.eval_s !== undefined ? { eval_s: best.eval_s } : {}), ...(best.scored_by ? { scored_by: best.scored_by } : {}) };
  const f = best.full_suite;
  if (f) return { ...record, scores: f.scores, full_eval: true, eval_s: f.eval_s, ...(f.scored_by ? { scored_by: f.scored_by } : {}) };
  return record;
}

/** The best checkpoint, fully scored when asked (by `savedScorer`); null when none was scored. */
export async function finalEvaluation(
  cfg: FinalEvalConfig,
  checkpoints: CheckpointRecord[],
  savedScorer: Scorer,
  log: (line: string) => void,
): Promise<TrainState['best']> {
  const best = bestCheckpoint(checkpoints);
  if (!best) {
    log('no checkpoint was scored');
    return null;
  }
  let record = bestRecord(best);
  if (best.full_suite && !best.full_eval) log(`final evaluation of the best checkpoint (step ${best.step}): its full-suite scores from when the stop was decided`);
  if (cfg.finalEval && !record.full_eval) {
    log(`final evaluation of the best checkpoint (step ${best.step}) on the full suite, from its saved checkpoint`);
    try {
      const o = await savedScorer.score({ step: best.step, path: best.path }, 'full');
      record = { step: best.step, path: best.path, scores: recordScores(o), full_eval: true, eval_s: o.seconds, ...(o.scoredBy ? { scored_by: o.scoredBy } : {}) };
      log(`final: ${describeScores(o.scores)} in ${o.seconds.toFixed(1)}s${o.scoredBy ? ` (${o.scoredBy.via}: ${o.scoredBy.backend})` : ''}`);
    } catch (e) {
      const why = (e as Error).message;
      record = { ...record, final_eval_error: why };
      log(`final evaluation failed: ${why} (best checkpoint kept with its intermediate scores)`);
    }
  }
  log(`best checkpoint: step ${best.step} ${best.path}`);
  return record;
}
