// `evalfirst mix build MANIFEST --out DIR`: assembles a fine-tuning mix from a composition manifest
// (JSON or YAML; harness/mix/README.md describes it). `evalfirst mix diff A B`: what changed between
// two built mixes. Exit 0 ok, 2 usage or input error (the message names the manifest line).
import { Command } from 'commander';
import { resolve } from 'node:path';
import { resolveDataDir } from '../../core/paths.js';
import { buildMix } from '../mix/build.js';
import { diffMixes } from '../mix/diff.js';
import { renderBuild, renderDiff } from '../mix/render.js';

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

export function command(): Command {
  return new Command('mix')
    .description('dataset compositions: build a mix from a manifest, diff two mixes')
    .addCommand(buildCommand())
    .addCommand(diffCommand());
}
