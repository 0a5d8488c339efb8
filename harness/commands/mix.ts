// `evalfirst mix build MANIFEST --out DIR`: assembles a fine-tuning mix from a composition manifest
// (JSON or YAML; harness/mix/README.md describes it). `evalfirst mix diff A B`: what changed between
// two built mixes. `evalfirst mix rank MANIFEST...`: fine-tunes the same base on each composition and
// ranks them with paired statistics (--ablate: leave one source out; --halving: successive halving
// within --deadline). Exit 0 ok, 1 nothing to rank (fewer than two compositions scored), 2 usage or
// input error (the message names the manifest line).
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT, UserError } from '../../core/errors.js';
import { parseDuration } from '../../core/duration.js';
import { NON_NEGATIVE_INT, POSITIVE_INT, numberFlag } from '../../core/number-flag.js';
import { resolveDataDir } from '../../core/paths.js';
import { defaultRunDir } from '../../core/run-dir.js';
import { TINY_BASE_PATH } from '../../model/assets/shipped.js';
import { MINI_FINETUNE_RECIPE } from '../../model/train/finetune.js';
import { loadSuite } from '../../tasks/suites/suite.js';
import { buildMix } from '../mix/build.js';
import { diffMixes } from '../mix/diff.js';
import { mixRank } from '../mix/rank.js';
import { renderBuild, renderDiff, renderRank } from '../mix/render.js';
import { embeddedTrainer } from '../sweep/embedded-trainer.js';
import { embeddedScorer } from '../sweep/harness-scorer.js';
import { PROMOTION_RULES, type PromotionRule } from '../sweep/promotion.js';
import { templateTrainer } from '../sweep/template-trainer.js';

interface BuildFlags {
  out: string;
  dataDir?: string;
  json?: boolean;
  quiet?: boolean;
}

function buildCommand(): Command {
  return new Command('build')
    .description('assemble a mix: sources mapped to prompt/completion, filtered, decontaminated, deduplicated, drawn by share or row count; writes data.jsonl, lineage.jsonl, removed.jsonl, mix.json')
    .argument('<manifest>', 'composition manifest (.json, .yaml or .yml)')
    .requiredOption('--out <dir>', 'folder to write the mix into')
    .option('--data-dir <dir>', 'benchmark data directory, for benchmark sources and decontamination suites (default: $EVALFIRST_DATA or the user cache)')
    .option('--json', 'print mix.json instead of the summary')
    .option('--quiet', 'no progress lines on stderr')
    .action(async (manifest: string, flags: BuildFlags) => {
      const outDir = resolve(flags.out);
      const { info } = await buildMix(manifest, outDir, { dataDir: resolveDataDir(flags.dataDir), log: flags.quiet ? undefined : (l) => console.error(l) });
      console.log(flags.json ? JSON.stringify(info, null, 2) : renderBuild(info, flags.out));
    });
}

function diffCommand(): Command {
  return new Command('diff')
    .description('compare two built mixes: rows per source, added/removed rows, length distributions, manifest changes')
    .argument('<a>', 'the older mix folder')
    .argument('<b>', 'the newer mix folder')
    .option('--json', 'print the diff as JSON')
    .action(async (a: string, b: string, flags: { json?: boolean }) => {
      const d = await diffMixes(a, b);
      console.log(flags.json ? JSON.stringify(d, null, 2) : renderDiff(d));
    });
}

interface RankFlags {
  out?: string;
  suite: string;
  limit?: number;
  base: string;
  quant: 'nf4' | 'none';
  trainerTemplate?: string;
  trainerCwd?: string;
  steps: number;
  seed: number;
  lr: number;
  batchSize: number;
  loraR: number;
  loraAlpha: number;
  loraDropout: number;
  checkpointEvery: number;
  alpha: number;
  ablate?: boolean;
  halving?: boolean;
  eta: number;
  rule: PromotionRule;
  deadline?: string;
  dataDir?: string;
  concurrency: number;
  json?: boolean;
  quiet?: boolean;
}

export async function runMixRank(inputs: string[], f: RankFlags, say: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const base = resolve(f.base);
  if (!existsSync(join(base, 'config.json'))) throw new UserError(`--base ${f.base}: not a model folder (no config.json); see \`evalfirst models\``);
  if (f.halving && f.steps % f.checkpointEvery !== 0) throw new UserError(`--steps ${f.steps} must be a multiple of --checkpoint-every ${f.checkpointEvery} with --halving (rungs end on checkpoints)`);
  const trainer = f.trainerTemplate
    ? templateTrainer(f.trainerTemplate, { cwd: resolve(f.trainerCwd ?? process.cwd()) })
    : embeddedTrainer({ base, quant: f.quant, lr: f.lr, batchSize: f.batchSize, loraR: f.loraR, loraAlpha: f.loraAlpha, loraDropout: f.loraDropout, checkpointEvery: f.halving ? f.checkpointEvery : f.steps });
  const suite = loadSuite(f.suite);
  const dataDir = resolveDataDir(f.dataDir);
  const scorer = embeddedScorer({ base, quant: f.quant, entries: suite.entries, suite: f.suite, dataDir, limit: f.limit, concurrency: f.concurrency });
  const outDir = resolve(f.out ?? defaultRunDir(new Date(), 'runs', 'mix-rank'));
  const log = f.quiet ? undefined : (l: string) => console.error(l);
  const report = await mixRank({
    inputs,
    outDir,
    assemble: { dataDir, log },
    trainer,
    scorer,
    seed: f.seed,
    steps: f.steps,
    alpha: f.alpha,
    ablate: f.ablate === true,
    halving: f.halving ? { eta: f.eta, rule: f.rule, stepMultiple: f.checkpointEvery } : null,
    deadlineS: f.deadline === undefined ? undefined : parseDuration(f.deadline),
    say: log,
  });
  say(f.json ? JSON.stringify(report, null, 2) : renderRank(report, outDir));
  return report.ranking ? EXIT.ok : EXIT.failed;
}

function rankCommand(): Command {
  const r = MINI_FINETUNE_RECIPE;
  return new Command('rank')
    .description('fine-tune the same base on each composition (one seed, one budget), score each on the suite, rank them with paired intervals (Holm); exit 0 ranked, 1 fewer than two scored, 2 usage or input error')
    .argument('<inputs...>', 'composition manifests (.json/.yaml), or folders `mix build` wrote')
    .option('--out <dir>', 'folder for compositions/, runs/ (checkpoints, evaluations) and rank.json (default runs/<time>-mix-rank-<id>)')
    .option('--suite <name|file>', 'suite to score on', 'mini')
    .option('--limit <n>', 'at most n instances per run entry (HELM\'s seeded selection, the same for every composition)', numberFlag('--limit', POSITIVE_INT))
    .option('--base <dir>', 'base model folder every composition fine-tunes (and the adapters apply to)', TINY_BASE_PATH)
    .addOption(new Option('--quant <q>', 'base weights: nf4 (QLoRA) or none').choices(['nf4', 'none']).default('nf4'))
    .option('--trainer-template <cmd>', 'external trainer instead of the embedded one, with {data} {out} {seed} {steps} (also {max_steps} {resume} {name}); {out} is required')
    .option('--trainer-cwd <dir>', 'working directory of the external trainer')
    .option('--steps <n>', 'optimizer steps per composition', numberFlag('--steps', POSITIVE_INT), 200)
    .option('--seed <n>', 'seed of every run (data order, LoRA init)', numberFlag('--seed', NON_NEGATIVE_INT), 0)
    .option('--lr <x>', 'embedded trainer: peak learning rate', numberFlag('--lr'), r.lr)
    .option('--batch-size <n>', 'embedded trainer: sequences per step', numberFlag('--batch-size', POSITIVE_INT), r.batchSize)
    .option('--lora-r <n>', 'embedded trainer: LoRA rank', numberFlag('--lora-r', POSITIVE_INT), r.loraR)
    .option('--lora-alpha <x>', 'embedded trainer: LoRA alpha', numberFlag('--lora-alpha'), r.loraAlpha)
    .option('--lora-dropout <p>', 'embedded trainer: LoRA dropout', numberFlag('--lora-dropout'), r.loraDropout)
    .option('--checkpoint-every <n>', 'checkpoint interval (halving rungs end on checkpoints)', numberFlag('--checkpoint-every', POSITIVE_INT), 10)
    .option('--alpha <p>', 'family-wise error of the pairwise verdicts (Holm) and of halving\'s confidence stops', numberFlag('--alpha'), 0.05)
    .option('--ablate', 'one manifest: also train it without each source in turn and show which source helps which task')
    .option('--halving', 'successive halving over the compositions: train all briefly, keep the better 1/η, continue')
    .option('--eta <n>', 'halving: keep 1/η of the compositions per rung', numberFlag('--eta', { min: 2 }), 2)
    .addOption(new Option('--rule <rule>', 'halving: promotion rule (harness/sweep/README.md)').choices([...PROMOTION_RULES]).default('confidence+budget'))
    .option('--deadline <duration>', 'wall-clock budget, e.g. 10m (halving ends a rung it cannot hold with the current leader)')
    .option('--data-dir <dir>', 'benchmark data directory (default $EVALFIRST_DATA or the user cache)')
    .option('--concurrency <n>', 'requests in flight while scoring', numberFlag('--concurrency', POSITIVE_INT), 1)
    .option('--json', 'print rank.json instead of the table')
    .option('--quiet', 'no progress lines on stderr')
    .action(async (inputs: string[], flags: RankFlags) => {
      process.exitCode = await runMixRank(inputs, flags);
    });
}

export function command(): Command {
  return new Command('mix')
    .description('dataset compositions: build a mix from a manifest, diff two mixes, rank compositions by fine-tuning on each')
    .addCommand(buildCommand())
    .addCommand(diffCommand())
    .addCommand(rankCommand());
}
