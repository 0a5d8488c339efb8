// `evalfirst finetune`: QLoRA (or LoRA) fine-tuning of a LLaMA base in HF safetensors form on JSONL
// instruction data, writing PEFT checkpoints (OUT/checkpoint-STEP) that resume exactly. Under
// `evalfirst train` each checkpoint is reported to the supervisor; if it stays unreachable for the
// retry budget the run stops cleanly with the checkpoint on disk, and a resumed supervisor starts
// it again with EVALFIRST_RESUME=1 to continue from the last complete checkpoint.
import { Command, Option } from 'commander';
import { UserError } from '../../core/errors.js';
import { finetune, resumePoint } from '../../model/train/finetune.js';
import { numberFlag, NON_NEGATIVE_INT } from '../../core/number-flag.js';
import { controlClientFromEnv, SupervisorUnreachable } from '../supervisor/control-client.js';
import { statusLine } from '../../reports/terminal-status.js';
import { trainProgressLine } from '../supervisor/training-progress.js';
import type { LogEntry } from '../../model/train/checkpoint.js';
import { RESUME_ENV } from '../supervisor/control-server.js';

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
    .option('--resume <dir|latest>', 'continue exactly from a checkpoint folder of a run with the same options (latest: the last complete one in --out)')
    .action(async (o) => {
      const control = controlClientFromEnv(process.env, { onRetry: (ms, e) => console.log(`supervisor unreachable (${e}); trying again in ${(ms / 1000).toFixed(1)} s`) });
      const resumeFrom = resumePoint(o.out, o.resume, process.env[RESUME_ENV] === '1');
      if (resumeFrom !== null) console.log(`resume: continuing from ${resumeFrom}`);
      else if (process.env[RESUME_ENV] === '1') console.log(`resume: no complete checkpoint in ${o.out}; starting from step 0`);
      let unreachable = false;
      const started = Date.now();
      // Progress in place on a terminal; under `train` (stdout is a log file) a plain line per log entry.
      const status = statusLine(process.stdout, 0);
      let prevLog: LogEntry | null = null;
      const res = await finetune({
        base: o.base, data: o.data, out: o.out, maxSteps: o.maxSteps, maxTimeSeconds: o.maxTime ?? null, checkpointEvery: o.checkpointEvery,
        batchSize: o.batchSize, lr: o.lr, loraR: o.loraR, loraAlpha: o.loraAlpha, loraDropout: o.loraDropout, useRslora: o.rslora === true,
        targetModules: String(o.targetModules).split(',').map((s: string) => s.trim()).filter(Boolean) as never, quant: o.quant, maxSeqLen: o.maxSeqLen,
        overlong: o.overlong, seed: o.seed, resumeFrom, reportResumePoint: control !== null,
        onLog: (e) => {
          status.set(trainProgressLine(e, prevLog, { maxSteps: o.maxSteps, checkpointEvery: o.checkpointEvery }));
          prevLog = e;
        },
        // Under `evalfirst train` the checkpoint is reported to the supervisor, and training waits
        // (paused, not competing for the cores) until it is scored and the answer says go on or stop.
        onCheckpoint: async (step, path, saveS) => {
          status.log(`checkpoint ${step}: ${path}${saveS === undefined ? ' (resumed from)' : ` (saved in ${saveS.toFixed(2)} s)`}`);
          if (!control) return 'continue';
          let action: 'continue' | 'stop';
          try {
            action = await control.report(step, path, undefined, saveS);
          } catch (e) {
            if (!(e instanceof SupervisorUnreachable)) throw e;
            unreachable = true;
            status.log(`supervisor: ${e.message}; stopping with checkpoint ${step} kept at ${path} (evalfirst train --resume RUN_DIR continues the run)`);
            return 'stop';
          }
          status.log(`supervisor: ${action}`);
          return action === 'stop' ? 'stop' : 'continue';
        },
      });
      status.done();
      const d = res.data;
      console.log(`data: ${d.rows} rows, ${d.used} used, ${d.truncated} truncated, ${d.skipped} skipped (longer than the window)`);
      console.log(`${res.steps} steps, stop: ${unreachable ? 'supervisor_unreachable' : res.stopReason}, ${res.tokensPerSecond.toFixed(0)} tokens/s, ${((Date.now() - started) / 1000).toFixed(0)} s, ${res.trainableParameters} trainable parameters`);
      if (res.lastCheckpoint) console.log(`adapter: ${res.lastCheckpoint}`);
      if (res.stopReason === 'non_finite_loss') throw new UserError(res.error ?? 'non-finite loss', 3);
    });
}
