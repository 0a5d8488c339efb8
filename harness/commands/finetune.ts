// `evalfirst finetune`: QLoRA (or LoRA) fine-tuning of a LLaMA base in HF safetensors form on JSONL
// instruction data, writing PEFT checkpoints (OUT/checkpoint-STEP) that resume exactly.
import { Command, Option } from 'commander';
import { UserError } from '../../core/errors.js';
import { finetune } from '../../model/train/finetune.js';
import { numberFlag, NON_NEGATIVE_INT } from '../../core/number-flag.js';
import { controlClientFromEnv } from '../supervisor/control-client.js';



export function command(): Command {
  return new Command('finetune')
    .description('QLoRA fine-tuning of a LLaMA base (HF safetensors folder) on JSONL data ({"prompt","completion"} or {"instruction","input","output"} rows)')
    .requiredOption('--base <dir>', 'base model folder (config.json, model.safetensors, tokenizer.json); see `evalfirst models`')
    .requiredOption('--data <file>', 'training data, JSONL')
    .requiredOption('--out <dir>', 'output folder for checkpoints')
    .option('--max-steps <n>', 'optimizer steps', numberFlag('--max-steps', NON_NEGATIVE_INT), 200)
    .option('--max-time <seconds>', 'stop (after a checkpoint) once this much time has passed', numberFlag('--max-time'))
    .option('--checkpoint-every <n>', 'save a checkpoint every n steps', numberFlag('--checkpoint-every', NON_NEGATIVE_INT), 50)
    .option('--batch-size <n>', 'sequences per step (gradient accumulation)', numberFlag('--batch-size', NON_NEGATIVE_INT), 8)
    .option('--lr <lr>', 'peak learning rate (warmup then cosine)', numberFlag('--lr'), 2e-4)
    .option('--lora-r <r>', 'LoRA rank', numberFlag('--lora-r', NON_NEGATIVE_INT), 8)
    .option('--lora-alpha <a>', 'LoRA alpha (scaling alpha/r)', numberFlag('--lora-alpha'), 16)
    .option('--lora-dropout <p>', 'LoRA dropout', numberFlag('--lora-dropout'), 0.05)
    .option('--rslora', 'rank-stabilized scaling alpha/sqrt(r)')
    .option('--target-modules <list>', 'comma-separated projections', 'q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj')
    .addOption(new Option('--quant <q>', 'base weights: nf4 (QLoRA) or none (LoRA over fp32)').choices(['nf4', 'none']).default('nf4'))
    .option('--max-seq-len <n>', 'training window in tokens (default: the model context)', numberFlag('--max-seq-len', NON_NEGATIVE_INT))
    .addOption(new Option('--overlong <policy>', 'rows longer than the window').choices(['truncate', 'skip']).default('truncate'))
    .option('--seed <s>', 'seed for data order, LoRA init and dropout', numberFlag('--seed', NON_NEGATIVE_INT), 0)
    .option('--resume <dir>', 'continue exactly from a checkpoint folder of a run with the same options')
    .action(async (o) => {
      const control = controlClientFromEnv();
      const started = Date.now();
      const res = await finetune({
        base: o.base, data: o.data, out: o.out, maxSteps: o.maxSteps, maxTimeSeconds: o.maxTime ?? null, checkpointEvery: o.checkpointEvery,
        batchSize: o.batchSize, lr: o.lr, loraR: o.loraR, loraAlpha: o.loraAlpha, loraDropout: o.loraDropout, useRslora: o.rslora === true,
        targetModules: String(o.targetModules).split(',').map((s: string) => s.trim()).filter(Boolean) as never, quant: o.quant, maxSeqLen: o.maxSeqLen,
        overlong: o.overlong, seed: o.seed, resumeFrom: o.resume ?? null,
        onLog: (e) => console.log(`step ${e.step}  loss ${e.loss.toFixed(4)}  lr ${e.learning_rate.toExponential(2)}  grad_norm ${e.grad_norm.toFixed(3)}  ${e.elapsed_s.toFixed(0)}s`),
        // Under `evalfirst train` the checkpoint is reported to the supervisor, and training waits
        // (paused, not competing for the cores) until it is scored and the answer says go on or stop.
        onCheckpoint: async (step, path, saveS) => {
          console.log(`checkpoint ${step}: ${path} (saved in ${saveS.toFixed(2)} s)`);
          if (!control) return 'continue';
          const action = await control.report(step, path, undefined, saveS);
          console.log(`supervisor: ${action}`);
          return action === 'stop' ? 'stop' : 'continue';
        },
      });
      const d = res.data;
      console.log(`data: ${d.rows} rows, ${d.used} used, ${d.truncated} truncated, ${d.skipped} skipped (longer than the window)`);
      console.log(`${res.steps} steps, stop: ${res.stopReason}, ${res.tokensPerSecond.toFixed(0)} tokens/s, ${((Date.now() - started) / 1000).toFixed(0)} s, ${res.trainableParameters} trainable parameters`);
      if (res.lastCheckpoint) console.log(`adapter: ${res.lastCheckpoint}`);
      if (res.stopReason === 'non_finite_loss') throw new UserError(res.error ?? 'non-finite loss', 3);
    });
}
