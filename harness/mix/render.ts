// Text summaries of a build and of a diff, for the terminal.
import Table from 'cli-table3';
import type { LengthSummary } from '../gate/dataset-profile.js';
import type { MixInfo } from './assemble.js';
import type { MixDiff } from './diff.js';
import type { RankReport } from './rank-report.js';

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

const pt = (x: number) => (100 * x).toFixed(1);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${pt(x)}`;

/** The ranking table, the pairwise verdicts, and for --ablate which source helps which task. */
export function renderRank(r: RankReport, outDir: string): string {
  const rankOf = new Map(r.ranking?.order.map((o) => [o.name, o.rank]) ?? []);
  const tasks = [...new Set(r.compositions.flatMap((c) => Object.keys(c.tasks)))].sort();
  const t = new Table({ ...plain, head: ['rank', 'composition', 'version', 'rows', 'step', 'score [95 %]', ...tasks, 'status'] });
  const ordered = [...r.compositions].sort((a, b) => (rankOf.get(a.name) ?? Infinity) - (rankOf.get(b.name) ?? Infinity));
  for (const c of ordered) {
    const why = c.error ? `: ${c.error.split(/[;(]/)[0].trim().slice(0, 70)}` : '';
    const status = c.status === 'ok' ? (r.ranking?.tiedWithTop.includes(c.name) && r.ranking.tiedWithTop.length > 1 ? 'tied with the top' : 'ok') : `${c.status} at step ${c.step}${why}`;
    t.push([rankOf.get(c.name) ?? '—', c.name, c.version.slice(0, 12), c.rows, c.score_step ?? '—', c.score ? `${pt(c.score.mean)} [${pt(c.score.low)}, ${pt(c.score.high)}]` : '—', ...tasks.map((k) => (c.tasks[k] ? pt(c.tasks[k].mean) : '—')), status]);
  }
  const lines = [`mix rank (${r.mode}): ${r.compositions.length} compositions, seed ${r.seed}, ${r.steps} steps, α = ${r.alpha}`, t.toString()];
  if (r.ranking) {
    lines.push(`paired on ${r.ranking.instances} instances (Holm over ${r.ranking.pairs.length} pair(s)):`);
    for (const l of r.ranking.summary) lines.push(`  ${l}`);
    const top = r.ranking.tiedWithTop;
    lines.push(top.length > 1 ? `best: ${top.join(', ')} — indistinguishable at this budget` : `best: ${top[0]}`);
  }
  if (r.ablation) {
    const a = new Table({ ...plain, head: ['without', 'Δ headline (full − without)', ...tasks] });
    for (const e of r.ablation.effects) {
      if (e.delta === null) a.push([e.source, e.note ?? '—', ...tasks.map(() => '—')]);
      else a.push([e.source, `${signed(e.delta)} [${signed(e.low!)}, ${signed(e.high!)}] ${e.verdict}`, ...tasks.map((k) => (e.tasks[k] ? `${signed(e.tasks[k].delta)} [${signed(e.tasks[k].low)}, ${signed(e.tasks[k].high)}] ${e.tasks[k].verdict}` : '—'))]);
    }
    lines.push(`leave one source out of ${r.ablation.composition} (points; "helps": leaving it out lowers the score, interval above 0; task intervals 95 %, headline at its Holm level):`, a.toString());
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  lines.push(`compute: training ${r.compute.train_seconds.toFixed(1)}s, scoring ${r.compute.eval_seconds.toFixed(1)}s (${r.compute.eval_requests} requests), wall ${r.compute.wall_seconds.toFixed(1)}s; rank.json in ${outDir}`);
  return lines.join('\n');
}
