// `evalfirst sweep`: LoRA arms (a --grid or an --arms file) fine-tuned from one base on one data file,
// scored by the harness at every rung, promoted on the halving state machine's rules (or ASHA with
// --parallel), inside one --deadline with the winner's final full evaluation held in reserve. Writes
// OUT/sweep.json and OUT/sweep.html and prints the arms table. Exit 0 a winner (and its final
// evaluation), 1 no winner (every arm crashed, or nothing scored in time), 2 usage or input error.
import { Command, Option } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT, UserError } from '../../core/errors.js';
import { parseDuration } from '../../core/duration.js';
import { NON_NEGATIVE_INT, POSITIVE_INT, numberFlag } from '../../core/number-flag.js';
import { resolveDataDir } from '../../core/paths.js';
import { defaultRunDir } from '../../core/run-dir.js';
import { TINY_BASE_PATH } from '../../model/assets/shipped.js';
import { MINI_FINETUNE_RECIPE } from '../../model/train/finetune.js';
import { loadSuite } from '../../tasks/suites/suite.js';
import type { ArmSpec } from '../sweep/arms.js';
import { armSettings, embeddedTrainer } from '../sweep/embedded-trainer.js';
import { armsFromFile, gridFromText } from '../sweep/grid-spec.js';
import { embeddedScorer } from '../sweep/harness-scorer.js';
import { PROMOTION_RULES, type PromotionRule } from '../sweep/promotion.js';
import { SWEEP_HTML } from '../sweep/sweep-report.js';
import { runSweep } from '../sweep/sweep-run.js';
import { placeholdersOf, templateTrainer, TEMPLATE_PLACEHOLDERS } from '../sweep/template-trainer.js';
import { renderSweepTable } from '../../reports/sweep-table.js';
import { renderSweepPage } from '../../reports/html/sweep-page.js';
import { colorWanted } from '../../reports/terminal-style.js';

export interface SweepFlags {
  base: string;
  data: string;
  suite: string;
  grid?: string;
  arms?: string;
  maxSteps: number;
  checkpointEvery: number;
  eta: number;
  rule: PromotionRule;
  deadline?: string;
  alpha: number;
  limit?: number;
  out?: string;
  trainerTemplate?: string;
  trainerCwd?: string;
  parallel?: number;
  gpus?: string;
  launcher?: string;
  grace: number;
  seed: number;
  quant: 'nf4' | 'none';
  lr: number;
  batchSize: number;
  loraR: number;
  loraAlpha: number;
  loraDropout: number;
  dataDir?: string;
  concurrency: number;
  json?: boolean;
  quiet?: boolean;
}

function armsOf(f: SweepFlags): ArmSpec[] {
  if ((f.grid === undefined) === (f.arms === undefined)) throw new UserError('sweep: give exactly one of --grid "KEY=V1,V2 …" and --arms FILE');
  const arms = f.grid !== undefined ? gridFromText(f.grid) : armsFromFile(f.arms!);
  return arms;
}

/** Workers' GPUs: --gpus as given, else 0..N-1 for --parallel N; null without --parallel. */
export function workerGpus(parallel: number | undefined, gpus: string | undefined): string[] | null {
  const list = gpus === undefined ? null : gpus.split(',').map((g) => g.trim()).filter(Boolean);
  if (list && list.length === 0) throw new UserError('--gpus: empty list');
  if (parallel === undefined) return list;
  if (list && list.length !== parallel) throw new UserError(`--gpus lists ${list.length} GPU(s), --parallel asks for ${parallel} workers`);
  return list ?? Array.from({ length: parallel }, (_, i) => String(i));
}

export async function runSweepCommand(f: SweepFlags, say: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const base = resolve(f.base);
  if (!existsSync(join(base, 'config.json'))) throw new UserError(`--base ${f.base}: not a model folder (no config.json); see \`evalfirst models\``);
  const data = resolve(f.data);
  if (!existsSync(data)) throw new UserError(`--data ${f.data}: no such file`);
  const arms = armsOf(f);
  const keys = [...new Set(arms.flatMap((a) => Object.keys(a.params)))];
  const gpus = workerGpus(f.parallel, f.gpus);
  if ((gpus || f.launcher !== undefined) && !f.trainerTemplate) throw new UserError(`${f.launcher !== undefined ? '--launcher' : '--parallel/--gpus'} needs --trainer-template: the embedded trainer runs inside this process, one arm at a time`);
  let trainer;
  if (f.trainerTemplate) {
    const clash = keys.filter((k) => (TEMPLATE_PLACEHOLDERS as readonly string[]).includes(k));
    if (clash.length) throw new UserError(`sweep: grid key ${clash.join(', ')} is a built-in placeholder of --trainer-template; name the setting otherwise`);
    const used = placeholdersOf(f.trainerTemplate);
    const unused = keys.filter((k) => !used.includes(k));
    if (unused.length) throw new UserError(`sweep: grid key ${unused.map((k) => `"${k}"`).join(', ')} is not used by --trainer-template (no {${unused[0]}}): its arms would train the same`);
    trainer = templateTrainer(f.trainerTemplate, { cwd: resolve(f.trainerCwd ?? process.cwd()), graceS: f.grace, paramKeys: keys, ...(f.launcher !== undefined ? { launcher: f.launcher } : {}) });
  } else {
    for (const a of arms) armSettings(a.params); // an unknown key or bad value: a UserError naming it, before anything runs
    trainer = embeddedTrainer({ base, quant: f.quant, lr: f.lr, batchSize: f.batchSize, loraR: f.loraR, loraAlpha: f.loraAlpha, loraDropout: f.loraDropout, checkpointEvery: f.checkpointEvery });
  }
  const suite = loadSuite(f.suite);
  const outDir = resolve(f.out ?? defaultRunDir(new Date(), 'runs', 'sweep'));
  const scorer = embeddedScorer({ base, quant: f.quant, entries: suite.entries, suite: f.suite, dataDir: resolveDataDir(f.dataDir), limit: f.limit, concurrency: f.concurrency, cachePath: join(outDir, 'cache.sqlite') });
  const log = f.quiet ? undefined : (l: string) => console.error(l);
  const report = await runSweep({
    arms,
    data,
    outDir,
    trainer,
    scorer,
    seed: f.seed,
    maxSteps: f.maxSteps,
    eta: f.eta,
    rule: f.rule,
    alpha: f.alpha,
    stepMultiple: f.checkpointEvery,
    deadlineS: f.deadline === undefined ? undefined : parseDuration(f.deadline),
    gpus,
    meta: { base, suite: f.suite, limit: f.limit ?? null, launcher: f.launcher ?? null },
    say: log,
  });
  writeFileSync(join(outDir, SWEEP_HTML), await renderSweepPage(report));
  say(f.json ? JSON.stringify(report, null, 2) : renderSweepTable(report, { color: colorWanted(), outDir }));
  return report.winner && report.final_evaluation ? EXIT.ok : EXIT.failed;
}

const HELP = `
Arms: --grid "r=8,16 alpha=16,32 lr=1e-3,3e-3 dropout=0,0.05 target=q_proj+v_proj,all" (every
combination, the last axis fastest) or --arms FILE.json|yaml (a list of {key: value} objects).
Embedded trainer keys: r, alpha, dropout, lr, batch_size, warmup, weight_decay, max_seq_len, rslora,
target (projections joined by +, or all / attn / mlp), or finetune's option names; any other key is an
error naming it. With --trainer-template every grid key is a {key} placeholder filled with the arm's
value (a key the template does not use is refused), beside {data} {out} {seed} {steps} {max_steps}
{resume} {name}; {out} is required (the adapter is the highest {out}/checkpoint-N with
adapter_config.json, or {out} itself).

Rungs: successive halving at checkpoint steps (multiples of --checkpoint-every); every active arm is
trained from its checkpoint to the rung's step and scored by the harness (embedded backend, the base
loaded once, adapters swapped; --limit N instances per run, the same for every arm; one request cache
in OUT/cache.sqlite). --rule decides (harness/sweep/README.md); losers are not resumed and keep their
checkpoints under OUT/runs/ARM/train. Before the first rung the base is scored on the full suite: that
time plus a margin is the reserve held back from --deadline for the winner's final full evaluation; a
rung the rest of the deadline cannot hold ends the sweep with the current leader. A crashed arm is
recorded as crashed and the sweep goes on.

--parallel N: N arms at a time (needs --trainer-template), each trainer process given
CUDA_VISIBLE_DEVICES=<its GPU> (--gpus 0,1,… or 0..N-1), promotions by ASHA (the top fraction of the
arms finished at a rung, as they finish); scoring is one at a time through the shared backend.
--launcher "srun --gpus=1 {cmd}" or "sbatch --wait --gres=gpu:1 --wrap {cmd}": each arm's trainer
command is wrapped for an external scheduler ({cmd} the shell-quoted trainer command, {name} the arm,
{gpu} its GPU). How the launched job reports: the launcher command must block until the job ends
(srun, sbatch --wait, ray job submit without --no-wait) and its exit status is the job's; the job
writes its checkpoints to {out} on a filesystem this machine sees, where the sweep finds the adapter.
It does not use a control endpoint. A job past the deadline is stopped by signalling the launcher's
process group (SIGTERM, --grace seconds, SIGKILL), which srun and sbatch --wait pass on to the job.

Output: OUT/sweep.json (arms, rungs, looks with 95 % intervals, decisions with reasons, compute,
winner, final evaluation), OUT/sweep.html (score vs compute, the halving tree), the table on stdout.
Exit codes: 0 a winner with its final evaluation; 1 no winner (every arm crashed, or nothing scored
before the deadline); 2 usage or input error.`;

export function command(): Command {
  const r = MINI_FINETUNE_RECIPE;
  return new Command('sweep')
    .description('LoRA sweep: arms over a grid or list, successive halving (or ASHA with --parallel) on harness scores with confidence bounds, one deadline; writes sweep.json and sweep.html; exit 0 winner, 1 none, 2 input error')
    .requiredOption('--data <file>', 'training data, JSONL (what finetune reads)')
    .option('--base <dir>', 'base model folder every arm fine-tunes', TINY_BASE_PATH)
    .option('--suite <name|file>', 'suite to score on', 'mini')
    .option('--grid <axes>', 'grid: space-separated KEY=V1,V2,… axes')
    .option('--arms <file>', 'arms file (.json, .yaml): a list of settings objects')
    .option('--max-steps <n>', 'optimizer steps of the full schedule (the last rung)', numberFlag('--max-steps', POSITIVE_INT), 60)
    .option('--checkpoint-every <n>', 'checkpoint interval; rung steps are multiples of it', numberFlag('--checkpoint-every', POSITIVE_INT), 10)
    .option('--eta <n>', 'keep 1/η of the arms per rung', numberFlag('--eta', { min: 2 }), 3)
    .addOption(new Option('--rule <rule>', 'promotion rule (harness/sweep/README.md)').choices([...PROMOTION_RULES]).default('extrapolate'))
    .option('--deadline <duration>', 'wall-clock budget of the whole sweep, e.g. 30m (the final evaluation\'s reserve is held back from it)')
    .option('--alpha <p>', 'error level of the confidence stops and of the finalists\' pairwise verdicts (Holm)', numberFlag('--alpha'), 0.05)
    .option('--limit <n>', 'at most n instances per run entry at each rung (HELM\'s seeded selection); the final evaluation uses all', numberFlag('--limit', POSITIVE_INT))
    .option('--out <dir>', 'output folder (default runs/<time>-sweep-<id>)')
    .option('--trainer-template <cmd>', 'external trainer command with {data} {out} {seed} {steps} {max_steps} {resume} {name} and {KEY} for each grid key; {out} required')
    .option('--trainer-cwd <dir>', 'working directory of the external trainer')
    .option('--parallel <n>', 'arms trained at a time (ASHA), one GPU each', numberFlag('--parallel', POSITIVE_INT))
    .option('--gpus <list>', 'GPU ids of the workers, e.g. 0,1,2,3 (default 0..N-1)')
    .option('--launcher <template>', 'wrap each trainer command for a scheduler: {cmd} {name} {gpu}')
    .option('--grace <seconds>', 'seconds between SIGTERM and SIGKILL when a trainer is stopped', numberFlag('--grace'), 30)
    .option('--seed <n>', 'seed of every arm (data order, LoRA init)', numberFlag('--seed', NON_NEGATIVE_INT), 0)
    .addOption(new Option('--quant <q>', 'base weights: nf4 (QLoRA) or none').choices(['nf4', 'none']).default('nf4'))
    .option('--lr <x>', 'embedded trainer: learning rate where the grid does not set it', numberFlag('--lr'), r.lr)
    .option('--batch-size <n>', 'embedded trainer: sequences per step', numberFlag('--batch-size', POSITIVE_INT), r.batchSize)
    .option('--lora-r <n>', 'embedded trainer: LoRA rank', numberFlag('--lora-r', POSITIVE_INT), r.loraR)
    .option('--lora-alpha <x>', 'embedded trainer: LoRA alpha', numberFlag('--lora-alpha'), r.loraAlpha)
    .option('--lora-dropout <p>', 'embedded trainer: LoRA dropout', numberFlag('--lora-dropout'), r.loraDropout)
    .option('--data-dir <dir>', 'benchmark data directory (default $EVALFIRST_DATA or the user cache)')
    .option('--concurrency <n>', 'requests in flight while scoring', numberFlag('--concurrency', POSITIVE_INT), 1)
    .option('--json', 'print sweep.json instead of the table')
    .option('--quiet', 'no progress lines on stderr')
    .addHelpText('after', HELP)
    .action(async (flags: SweepFlags) => {
      process.exitCode = await runSweepCommand(flags);
    });
}
