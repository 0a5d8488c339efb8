// `mix diff A B`: what changed between two built mixes. Rows are compared as the gate compares a
// dataset with its baseline (scan-dataset.ts / dataset-profile.ts: normalised content keys, length
// distributions, rows per source); the manifests are compared field by field.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffKeys, type LengthSummary } from '../gate/dataset-profile.js';
import { scanDataset } from '../gate/scan-dataset.js';
import { readTrainingRows } from '../gate/training-rows.js';
import { UserError } from '../../core/errors.js';
import type { MixInfo } from './assemble.js';
import { MIX_FILES } from './build.js';
import { canonicalJson } from './version.js';

export interface MixSide {
  dir: string;
  version: string;
  name: string | null;
  rows: number;
  chars: LengthSummary | null;
  tokens: LengthSummary | null;
}

export interface SourceDelta {
  source: string;
  rowsA: number;
  rowsB: number;
  /** Rows of B whose normalised content is not in A, and rows of A not in B. */
  added: number;
  removed: number;
}

export interface ManifestChange {
  /** "seed", "total", "source gsm", "source gsm: share", ... */
  what: string;
  a: unknown;
  b: unknown;
}

export interface MixDiff {
  a: MixSide;
  b: MixSide;
  sameVersion: boolean;
  added: number;
  removed: number;
  sources: SourceDelta[];
  manifest: ManifestChange[];
}

export function readMixInfo(dir: string): MixInfo {
  const file = join(dir, MIX_FILES.info);
  if (!existsSync(file) || !existsSync(join(dir, MIX_FILES.data))) throw new UserError(`${dir}: not a built mix (needs ${MIX_FILES.info} and ${MIX_FILES.data}; make one with \`evalfirst mix build MANIFEST --out ${dir}\`)`);
  let info: MixInfo;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as MixInfo;
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (info.format !== 'evalfirst-mix/1') throw new UserError(`${file}: unknown format ${JSON.stringify(info.format)} (expected evalfirst-mix/1)`);
  return info;
}

/** Source of every data line (the "source" field the build writes). */
async function lineSources(file: string): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for await (const r of readTrainingRows(file)) if (r.row) out.set(r.row.line, r.row.source ?? '(none)');
  return out;
}

type CanonicalSource = Record<string, unknown> & { name: string };

function manifestChanges(a: Record<string, unknown>, b: Record<string, unknown>): ManifestChange[] {
  const out: ManifestChange[] = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (key === 'sources') continue;
    if (canonicalJson(a[key]) !== canonicalJson(b[key])) out.push({ what: key, a: a[key] ?? null, b: b[key] ?? null });
  }
  const sa = new Map(((a.sources as CanonicalSource[]) ?? []).map((s) => [s.name, s]));
  const sb = new Map(((b.sources as CanonicalSource[]) ?? []).map((s) => [s.name, s]));
  for (const [name, s] of sa) if (!sb.has(name)) out.push({ what: `source ${name}`, a: s, b: null });
  for (const [name, s] of sb) if (!sa.has(name)) out.push({ what: `source ${name}`, a: null, b: s });
  for (const [name, x] of sa) {
    const y = sb.get(name);
    if (!y) continue;
    for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
      if (canonicalJson(x[key]) !== canonicalJson(y[key])) out.push({ what: `source ${name}: ${key}`, a: x[key] ?? null, b: y[key] ?? null });
    }
  }
  return out;
}

export async function diffMixes(dirA: string, dirB: string): Promise<MixDiff> {
  const infoA = readMixInfo(dirA);
  const infoB = readMixInfo(dirB);
  const fileA = join(dirA, MIX_FILES.data);
  const fileB = join(dirB, MIX_FILES.data);
  const [scanA, scanB] = [await scanDataset(fileA, null), await scanDataset(fileB, null)];
  const d = diffKeys(scanA.keys, scanB.keys, Number.POSITIVE_INFINITY);
  const [srcA, srcB] = [await lineSources(fileA), await lineSources(fileB)];
  const names = [...new Set([...Object.keys(scanA.profile.sources), ...Object.keys(scanB.profile.sources)])];
  const order = [...infoB.sources.map((s) => s.name), ...infoA.sources.map((s) => s.name)];
  names.sort((x, y) => (order.indexOf(x) < 0 ? 1e9 : order.indexOf(x)) - (order.indexOf(y) < 0 ? 1e9 : order.indexOf(y)) || (x < y ? -1 : 1));
  const sources: SourceDelta[] = names.map((source) => ({
    source,
    rowsA: scanA.profile.sources[source] ?? 0,
    rowsB: scanB.profile.sources[source] ?? 0,
    added: d.addedLines.filter((l) => srcB.get(l) === source).length,
    removed: d.removedLines.filter((l) => srcA.get(l) === source).length,
  }));
  const side = (dir: string, info: MixInfo, scan: typeof scanA): MixSide => ({ dir, version: info.version, name: info.name, rows: scan.profile.rows, chars: scan.profile.chars, tokens: scan.profile.tokens });
  return {
    a: side(dirA, infoA, scanA),
    b: side(dirB, infoB, scanB),
    sameVersion: infoA.version === infoB.version,
    added: d.added,
    removed: d.removed,
    sources,
    manifest: manifestChanges(infoA.manifest as Record<string, unknown>, infoB.manifest as Record<string, unknown>),
  };
}
