// The compositions `mix rank` trains: each manifest built into OUT/compositions/NAME (mix build's four
// files), or a folder `mix build` already wrote (its mix.json is read, nothing rebuilt). For
// `--ablate`, one manifest and its leave-one-source-out variants: with shares the remaining shares
// are scaled up to sum to 1 (the total stays: another source's rows take the place), with row counts
// the others keep theirs (the mix shrinks). Each source draws from its own seeded stream, so the
// rows of the sources left in are the same draws as in the full mix wherever the counts allow.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import { assembleMix, type AssembleOptions, type MixInfo } from './assemble.js';
import { MIX_FILES, loadManifest, writeMix } from './build.js';
import type { MixManifest } from './manifest.js';

export interface Composition {
  name: string;
  /** The manifest file or built mix folder given. */
  input: string;
  /** The built mix folder (data.jsonl, lineage.jsonl, removed.jsonl, mix.json). */
  dir: string;
  data: string;
  version: string;
  rows: number;
  sources: { name: string; rows: number }[];
  /** For an ablation variant: the composition it comes from and the source left out. */
  ablation: { of: string; without: string } | null;
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '-');

function fromInfo(name: string, input: string, dir: string, info: MixInfo, ablation: Composition['ablation']): Composition {
  return { name, input, dir, data: join(dir, MIX_FILES.data), version: info.version, rows: info.rows, sources: info.sources.map((s) => ({ name: s.name, rows: s.written })), ablation };
}

function readBuilt(dir: string): MixInfo {
  const file = join(dir, MIX_FILES.info);
  if (!existsSync(file) || !existsSync(join(dir, MIX_FILES.data))) throw new UserError(`${dir}: not a built mix (no ${MIX_FILES.info} and ${MIX_FILES.data}); give a manifest or a folder \`evalfirst mix build\` wrote`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as MixInfo;
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

async function build(manifest: MixManifest, name: string, input: string, outDir: string, opts: AssembleOptions, ablation: Composition['ablation']): Promise<Composition> {
  const dir = join(outDir, 'compositions', name);
  const info = writeMix(dir, await assembleMix(manifest, opts));
  return fromInfo(name, input, dir, info, ablation);
}

function nameOf(input: string, declared: string | null): string {
  return safeName(declared ?? basename(input, extname(input)));
}

function checkUnique(comps: readonly Composition[]): void {
  const seen = new Map<string, string>();
  for (const c of comps) {
    const prior = seen.get(c.name);
    if (prior !== undefined) throw new UserError(`two compositions are named "${c.name}" (${prior} and ${c.input}); give each manifest its own "name"`);
    seen.set(c.name, c.input);
  }
}

/** Builds (or reads) every composition given, in order. */
export async function prepareCompositions(inputs: readonly string[], outDir: string, opts: AssembleOptions): Promise<Composition[]> {
  const comps: Composition[] = [];
  for (const raw of inputs) {
    const input = resolve(raw);
    if (!existsSync(input)) throw new UserError(`${raw}: no such manifest or mix folder`);
    if (isDir(input)) {
      const info = readBuilt(input);
      comps.push(fromInfo(nameOf(input, info.name), raw, input, info, null));
      continue;
    }
    const m = loadManifest(input);
    opts.log?.(`building ${raw}`);
    comps.push(await build(m, nameOf(input, m.name), raw, outDir, opts, null));
  }
  checkUnique(comps);
  return comps;
}

/** The manifest without one source. */
export function withoutSource(m: MixManifest, source: string): MixManifest {
  const sources = m.sources.filter((s) => s.name !== source);
  if (sources.length === m.sources.length) throw new Error(`ablation: no source "${source}"`);
  const sum = sources.reduce((a, s) => a + (s.share ?? 0), 0);
  return { ...m, name: `${m.name ?? 'mix'}-without-${source}`, sources: sources.map((s) => (s.share === null ? s : { ...s, share: s.share / sum })) };
}

/** The full composition and one variant per source left out. */
export async function leaveOneOutCompositions(raw: string, outDir: string, opts: AssembleOptions): Promise<Composition[]> {
  const input = resolve(raw);
  if (isDir(input)) throw new UserError(`${raw}: --ablate needs the manifest (its sources are left out one at a time), not a built mix folder`);
  if (!existsSync(input)) throw new UserError(`${raw}: no such manifest`);
  const m = loadManifest(input);
  if (m.sources.length < 2) throw new UserError(`${raw}: --ablate needs at least two sources (the manifest has ${m.sources.length})`);
  const name = nameOf(input, m.name);
  opts.log?.(`building ${raw} and ${m.sources.length} leave-one-out variants`);
  const comps = [await build(m, name, raw, outDir, opts, null)];
  for (const s of m.sources) comps.push(await build(withoutSource(m, s.name), safeName(`${name}-without-${s.name}`), raw, outDir, opts, { of: name, without: s.name }));
  return comps;
}
