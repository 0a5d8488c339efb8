// Markdown rendering of a CompareReport, fit for a pull-request comment.
import type { CompareReport } from '../../harness/compare/compare-runs.js';
import { fmtDelta, fmtP } from '../compare.js';
import { gateSummary } from '../compare.js';
import { mdCell } from './markdown-escape.js';

export function renderCompareMarkdown(r: CompareReport, maxFlips = 20): string {
  const out: string[] = [];
  const icon = r.gates.some((g) => g.outcome === 'drop') ? '❌' : r.gates.some((g) => g.outcome === 'inconclusive') ? '⚠️' : '✅';
  const verdict = r.gates.length ? `${icon} ${gateSummary(r.gates).replace('GATE FAILED', 'gate failed')}` : '';
  out.push(`## evalfirst compare ${verdict}`.trimEnd(), '');
  out.push(`- **A**: \`${mdCell(r.a.dir)}\` (evalfirst ${mdCell(r.a.evalfirstVersion)}${r.a.gitCommit ? ` @ \`${r.a.gitCommit.slice(0, 10)}\`` : ''})`);
  out.push(`- **B**: \`${mdCell(r.b.dir)}\` (evalfirst ${mdCell(r.b.evalfirstVersion)}${r.b.gitCommit ? ` @ \`${r.b.gitCommit.slice(0, 10)}\`` : ''})`);
  out.push(`- ${r.paired ? 'Paired by (run, instance, perturbation); 95 % paired bootstrap CI of B − A.' : '**Unpaired** comparison; 95 % bootstrap CI of the difference of means.'}`, '');
  if (r.gates.length) {
    out.push(`### Gates`, '', `Rule: ${r.gateRule}.`, '', '| | target | tolerance | delta | CI low |', '|---|---|---|---|---|');
    for (const g of r.gates) out.push(`| ${g.outcome === 'pass' ? '✅' : g.outcome === 'drop' ? '❌' : '⚠️'} | ${mdCell(g.target)} (${g.kind}) | ${g.tolerance} | ${fmtDelta(g.delta)} | ${fmtDelta(g.ciLow)} |`);
    out.push('');
  }
  if (r.groups.length) {
    out.push('### Groups', '', '| group | runs | A | B | delta | 95 % CI | McNemar p | Holm p |', '|---|---|---|---|---|---|---|---|');
    for (const g of r.groups) out.push(`| ${mdCell(g.group)} | ${g.runs.length} | ${g.meanA.toFixed(4)} | ${g.meanB.toFixed(4)} | ${fmtDelta(g.ci.delta)} | [${fmtDelta(g.ci.low)}, ${fmtDelta(g.ci.high)}] | ${fmtP(g.mcnemar?.p)} | ${fmtP(g.mcnemar?.pHolm)} |`);
    out.push('');
  }
  out.push('### Tasks', '', '| task | metric | n | A | B | delta | 95 % CI | A✓B✗ | A✗B✓ | McNemar p | Holm p |', '|---|---|---|---|---|---|---|---|---|---|---|');
  for (const t of r.tasks) {
    out.push(`| ${mdCell(t.runName)} | ${mdCell(t.metric)} | ${r.paired ? t.nA : `${t.nA}/${t.nB}`} | ${t.meanA.toFixed(4)} | ${t.meanB.toFixed(4)} | ${fmtDelta(t.ci.delta)} | [${fmtDelta(t.ci.low)}, ${fmtDelta(t.ci.high)}] | ${t.mcnemar?.b ?? ''} | ${t.mcnemar?.c ?? ''} | ${fmtP(t.mcnemar?.p)} | ${fmtP(t.mcnemar?.pHolm)} |`);
  }
  const flipped = r.tasks.filter((t) => t.flips && (t.flips.rightToWrong.length || t.flips.wrongToRight.length));
  if (flipped.length) {
    out.push('', '<details><summary>Flips</summary>', '');
    for (const t of flipped) {
      const list = (fs: { instanceId: string }[]) => fs.slice(0, maxFlips).map((f) => `\`${mdCell(f.instanceId)}\``).join(', ') + (fs.length > maxFlips ? `, … (${fs.length - maxFlips} more)` : '');
      out.push(`- **${mdCell(t.runName)}**: right→wrong ${t.flips!.rightToWrong.length}${t.flips!.rightToWrong.length ? `: ${list(t.flips!.rightToWrong)}` : ''}; wrong→right ${t.flips!.wrongToRight.length}${t.flips!.wrongToRight.length ? `: ${list(t.flips!.wrongToRight)}` : ''}`);
    }
    out.push('', '</details>');
  }
  if (r.onlyInA.length || r.onlyInB.length) out.push('', `Not compared: only in A: ${r.onlyInA.map(mdCell).join(', ') || '—'}; only in B: ${r.onlyInB.map(mdCell).join(', ') || '—'}`);
  return out.join('\n') + '\n';
}
