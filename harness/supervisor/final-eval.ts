// The end of a training run: the best checkpoint (among those that met the target, if any, the
// highest headline score; the earliest on a tie) and its full-suite evaluation, unless its scores
// already come from the full suite.
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

/** The best checkpoint as train.json records it, fully scored when asked; null when none was scored. */
export async function finalEvaluation(
  cfg: FinalEvalConfig,
  checkpoints: CheckpointRecord[],
  scorer: Scorer,
  log: (line: string) => void,
): Promise<TrainState['best']> {
  const best = bestCheckpoint(checkpoints);
  if (!best) {
    log('no checkpoint was scored');
    return null;
  }
  let record: NonNullable<TrainState['best']> = { step: best.step, path: best.path, scores: best.scores, full_eval: best.full_eval ?? false };
  if (cfg.finalEval && !record.full_eval) {
    log(`final evaluation of the best checkpoint (step ${best.step}) on the full suite`);
    try {
      const o = await scorer.score({ step: best.step, path: best.path }, 'full');
      record = { step: best.step, path: best.path, scores: recordScores(o), full_eval: true };
      log(`final: ${describeScores(o.scores)} in ${o.seconds.toFixed(1)}s`);
    } catch (e) {
      log(`final evaluation failed: ${(e as Error).message} (best checkpoint kept with its intermediate scores)`);
    }
  }
  log(`best checkpoint: step ${best.step} ${best.path}`);
  return record;
}
