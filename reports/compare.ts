// Terminal rendering of a CompareReport (cli-table3): tasks, groups, gates and flips.
import Table from 'cli-table3';
import { describeGate, type GateVerdict } from '../harness/compare/tolerance.js';
import type { CompareReport } from '../harness/compare/compare-runs.js';

export function fmtDelta(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;
}

export function fmtP(p: number | undefined): string {
  if (p === undefined || Number.isNaN(p)) return '';
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

export function renderCompareTable(r: CompareReport, maxFlips = 10): string {
  const out: string[] = [];
  out.push(`A: ${r.a.dir} (evalfirst ${r.a.evalfirstVersion}${r.a.gitCommit ? ` @ ${r.a.gitCommit.slice(0, 10)}` : ''})`);
  out.push(`B: ${r.b.dir} (evalfirst ${r.b.evalfirstVersion}${r.b.gitCommit ? ` @ ${r.b.gitCommit.slice(0, 10)}` : ''})`);
  out.push(r.paired ? 'paired by (run, instance, perturbation); delta = B − A; 95 % paired bootstrap CI' : 'UNPAIRED comparison; delta = B − A; 95 % bootstrap CI of the difference of means');
  const head = ['task', 'metric', 'n', 'A', 'B', 'delta', '95% CI', 'A✓B✗', 'A✗B✓', 'McNemar p', 'Holm p'];
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const x of r.tasks) {
    t.push([x.runName, x.metric, r.paired ? String(x.nA) : `${x.nA}/${x.nB}`, x.meanA.toFixed(4), x.meanB.toFixed(4), fmtDelta(x.ci.delta), `[${fmtDelta(x.ci.low)}, ${fmtDelta(x.ci.high)}]`, x.mcnemar ? String(x.mcnemar.b) : '', x.mcnemar ? String(x.mcnemar.c) : '', fmtP(x.mcnemar?.p), fmtP(x.mcnemar?.pHolm)]);
  }
  out.push(t.toString());
  if (r.groups.length) {
    const g = new Table({ head: ['group', 'runs', 'A', 'B', 'delta', '95% CI', 'A✓B✗', 'A✗B✓', 'McNemar p', 'Holm p'], style: { head: [], border: [] } });
    for (const x of r.groups) g.push([x.group, String(x.runs.length), x.meanA.toFixed(4), x.meanB.toFixed(4), fmtDelta(x.ci.delta), `[${fmtDelta(x.ci.low)}, ${fmtDelta(x.ci.high)}]`, x.mcnemar ? String(x.mcnemar.b) : '', x.mcnemar ? String(x.mcnemar.c) : '', fmtP(x.mcnemar?.p), fmtP(x.mcnemar?.pHolm)]);
    out.push(g.toString());
  }
  if (r.onlyInA.length) out.push(`runs only in A (not compared): ${r.onlyInA.join(', ')}`);
  if (r.onlyInB.length) out.push(`runs only in B (not compared): ${r.onlyInB.join(', ')}`);
  for (const x of r.tasks) {
    if (!x.flips || (!x.flips.rightToWrong.length && !x.flips.wrongToRight.length)) continue;
    const list = (fs: { instanceId: string }[]) => fs.slice(0, maxFlips).map((f) => f.instanceId).join(', ') + (fs.length > maxFlips ? `, … (${fs.length - maxFlips} more)` : '');
    out.push(`flips in ${x.runName}:`);
    if (x.flips.rightToWrong.length) out.push(`  right in A, wrong in B (${x.flips.rightToWrong.length}): ${list(x.flips.rightToWrong)}`);
    if (x.flips.wrongToRight.length) out.push(`  wrong in A, right in B (${x.flips.wrongToRight.length}): ${list(x.flips.wrongToRight)}`);
  }
  if (r.gates.length) {
    out.push(`gates (${r.gateRule}):`);
    const word = { pass: 'PASS', drop: 'DROP', inconclusive: 'INCONCLUSIVE' } as const;
    for (const v of r.gates) out.push(`  ${word[v.outcome]} ${v.kind} ${v.target} [${v.key}=${v.tolerance}]: delta ${fmtDelta(v.delta)}, CI low ${fmtDelta(v.ciLow)} ${v.passed ? '≥' : '<'} ${fmtDelta(-v.tolerance)}${v.passed ? '' : ` — ${describeGate(v)}`}`);
    out.push(gateSummary(r.gates));
  }
  return out.join('\n');
}

/** "all gates passed" | "GATE FAILED: a measured drop in …" | "inconclusive: …" — the verdict line of every renderer. */
export function gateSummary(gates: GateVerdict[]): string {
  const drops = gates.filter((g) => g.outcome === 'drop');
  const open = gates.filter((g) => g.outcome === 'inconclusive');
  if (drops.length) return `GATE FAILED: a measured drop in ${drops.map((g) => g.target).join(', ')}`;
  if (open.length) return `inconclusive: ${open.map((g) => `${g.target} (${describeGate(g)})`).join('; ')}`;
  return 'all gates passed';
}
