// The embedded trainer behind the Trainer interface: finetune() in this process (QLoRA over an NF4
// base, or LoRA over fp32), stopping at the requested step through onCheckpoint and resuming exactly
// from the previous rung's checkpoint (same options, same schedule length: finetune refuses a resume
// whose options differ). Rung steps must be multiples of `checkpointEvery`.
import { finetune, type FinetuneOptions } from '../../model/train/finetune.js';
import { UserError } from '../../core/errors.js';
import { isProjection, PROJECTIONS, type Projection } from '../../model/llama/projections.js';
import type { ArmValue } from './arms.js';
import type { TrainOutcome, TrainRequest, Trainer } from './trainer.js';

/** The finetune options a ranking or sweep fixes for every candidate. */
export type EmbeddedTrainerOptions = Pick<FinetuneOptions, 'base' | 'quant' | 'lr' | 'batchSize' | 'loraR' | 'loraAlpha' | 'loraDropout' | 'warmupSteps' | 'weightDecay' | 'maxSeqLen' | 'useRslora' | 'targetModules'> & {
  checkpointEvery: number;
};

/** Trainer settings an arm may vary (its grid keys), by finetune's option names. */
const ARM_OPTIONS = ['lr', 'batchSize', 'loraR', 'loraAlpha', 'loraDropout', 'warmupSteps', 'weightDecay', 'maxSeqLen', 'useRslora', 'targetModules'] as const;

/** The short names a grid may use (`--grid "r=8,16 alpha=16,32 target=q_proj+v_proj,all"`), and finetune's flag names. */
export const ARM_ALIASES: Record<string, (typeof ARM_OPTIONS)[number]> = {
  r: 'loraR', lora_r: 'loraR', alpha: 'loraAlpha', lora_alpha: 'loraAlpha', dropout: 'loraDropout', lora_dropout: 'loraDropout',
  batch_size: 'batchSize', warmup: 'warmupSteps', warmup_steps: 'warmupSteps', weight_decay: 'weightDecay', max_seq_len: 'maxSeqLen',
  rslora: 'useRslora', target: 'targetModules', target_modules: 'targetModules',
};

/** "q_proj+v_proj" (or "q_proj,v_proj"), or "all" / "attn" / "mlp". */
function targetModules(v: ArmValue): Projection[] {
  const s = String(v);
  if (s === 'all') return [...PROJECTIONS];
  if (s === 'attn') return ['q_proj', 'k_proj', 'v_proj', 'o_proj'];
  if (s === 'mlp') return ['gate_proj', 'up_proj', 'down_proj'];
  const list = s.split(/[+,]/).map((x) => x.trim()).filter(Boolean);
  const bad = list.filter((x) => !isProjection(x));
  if (bad.length || list.length === 0) throw new UserError(`embedded trainer: target "${s}": unknown projection ${bad.join(', ') || '(none)'} (expected ${PROJECTIONS.join('+')}, all, attn or mlp)`);
  return list as Projection[];
}

/** An arm's settings as finetune options; an unknown key or a bad value is a UserError naming it. */
export function armSettings(params: Record<string, ArmValue> | undefined): Partial<FinetuneOptions> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    const name = ARM_ALIASES[k] ?? k;
    if (!(ARM_OPTIONS as readonly string[]).includes(name)) throw new UserError(`embedded trainer: "${k}" is not a trainer setting (expected ${[...Object.keys(ARM_ALIASES), ...ARM_OPTIONS].join(', ')})`);
    if (name === 'targetModules') out[name] = targetModules(v);
    else if (name === 'useRslora') {
      if (typeof v !== 'boolean') throw new UserError(`embedded trainer: "${k}" must be true or false, got ${v}`);
      out[name] = v;
    } else {
      if (typeof v !== 'number') throw new UserError(`embedded trainer: "${k}" must be a number, got "${v}"`);
      out[name] = v;
    }
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
          ...armSettings(req.params),
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
