// What a ranking of compositions (`mix rank`) or a sweep of arms asks of a trainer: bring one
// candidate to a step — from scratch, or from the checkpoint its previous rung left — and say where
// the adapter is. Two trainers implement it: the embedded one (model/train/finetune.ts in process,
// embedded-trainer.ts) and any external command through a template (template-trainer.ts). A
// candidate whose training fails is an outcome, not an exception: the ranking records it as crashed
// and goes on.
import type { ArmValue } from './arms.js';

export interface TrainRequest {
  /** The candidate's name (a composition or an arm id). */
  name: string;
  /** Training data, JSONL ({"prompt","completion"} rows). */
  data: string;
  /** The candidate's run folder; checkpoints are written as OUT/checkpoint-STEP. */
  outDir: string;
  seed: number;
  /** Train up to this step; the adapter there is the outcome. */
  toStep: number;
  /** The schedule's full length (warmup and decay are laid out over it, so a rung's checkpoint is the full run's). */
  maxSteps: number;
  /** The checkpoint to continue from (the candidate's previous rung), or null to start. */
  resumeFrom: string | null;
  /** Trainer settings of this candidate (a sweep arm's grid values); none for a composition. */
  params?: Record<string, ArmValue>;
  /** Give up after this many seconds (what is left of a deadline); the outcome is then a failure. */
  maxSeconds?: number;
  /** The GPU this run is given (`CUDA_VISIBLE_DEVICES` of a template trainer's process; {gpu} of a launcher). */
  gpu?: string;
}

export type TrainOutcome =
  | { ok: true; step: number; checkpoint: string; seconds: number }
  | { ok: false; step: number; error: string; seconds: number };

export interface Trainer {
  /** How it trains, for rank.json / sweep.json (kind, base, options or the template). */
  readonly description: Record<string, unknown>;
  train(req: TrainRequest): Promise<TrainOutcome>;
}
