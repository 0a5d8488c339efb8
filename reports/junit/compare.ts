// JUnit XML for `evalfirst compare A B --fail-if-drop SPEC --junit FILE`: one test case per gate
// target, with the gate's outcome (harness/compare/tolerance.ts): a pass passes, a measured drop is
// a <failure>, an inconclusive gate (interval too wide) is <skipped> with how many instances would
// settle it. The rule and the numbers behind each verdict are the case's system-out.
import type { CompareReport } from '../../harness/compare/compare-runs.js';
import { describeGate, type GateVerdict } from '../../harness/compare/tolerance.js';
import { fmtDelta } from '../compare.js';
import { renderJUnit, type JUnitCase } from './document.js';

function gateCase(g: GateVerdict, rule: string): JUnitCase {
  const tc: JUnitCase = {
    name: `${g.kind} ${g.target} drops by at most ${g.tolerance}`,
    classname: `evalfirst.compare.${g.kind}`,
    out: [`delta B − A ${fmtDelta(g.delta)}, 95 % CI low ${fmtDelta(g.ciLow)}, tolerance ${g.tolerance} (${g.key}=${g.tolerance}), n = ${g.n}`, `rule: ${rule}`].join('\n'),
  };
  if (g.outcome === 'drop') tc.failure = { message: describeGate(g), body: tc.out!, type: 'Drop' };
  if (g.outcome === 'inconclusive') tc.skipped = describeGate(g);
  return tc;
}

export function renderCompareJUnit(r: CompareReport): string {
  return renderJUnit({ title: 'evalfirst compare', name: `compare ${r.b.dir} against ${r.a.dir}`, properties: { paired: String(r.paired) }, cases: r.gates.map((g) => gateCase(g, r.gateRule)) });
}
