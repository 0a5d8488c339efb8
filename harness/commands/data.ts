// `evalfirst data`: the benchmark files. `fetch` downloads the pinned originals into the data dir,
// `verify` checks a directory against the pins, `list` shows what is pinned and what is present,
// `mini` writes the synthetic mini-challenge data (tasks/mini).
import { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fetchArchive } from '../data/archive.js';
import { fetchPins, type FetchResult } from '../data/fetch.js';
import { pinsBySource, selectSources } from '../data/sources.js';
import { missingByBenchmark, verifyExitCode, verifyPins } from '../data/verify.js';
import { resolveDataDir } from '../../core/paths.js';
import { writeMiniData } from '../../tasks/mini/write-data.js';
import { UserError } from '../../core/errors.js';
import type { ArchiveSpec, DataSource, FilePin } from '../../tasks/data-source.js';
import { SCENARIO_MODULES } from '../../tasks/scenarios/all.js';
import { ETHICS_UPSTREAM_DATA } from '../../tasks/scenarios/ethics-data.js';
import { AUGMENTATION_DATA } from '../../tasks/augment/resources.js';
import { PUNKT_TAB_DATA } from '../../tasks/text/punkt-data.js';
import { ORGANISER_RESULTS_DATA } from '../../reports/leaderboard/organiser-files.js';

/**
 * Every data source the data commands know: each scenario module's own `data` (a new scenario is
 * covered by its line in tasks/scenarios/all.ts), then the files that belong to no scenario, each
 * declared by its owner. A resource of that kind is one more line here.
 */
export const DATA_SOURCES: readonly DataSource[] = [
  ...SCENARIO_MODULES.flatMap((m) => (m.data ? [m.data] : [])),
  ETHICS_UPSTREAM_DATA, // the upstream ETHICS files the fidelity tests read
  AUGMENTATION_DATA, // HELM's perturbation word lists (data_augmentation=canonical)
  ORGANISER_RESULTS_DATA, // the organisers' published rankings (evalfirst leaderboard)
  PUNKT_TAB_DATA, // nltk's English Punkt parameters (sam_sum/cnndm bias metrics)
];

function unpinnedReason(source: DataSource): string {
  return (source.unpinned ?? []).map((u) => u.reason).join('; ');
}

function summarize(results: FetchResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
}

/** An archive is needed when a member pin is missing or wrong (MMLU, punkt_tab), or its tree is absent (MATH). */
async function needsArchive(dataDir: string, archive: ArchiveSpec, pins: FilePin[]): Promise<boolean> {
  const members = pins.filter((p) => p.url === null);
  if (members.length > 0) return (await verifyPins(dataDir, [['', members]])).some((r) => r.status !== 'ok' && r.status !== 'unverified');
  return archive.members.some((m) => !existsSync(join(dataDir, archive.into, m)));
}

function fetchCommand(): Command {
  return new Command('fetch')
    .description('download benchmark files from their pinned URLs into the data dir (verified by sha256; resumes partial downloads)')
    .argument('[benchmark...]', 'benchmarks to fetch (default: all; see `evalfirst data list`)')
    .option('--data-dir <dir>', 'data directory (default: $EVALFIRST_DATA or <cache>/evalfirst/data)')
    .option('--attempts <n>', 'attempts per file on network errors', (v) => Number.parseInt(v, 10), 4)
    .action(async (benchmarks: string[], flags: { dataDir?: string; attempts: number }) => {
      const dataDir = resolveDataDir(flags.dataDir);
      const log = (line: string) => console.log(line);
      const all: FetchResult[] = [];
      for (const source of selectSources(benchmarks, DATA_SOURCES)) {
        const { name, archive } = source;
        const pins = [...source.pins];
        if (archive && (await needsArchive(dataDir, archive, pins))) {
          console.log(`${name}: archive ${archive.archive.url}`);
          const r = await fetchArchive(archive, { dataDir, attempts: flags.attempts, log });
          log(`${r.status.padEnd(21)} ${r.path}${r.detail ? `  (${r.detail})` : ''}`);
          all.push(r);
        }
        if (pins.length === 0) {
          if (!archive) console.log(`${name}: no pinned files: ${unpinnedReason(source)}`);
          continue;
        }
        console.log(`${name} → ${dataDir}`);
        all.push(...(await fetchPins(pins, { dataDir, attempts: flags.attempts, log })));
      }
      console.log(`done: ${summarize(all) || 'nothing to fetch'}`);
      const failed = all.filter((r) => r.status === 'failed');
      if (failed.length > 0) throw new UserError(`${failed.length} file(s) failed: ${failed.map((f) => f.path).join(', ')}`, 1);
    });
}

function verifyCommand(): Command {
  return new Command('verify')
    .description('check a data directory against the pins: ok / mismatch / missing / unverified (exit 0 ok, 1 a mismatch, 3 a benchmark only partly present; benchmarks absent altogether are a note unless --strict)')
    .argument('<dir>', 'data directory, e.g. ../shared/datasets')
    .argument('[benchmark...]', 'benchmarks to check (default: all)')
    .option('--quiet', 'print only problems and the summary')
    .option('--strict', 'a benchmark absent altogether fails too (exit 3)')
    .action(async (dir: string, benchmarks: string[], flags: { quiet?: boolean; strict?: boolean }) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`data verify: ${dir} is not a directory`);
      const rows = await verifyPins(dir, pinsBySource(selectSources(benchmarks, DATA_SOURCES)));
      for (const r of rows) {
        if (flags.quiet && (r.status === 'ok' || r.status === 'unverified')) continue;
        console.log(`${r.status.padEnd(10)} ${r.benchmark.padEnd(22)} ${r.path}${r.detail ? `  (${r.detail})` : ''}`);
      }
      const count = (s: string) => rows.filter((r) => r.status === s).length;
      console.log(`${count('ok')} ok, ${count('mismatch')} mismatched, ${count('missing')} missing, ${count('unverified')} present but unverifiable (no pinned checksum)`);
      const { absent, incomplete } = missingByBenchmark(rows);
      if (absent.length) console.log(`not in ${dir} at all (${flags.strict ? 'a failure with --strict' : 'a note, not a failure; --strict makes it one'}): ${absent.join(', ')}`);
      if (incomplete.length) console.log(`only partly present (a failure: their runs cannot run whole): ${incomplete.join(', ')}`);
      process.exitCode = verifyExitCode(rows, { strict: flags.strict });
    });
}

function listCommand(): Command {
  return new Command('list')
    .description('list the pinned benchmarks, their files and sources, and what the data dir holds')
    .option('--data-dir <dir>', 'data directory (default: $EVALFIRST_DATA or <cache>/evalfirst/data)')
    .action((flags: { dataDir?: string }) => {
      const dataDir = resolveDataDir(flags.dataDir);
      console.log(`data dir: ${dataDir}`);
      for (const source of DATA_SOURCES) {
        const { name, pins } = source;
        if (pins.length === 0) {
          console.log(`${name.padEnd(22)} not pinned: ${unpinnedReason(source)}`);
          continue;
        }
        const present = pins.filter((p) => existsSync(join(dataDir, ...p.path.split('/')))).length;
        const verifiable = pins.filter((p) => p.sha256 || p.gitBlobSha1).length;
        const hosts = [...new Set(pins.map((p) => (p.url ? new URL(p.url).host : 'archive member')))].join(', ');
        console.log(`${name.padEnd(22)} ${String(pins.length).padStart(4)} files  ${String(verifiable).padStart(4)} with checksum  ${String(present).padStart(4)} present  from ${hosts}`);
      }
    });
}

function miniCommand(): Command {
  return new Command('mini')
    .description('write the synthetic mini-challenge data set (tasks/mini) to a directory')
    .requiredOption('--out <dir>', 'output directory')
    .action(async (flags: { out: string }) => {
      const files = await writeMiniData(flags.out);
      for (const f of files) console.log(f);
      console.log(`wrote ${files.length} files to ${flags.out}`);
    });
}

export function command(): Command {
  return new Command('data')
    .description('benchmark files: fetch (download pinned originals), verify (check a directory), list, mini')
    .addCommand(fetchCommand())
    .addCommand(verifyCommand())
    .addCommand(listCommand())
    .addCommand(miniCommand());
}

