// The embedded trainer behind the Trainer interface: finetune() in this process (QLoRA over an NF4
// base, or LoRA over fp32), stopping at the requested step through onCheckpoint and resuming exactly
// from the previous rung's checkpoint (same options, same schedule length: finetune refuses a resume
// whose options differ). Rung steps must be multiples of `checkpointEvery`.
import { finetune, type FinetuneOptions } from '../../model/train/finetune.js';
import type { ArmValue } from './arms.js';
import type { TrainOutcome, TrainRequest, Trainer } from './trainer.js';

/** The finetune options a ranking or sweep fixes for every candidate. */
export type EmbeddedTrainerOptions = Pick<FinetuneOptions, 'base' | 'quant' | 'lr' | 'batchSize' | 'loraR' | 'loraAlpha' | 'loraDropout' | 'warmupSteps' | 'weightDecay' | 'maxSeqLen' | 'useRslora'> & {
  checkpointEvery: number;
};

/** Trainer settings an arm may vary (its grid keys), by finetune's option names. */
const ARM_OPTIONS = ['lr', 'batchSize', 'loraR', 'loraAlpha', 'loraDropout', 'warmupSteps', 'weightDecay', 'maxSeqLen', 'useRslora'] as const;

function armOptions(params: Record<string, ArmValue> | undefined): Partial<FinetuneOptions> {
  const out: Record<string, ArmValue> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (!(ARM_OPTIONS as readonly string[]).includes(k)) throw new Error(`embedded trainer: "${k}" is not a trainer setting (expected ${ARM_OPTIONS.join(', ')})`);
    out[k] = v;
  }
  return out as Partial<FinetuneOptions>;
}

export function embeddedTrainer(options: EmbeddedTrainerOptions): Trainer {
  return {
    description: { kind: 'embedded', ...options },
    async train(req: TrainRequest): Promise<TrainOutcome> {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const res = await finetune({
          ...options,
          ...armOptions(req.params),
          data: req.data,
          out: req.outDir,
          seed: req.seed,
          maxSteps: req.maxSteps,
          resumeFrom: req.resumeFrom,
          maxTimeSeconds: req.maxSeconds ?? null,
          onCheckpoint: (step) => (step >= req.toStep ? 'stop' : 'continue'),
        });
        if (res.stopReason === 'non_finite_loss') return { ok: false, step: res.steps, error: res.error ?? 'non-finite loss', seconds: seconds() };
        if (res.steps < req.toStep || !res.lastCheckpoint) return { ok: false, step: res.steps, error: `stopped at step ${res.steps} of ${req.toStep} (${res.stopReason})`, seconds: seconds() };
        return { ok: true, step: res.steps, checkpoint: res.lastCheckpoint, seconds: seconds() };
      } catch (err) {
        return { ok: false, step: 0, error: (err as Error).message, seconds: seconds() };
      }
    },
  };
}
