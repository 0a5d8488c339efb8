// Text summaries of a build and of a diff, for the terminal.
import Table from 'cli-table3';
import type { LengthSummary } from '../gate/dataset-profile.js';
import type { MixInfo } from './assemble.js';
import type { MixDiff } from './diff.js';

const plain = { style: { head: [], border: [] } };

function lengths(s: LengthSummary | null): string {
  return s ? `min ${s.min}, median ${s.median}, p95 ${s.p95.toFixed(0)}, max ${s.max}, mean ${s.mean.toFixed(1)}` : '—';
}

export function renderBuild(info: MixInfo, outDir: string): string {
  const t = new Table({ ...plain, head: ['source', 'read', 'filtered', 'contaminated', 'duplicates', 'near-dup', 'available', 'written', 'share'] });
  for (const s of info.sources) {
    const filtered = Object.entries(s.filtered).map(([k, n]) => `${k} ${n}`).join(', ') || '0';
    t.push([s.name, s.read, filtered, s.contaminated, s.duplicates, s.near_duplicates, s.available, s.written, s.share === null ? '—' : `${s.share} (${((100 * s.written) / Math.max(1, info.rows)).toFixed(1)} %)`]);
  }
  const lines = [`mix ${info.name ?? ''} version ${info.version}`.replace('  ', ' '), t.toString(), `${info.rows} rows written to ${outDir}/data.jsonl (lineage.jsonl, removed.jsonl, mix.json beside it)`];
  if (info.decontamination) lines.push(`decontaminated against ${info.decontamination.suites.join(', ')}: ${info.decontamination.eval_instances} eval instances; ${info.removed.contaminated} row(s) dropped (listed in removed.jsonl with benchmark and instance id)`);
  return lines.join('\n');
}

export function renderDiff(d: MixDiff): string {
  const lines = [
    `A ${d.a.dir}: version ${d.a.version.slice(0, 16)}…, ${d.a.rows} rows`,
    `B ${d.b.dir}: version ${d.b.version.slice(0, 16)}…, ${d.b.rows} rows`,
    d.sameVersion ? 'same version (same manifest and inputs)' : `rows: +${d.added} added, −${d.removed} removed (normalised content)`,
  ];
  const t = new Table({ ...plain, head: ['source', 'rows A', 'rows B', 'Δ', 'added', 'removed'] });
  for (const s of d.sources) t.push([s.source, s.rowsA, s.rowsB, `${s.rowsB - s.rowsA >= 0 ? '+' : ''}${s.rowsB - s.rowsA}`, s.added, s.removed]);
  lines.push(t.toString());
  lines.push(`characters/row         A: ${lengths(d.a.chars)}`, `                       B: ${lengths(d.b.chars)}`);
  lines.push(`words/row (normalised) A: ${lengths(d.a.tokens)}`, `                       B: ${lengths(d.b.tokens)}`);
  if (d.manifest.length) {
    lines.push('manifest changes:');
    for (const c of d.manifest) lines.push(`  ${c.what}: ${JSON.stringify(c.a)} → ${JSON.stringify(c.b)}`);
  } else lines.push('manifest: no changes');
  return lines.join('\n');
}
