// Assembling a mix from a validated manifest, in memory: read every source, map and filter its rows,
// drop rows that overlap the decontamination suites, drop exact and near duplicates across the whole
// pool, then draw each source's quota and (optionally) shuffle. Deterministic: the same manifest and
// inputs give the same rows in the same order.
import { DEFAULT_MIN_COVERAGE, prepareRow, type EvalText, type PreparedRow } from '../gate/contamination-index.js';
import { dataFile } from '../../tasks/scenarios/common/files.js';
import { uniforms } from '../../kernels/rng.js';
import { UserError } from '../../core/errors.js';
import { existsSync } from 'node:fs';
import { benchmarkCandidates } from './benchmark-source.js';
import type { Candidate, Origin } from './candidate.js';
import { loadEvalSet, makeContaminationCheck, type ContaminationRecord, type EvalSet } from './decontaminate.js';
import { findDuplicates } from './dedup.js';
import { SHINGLE_WORDS } from './minhash.js';
import { fileCandidates } from './file-source.js';
import { makeRowFilter, type FilterRejection } from './filters.js';
import { canonicalManifest, type Filters, type MixManifest, type SourceSpec } from './manifest.js';
import { largestFeasibleTotal, mixShuffleRng, quotasFromShares, sampleIndices, shuffled, sourceSeed } from './sample.js';
import { canonicalJson, fileSha256, mixVersion, sha256Hex, type InputDigest } from './version.js';

export const MIX_FORMAT = 'evalfirst-mix/1';

export type RemovedRow = { source: string; origin: Origin } & (
  | { reason: 'filter'; filter: FilterRejection['filter']; detail: string }
  | { reason: 'no-gold'; detail: string }
  | ({ reason: 'contaminated' } & ContaminationRecord)
  | { reason: 'duplicate'; duplicate_of: { source: string; origin: Origin } }
  | { reason: 'near-duplicate'; near_duplicate_of: { source: string; origin: Origin }; similarity: number }
);

export interface MixRow {
  prompt: string;
  completion: string;
  source: string;
}

export interface LineageRow {
  line: number;
  source: string;
  origin: Origin;
  transformations: string[];
}

export interface SourceCounts {
  name: string;
  kind: 'file' | 'benchmark';
  /** Rows read (records of the file, instances of the split). */
  read: number;
  filtered: Partial<Record<FilterRejection['filter'] | 'no-gold', number>>;
  contaminated: number;
  duplicates: number;
  near_duplicates: number;
  /** Rows left to draw from. */
  available: number;
  /** Rows drawn into the mix. */
  written: number;
  share: number | null;
}

export interface MixInfo {
  format: typeof MIX_FORMAT;
  version: string;
  name: string | null;
  seed: number;
  rows: number;
  total_requested: number | null;
  shuffle: boolean;
  sources: SourceCounts[];
  removed: { filter: number; no_gold: number; contaminated: number; duplicate: number; near_duplicate: number };
  dedup: { exact: boolean; near: number | null; shingle_words: number };
  decontamination: { suites: string[]; eval_instances: number; benchmarks: Record<string, number>; min_coverage: number } | null;
  inputs: InputDigest[];
  manifest: unknown;
  /** sha256 of data.jsonl as written. */
  data_sha256: string;
}

export interface AssembledMix {
  rows: MixRow[];
  lineage: LineageRow[];
  removed: RemovedRow[];
  info: MixInfo;
}

export interface AssembleOptions {
  dataDir: string;
  /** Evaluation texts to decontaminate against instead of loading the manifest's suites (tests, benches). */
  evalTexts?: { label: string; texts: EvalText[] };
  log?: (line: string) => void;
}

interface PoolRow {
  /** Reading position (over all sources), so removed.jsonl lists rows in reading order. */
  at: number;
  cand: Candidate;
  prepared: PreparedRow;
  sourceIndex: number;
}

function filterSummary(f: Filters): string | null {
  const parts: string[] = [];
  if (f.minChars !== null) parts.push(`chars ≥ ${f.minChars}`);
  if (f.maxChars !== null) parts.push(`chars ≤ ${f.maxChars}`);
  if (f.minWords !== null) parts.push(`words ≥ ${f.minWords}`);
  if (f.maxWords !== null) parts.push(`words ≤ ${f.maxWords}`);
  for (const r of f.include) parts.push(`${r.field} ~ /${r.pattern}/${r.flags}`);
  for (const r of f.exclude) parts.push(`${r.field} !~ /${r.pattern}/${r.flags}`);
  if (f.language) parts.push(`language ${f.language.allow.join('|')} (margin ${f.language.margin}, undetermined: ${f.language.undetermined})`);
  return parts.length ? `filters passed: ${parts.join(', ')}` : null;
}

function lost(counts: SourceCounts): string {
  const parts = Object.entries(counts.filtered).map(([k, n]) => `${k} dropped ${n}`);
  if (counts.contaminated) parts.push(`contamination dropped ${counts.contaminated}`);
  if (counts.duplicates) parts.push(`exact duplicates ${counts.duplicates}`);
  if (counts.near_duplicates) parts.push(`near duplicates ${counts.near_duplicates}`);
  return `${counts.read} read${parts.length ? `; ${parts.join(', ')}` : ''}`;
}

async function readSource(spec: SourceSpec, m: MixManifest, dataDir: string, inputs: InputDigest[]): Promise<{ candidates: Candidate[]; noGold: RemovedRow[] }> {
  if (spec.kind === 'file') {
    inputs.push({ input: `file:${spec.path}`, sha256: fileSha256(spec.resolved) });
    return { candidates: await fileCandidates(spec, m.file), noGold: [] };
  }
  const b = await benchmarkCandidates(spec, m.file, dataDir);
  for (const f of b.files) {
    const path = dataFile(dataDir, f);
    if (existsSync(path)) inputs.push({ input: `data:${f}`, sha256: fileSha256(path) });
  }
  const noGold: RemovedRow[] = b.withoutGold.map((w) => ({
    source: spec.name,
    origin: { benchmark: w.benchmark, run: w.run, instance_id: w.instance_id, split: spec.split },
    reason: 'no-gold',
    detail: 'the instance has no correct reference',
  }));
  return { candidates: b.candidates, noGold };
}

function quotas(m: MixManifest, counts: SourceCounts[]): number[] {
  const specs = m.sources;
  if (specs[0].share !== null) {
    const shares = specs.map((s) => s.share!);
    const available = counts.map((c) => c.available);
    const total = m.total ?? largestFeasibleTotal(shares, available);
    if (total === 0) throw new UserError(`${m.file}:${m.sources[0].line}: the shares leave no row to draw (available: ${counts.map((c) => `${c.name} ${c.available}`).join(', ')})`);
    const q = quotasFromShares(shares, total);
    q.forEach((n, i) => {
      if (n > available[i]) {
        throw new UserError(
          `${m.file}:${specs[i].amountLine}: source "${specs[i].name}": share ${specs[i].share} of total ${total} asks ${n} rows, but only ${available[i]} are left (${lost(counts[i])}); lower its share or the total, or drop "total" to take as many as the shares allow`,
        );
      }
    });
    return q;
  }
  return specs.map((s, i) => {
    if (s.rows === 'all') return counts[i].available;
    if (s.rows! > counts[i].available) throw new UserError(`${m.file}:${s.amountLine}: source "${s.name}": rows ${s.rows} asked, but only ${counts[i].available} are left (${lost(counts[i])})`);
    return s.rows!;
  });
}

export async function assembleMix(m: MixManifest, opts: AssembleOptions): Promise<AssembledMix> {
  const log = opts.log ?? (() => {});
  const inputs: InputDigest[] = [];
  const removed: { at: number; row: RemovedRow }[] = [];
  const counts: SourceCounts[] = [];
  const pool: PoolRow[] = [];
  let order = 0;

  // 1. Read, map, filter.
  for (const [si, spec] of m.sources.entries()) {
    const { candidates, noGold } = await readSource(spec, m, opts.dataDir, inputs);
    const c: SourceCounts = { name: spec.name, kind: spec.kind, read: candidates.length + noGold.length, filtered: {}, contaminated: 0, duplicates: 0, near_duplicates: 0, available: 0, written: 0, share: spec.share };
    for (const r of noGold) {
      removed.push({ at: order++, row: r });
      c.filtered['no-gold'] = (c.filtered['no-gold'] ?? 0) + 1;
    }
    const judge = makeRowFilter(spec.filters);
    let kept = 0;
    for (const cand of candidates) {
      const at = order++;
      const rejection = judge(cand);
      if (rejection) {
        removed.push({ at, row: { source: spec.name, origin: cand.origin, reason: 'filter', ...rejection } });
        c.filtered[rejection.filter] = (c.filtered[rejection.filter] ?? 0) + 1;
        continue;
      }
      pool.push({ at, cand, prepared: prepareRow({ prompt: cand.prompt, completion: cand.completion }), sourceIndex: si });
      kept++;
    }
    if (kept === 0) {
      const why = c.read === 0 ? 'has no rows' : `has no rows left after filters (${lost(c)})`;
      throw new UserError(`${m.file}:${spec.line}: source "${spec.name}" ${why}`);
    }
    counts.push(c);
    log(`source ${spec.name}: ${c.read} read, ${kept} pass the filters`);
  }
  // 2. Decontaminate.
  let evalSet: EvalSet | null = null;
  let alive = pool;
  if (m.decontaminate || opts.evalTexts) {
    if (opts.evalTexts) {
      const instances = new Map<string, string>();
      for (const t of opts.evalTexts.texts) instances.set(`${t.benchmark}\u0000${t.run ?? ''}\u0000${t.instanceId}`, t.benchmark);
      const benchmarks: Record<string, number> = {};
      for (const b of instances.values()) benchmarks[b] = (benchmarks[b] ?? 0) + 1;
      evalSet = { suites: [opts.evalTexts.label], entries: [], texts: opts.evalTexts.texts, instances: instances.size, benchmarks, files: [] };
      inputs.push({ input: `eval-texts:${opts.evalTexts.label}`, sha256: sha256Hex(canonicalJson(opts.evalTexts.texts)) });
    } else {
      evalSet = await loadEvalSet(m.decontaminate!.suites, m.decontaminate!.resolved, opts.dataDir);
      inputs.push({ input: `suites:${evalSet.suites.join(',')}`, sha256: sha256Hex(canonicalJson(evalSet.entries)) });
      for (const f of evalSet.files) {
        const path = dataFile(opts.dataDir, f);
        if (existsSync(path) && !inputs.some((i) => i.input === `data:${f}`)) inputs.push({ input: `data:${f}`, sha256: fileSha256(path) });
      }
    }
    log(`decontamination: ${evalSet.texts.length} eval texts of ${evalSet.instances} instances`);
    const check = makeContaminationCheck(evalSet.texts, m.decontaminate?.minCoverage ?? DEFAULT_MIN_COVERAGE);
    alive = [];
    for (const row of pool) {
      const hit = check(row.prepared);
      if (hit) {
        removed.push({ at: row.at, row: { source: row.cand.source, origin: row.cand.origin, reason: 'contaminated', ...hit } });
        counts[row.sourceIndex].contaminated++;
      } else alive.push(row);
    }
  }

  // 3. Exact and near duplicates over the whole pool.
  const verdicts = findDuplicates(
    alive.map((r) => r.prepared),
    m.dedup,
  );
  const unique: PoolRow[] = [];
  verdicts.forEach((v, i) => {
    const row = alive[i];
    if (!v) {
      unique.push(row);
      return;
    }
    const of = alive[v.of];
    const ref = { source: of.cand.source, origin: of.cand.origin };
    if (v.kind === 'duplicate') {
      removed.push({ at: row.at, row: { source: row.cand.source, origin: row.cand.origin, reason: 'duplicate', duplicate_of: ref } });
      counts[row.sourceIndex].duplicates++;
    } else {
      removed.push({ at: row.at, row: { source: row.cand.source, origin: row.cand.origin, reason: 'near-duplicate', near_duplicate_of: ref, similarity: Number(v.similarity.toFixed(4)) } });
      counts[row.sourceIndex].near_duplicates++;
    }
  });
  const bySource: PoolRow[][] = m.sources.map(() => []);
  for (const r of unique) bySource[r.sourceIndex].push(r);
  bySource.forEach((rows, i) => {
    counts[i].available = rows.length;
    if (rows.length === 0) throw new UserError(`${m.file}:${m.sources[i].line}: source "${m.sources[i].name}" has no rows left after decontamination and deduplication (${lost(counts[i])})`);
  });

  // 4. Quotas and draws.
  const q = quotas(m, counts);
  const stages: string[] = [];
  if (evalSet) stages.push(`decontaminated against ${evalSet.suites.join(', ')}`);
  if (m.dedup.exact || m.dedup.near !== null) stages.push(`deduplicated (${[m.dedup.exact ? 'exact' : null, m.dedup.near !== null ? `near ≥ ${m.dedup.near}` : null].filter(Boolean).join(', ')})`);
  let drawn: { row: PoolRow; transforms: string[] }[] = [];
  bySource.forEach((rows, i) => {
    const spec = m.sources[i];
    const seed = sourceSeed(m.seed, spec.name);
    const picked = q[i] === rows.length ? rows.map((_, k) => k) : sampleIndices(rows.length, q[i], uniforms(seed));
    counts[i].written = picked.length;
    const tail = [filterSummary(spec.filters), ...stages, picked.length === rows.length ? `all ${rows.length} rows taken` : `sampled ${picked.length} of ${rows.length} (seed ${m.seed}, source draw seed ${seed})`].filter((x): x is string => x !== null);
    for (const k of picked) drawn.push({ row: rows[k], transforms: [...rows[k].cand.transforms, ...tail] });
  });
  if (m.shuffle) drawn = shuffled(drawn, mixShuffleRng(m.seed));

  const rows: MixRow[] = drawn.map((d) => ({ prompt: d.row.cand.prompt, completion: d.row.cand.completion, source: d.row.cand.source }));
  const lineage: LineageRow[] = drawn.map((d, i) => ({ line: i + 1, source: d.row.cand.source, origin: d.row.cand.origin, transformations: m.shuffle ? [...d.transforms, `shuffled (seed ${m.seed})`] : d.transforms }));
  removed.sort((a, b) => a.at - b.at);
  const canonical = canonicalManifest(m);
  const count = (reason: RemovedRow['reason']) => removed.filter((r) => r.row.reason === reason).length;
  const info: MixInfo = {
    format: MIX_FORMAT,
    version: mixVersion(canonical, inputs),
    name: m.name,
    seed: m.seed,
    rows: rows.length,
    total_requested: m.total,
    shuffle: m.shuffle,
    sources: counts,
    removed: { filter: count('filter'), no_gold: count('no-gold'), contaminated: count('contaminated'), duplicate: count('duplicate'), near_duplicate: count('near-duplicate') },
    dedup: { exact: m.dedup.exact, near: m.dedup.near, shingle_words: SHINGLE_WORDS },
    decontamination: evalSet && { suites: evalSet.suites, eval_instances: evalSet.instances, benchmarks: evalSet.benchmarks, min_coverage: m.decontaminate?.minCoverage ?? DEFAULT_MIN_COVERAGE },
    inputs,
    manifest: canonical,
    data_sha256: '',
  };
  return { rows, lineage, removed: removed.map((r) => r.row), info };
}
