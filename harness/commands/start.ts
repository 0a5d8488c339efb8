// `evalfirst start` (what `npm start` runs): the closed loop on the embedded default, with no GPU
// and no network. QLoRA fine-tuning of the shipped tiny base on the mini-challenge's instruction
// data, every checkpoint scored on the mini suite by the embedded runtime (base loaded once,
// adapters switched), training stopped by the score target or a short deadline, report written.
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TINY_BASE_PATH } from '../../model/assets/shipped.js';
import { UserError } from '../../core/errors.js';
import { runTrain } from './train.js';
import { MINI_FINETUNE_RECIPE } from '../../model/train/finetune.js';
import { defaultRunDir } from '../../core/run-dir.js';
import { writeMiniData } from '../../tasks/mini/write-data.js';

const TINY_BASE = TINY_BASE_PATH;

/** The command line that runs this same CLI (compiled or under tsx) with other arguments. */
export function selfCommand(args: string[]): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [process.execPath, ...process.execArgv, process.argv[1], ...args].map(q).join(' ');
}

export interface StartOptions {
  out?: string;
  deadline: string;
  target: string;
  maxSteps: string;
  checkpointEvery: string;
  seed: string;
}

export function command(): Command {
  return new Command('start')
    .description('the main job on the embedded default: fine-tune the tiny base with QLoRA on the mini-challenge, score every checkpoint, stop at the target or the deadline, write the report')
    .option('--out <dir>', 'run directory (default runs/start-<time>)')
    .option('--deadline <duration>', 'wall-clock budget for the whole loop', '6m')
    .option('--target <expr>', 'stop when met on the lower confidence bound', 'mini_bbq >= 0.8')
    .option('--max-steps <n>', 'training steps at most', String(MINI_FINETUNE_RECIPE.maxSteps))
    .option('--checkpoint-every <n>', 'steps between checkpoints', String(MINI_FINETUNE_RECIPE.checkpointEvery))
    .option('--seed <n>', 'training seed', '0')
    .action(async (o: StartOptions) => {
      if (!existsSync(join(TINY_BASE, 'model.safetensors'))) {
        throw new UserError(`the shipped tiny base is missing at ${TINY_BASE} (npm run pretrain-base rebuilds it)`);
      }
      const runDir = resolve(o.out ?? defaultRunDir(new Date(), 'runs', 'start'));
      const files = await writeMiniData(join(runDir, 'data'));
      const train = files.find((f) => f.endsWith('train.jsonl')) ?? join(runDir, 'data', 'train.jsonl');
      const ckptDir = join(runDir, 'checkpoints');
      console.log('evalfirst start: QLoRA fine-tuning of the shipped tiny base on the mini-challenge, scored as it trains.');
      console.log(`  base ${TINY_BASE}\n  data ${train}\n  run  ${runDir}`);
      console.log(`  (interrupted? evalfirst train --resume ${runDir} carries on: the trainer keeps its place)`);
      const trainer = selfCommand([
        'finetune', '--base', TINY_BASE, '--data', train, '--out', ckptDir, '--quant', MINI_FINETUNE_RECIPE.quant,
        '--lr', String(MINI_FINETUNE_RECIPE.lr), '--batch-size', String(MINI_FINETUNE_RECIPE.batchSize),
        '--lora-r', String(MINI_FINETUNE_RECIPE.loraR), '--lora-alpha', String(MINI_FINETUNE_RECIPE.loraAlpha),
        '--lora-dropout', String(MINI_FINETUNE_RECIPE.loraDropout),
        '--max-steps', o.maxSteps, '--checkpoint-every', o.checkpointEvery, '--seed', o.seed,
      ]);
      const code = await runTrain({
        trainer, // reports each checkpoint to the control endpoint and waits for the verdict
        out: runDir,
        suite: 'mini',
        target: o.target,
        deadline: o.deadline,
        grace: '10s',
        marginFloor: '10s',
        scoreWith: 'embedded',
        base: TINY_BASE,
        quant: 'nf4',
        baseline: TINY_BASE,
        concurrency: 1,
      });
      // The demo succeeds whether or not the target was met (train's exit code 1); a crash is a failure.
      process.exitCode = code === 1 ? 0 : code;
      console.log(code === 1 ? 'target not met within the budget (see the decisions above).' : '');
      console.log(`report: ${join(runDir, 'report.html')}`);
    });
}
