// `mix build`: a manifest in, a mix folder out:
//   data.jsonl     {"prompt","completion","source"} per row (what `finetune --data` reads)
//   lineage.jsonl  per data row, same order: source, origin (file line / Parquet row / benchmark instance), transformations
//   removed.jsonl  every row dropped, with why (filter, no-gold, contaminated, duplicate, near-duplicate)
//   mix.json       version, counts per source, inputs and their sha256, the canonical manifest
// Nothing in these files depends on the clock or the machine: the same manifest and inputs give
// byte-identical files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assembleMix, type AssembledMix, type AssembleOptions, type MixInfo } from './assemble.js';
import { readManifestDoc } from './manifest-doc.js';
import { validateManifest } from './manifest-validate.js';
import type { MixManifest } from './manifest.js';
import { sha256Hex } from './version.js';

export const MIX_FILES = { data: 'data.jsonl', lineage: 'lineage.jsonl', removed: 'removed.jsonl', info: 'mix.json' } as const;

export function loadManifest(file: string): MixManifest {
  return validateManifest(readManifestDoc(file));
}

function jsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

/** Writes the four files; returns mix.json's content (with data.jsonl's sha256 filled in). */
export function writeMix(outDir: string, mix: AssembledMix): MixInfo {
  mkdirSync(outDir, { recursive: true });
  const data = jsonl(mix.rows.map((r) => ({ prompt: r.prompt, completion: r.completion, source: r.source })));
  writeFileSync(join(outDir, MIX_FILES.data), data);
  writeFileSync(join(outDir, MIX_FILES.lineage), jsonl(mix.lineage));
  writeFileSync(join(outDir, MIX_FILES.removed), jsonl(mix.removed));
  const info: MixInfo = { ...mix.info, data_sha256: sha256Hex(data) };
  writeFileSync(join(outDir, MIX_FILES.info), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

export interface BuildResult {
  outDir: string;
  info: MixInfo;
  mix: AssembledMix;
}

export async function buildMix(manifestFile: string, outDir: string, opts: AssembleOptions): Promise<BuildResult> {
  const manifest = loadManifest(manifestFile);
  const mix = await assembleMix(manifest, opts);
  return { outDir, info: writeMix(outDir, mix), mix };
}
