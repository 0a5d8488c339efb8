// Markdown summary of `evalfirst gate`, fit for a pull-request comment.
import { missingNote, type GateReport } from '../../harness/gate/gate.js';
import type { LengthSummary } from '../../harness/gate/dataset-profile.js';
import { mdCell } from './markdown-escape.js';

function lengths(s: LengthSummary | null): string {
  return s ? `${s.min} / ${s.median} / ${s.p95} / ${s.max}` : '—';
}

export function renderGateMarkdown(r: GateReport, maxListed = 50): string {
  const out: string[] = [];
  out.push(`## evalfirst gate ${r.passed ? '✅ passed' : '❌ failed'}`, '');
  out.push(`Dataset \`${mdCell(r.dataset)}\`${r.baseline ? ` vs baseline \`${mdCell(r.baseline)}\`` : ''}, suite **${mdCell(r.suite)}** (${r.evalInstances} eval instances).`, '');
  for (const f of r.failures) out.push(`- ❌ ${mdCell(f)}`);
  if (r.missing.length) out.push(`- ⚠️ ${mdCell(missingNote(r))}`);
  if (r.failures.length || r.missing.length) out.push('');
  out.push(`### Contamination: ${r.contaminated.length} of ${r.rowsChecked} rows`, '');
  if (r.contaminated.length) {
    out.push('| line | benchmark | instance | match | in baseline | matched text |', '|---|---|---|---|---|---|');
    for (const c of r.contaminated.slice(0, maxListed)) {
      const text = c.matched_text.length > 80 ? `${c.matched_text.slice(0, 80)}…` : c.matched_text;
      out.push(`| ${c.line} | ${mdCell(c.benchmark)} | ${mdCell(c.instance_id)} | ${c.match} | ${c.in_baseline === null ? '' : c.in_baseline ? 'yes' : 'new'} | ${mdCell(text)} |`);
    }
    if (r.contaminated.length > maxListed) out.push('', `… ${r.contaminated.length - maxListed} more (see --json).`);
    out.push('');
  }
  out.push('### Dataset', '', '| | rows | duplicates | chars min/median/p95/max | tokens min/median/p95/max |', '|---|---|---|---|---|');
  out.push(`| new | ${r.profile.rows} | ${r.profile.duplicateCount} | ${lengths(r.profile.chars)} | ${lengths(r.profile.tokens)} |`);
  if (r.baselineProfile) out.push(`| baseline | ${r.baselineProfile.rows} | ${r.baselineProfile.duplicateCount} | ${lengths(r.baselineProfile.chars)} | ${lengths(r.baselineProfile.tokens)} |`);
  if (r.diff) out.push('', `Rows added: **${r.diff.added}**, removed: **${r.diff.removed}** (by normalised content).`);
  const sources = new Set([...Object.keys(r.profile.sources), ...Object.keys(r.baselineProfile?.sources ?? {})]);
  out.push('', '| source | new | baseline |', '|---|---|---|');
  for (const s of [...sources].sort()) out.push(`| ${mdCell(s)} | ${r.profile.sources[s] ?? 0} | ${r.baselineProfile ? (r.baselineProfile.sources[s] ?? 0) : ''} |`);
  if (r.profile.schemaErrors.length) {
    out.push('', `### Schema errors (${r.profile.schemaErrors.length})`, '');
    for (const e of r.profile.schemaErrors.slice(0, maxListed)) out.push(`- line ${e.line}: ${mdCell(e.message)}`);
  }
  if (r.proxy) {
    out.push('', '### Proxy fine-tune (baseline vs new data)', '', `Rule: ${r.proxy.compare.gateRule}.`, '', '| | target | delta | CI low | tolerance |', '|---|---|---|---|---|');
    for (const g of r.proxy.compare.gates) out.push(`| ${g.passed ? '✅' : '❌'} | ${mdCell(g.target)} | ${g.delta.toFixed(4)} | ${g.ciLow.toFixed(4)} | ${g.tolerance} |`);
  }
  out.push('', '<sub>Contamination: GPT-3-style normalised 13-gram overlap, exact normalised match (≥ 5 tokens), and whole short eval texts (6–12 tokens) contained in a row.</sub>');
  return out.join('\n') + '\n';
}
