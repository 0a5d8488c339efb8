// JUnit XML for `evalfirst gate`, for CI systems that show test reports: one test case per
// benchmark of the suite (contamination), one for the row schema, one for the dataset diff and
// duplicates (informational, never failing).
import type { GateReport } from '../../harness/gate/gate.js';
import { renderJUnit, type JUnitCase } from './document.js';

function contaminationCases(r: GateReport, maxListed: number): JUnitCase[] {
  return Object.keys(r.benchmarks)
    .sort()
    .map((bench) => {
      const rows = r.contaminated.filter((c) => c.benchmark === bench);
      const tc: JUnitCase = { name: `no training row overlaps ${bench} (${r.benchmarks[bench]} eval instances)`, classname: 'evalfirst.gate.contamination' };
      if (rows.length) {
        const body = rows
          .slice(0, maxListed)
          .map((c) => `line ${c.line}: ${c.match} match with ${c.benchmark} instance ${c.instance_id} (${c.eval_field}): "${c.matched_text}"`)
          .join('\n');
        tc.failure = { message: `${rows.length} contaminated row(s)`, body: body + (rows.length > maxListed ? `\n… ${rows.length - maxListed} more` : ''), type: 'GateFailure' };
      }
      return tc;
    });
}

/** Benchmarks not checked under --allow-missing: skipped test cases, so CI shows them. */
function missingCases(r: GateReport): JUnitCase[] {
  const byBench = new Map<string, string[]>();
  for (const m of r.missing) byBench.set(m.benchmark, [...(byBench.get(m.benchmark) ?? []), `${m.entry}: ${m.file} absent`]);
  return [...byBench].sort(([a], [b]) => (a < b ? -1 : 1)).map(([bench, why]) => ({ name: `no training row overlaps ${bench}`, classname: 'evalfirst.gate.contamination', skipped: `data absent (--allow-missing): ${why.join('; ')}` }));
}

function schemaCase(r: GateReport, maxListed: number): JUnitCase {
  const errs = r.profile.schemaErrors;
  const tc: JUnitCase = { name: `every row of ${r.dataset} parses`, classname: 'evalfirst.gate.schema' };
  if (errs.length)
    tc.failure = {
      message: `${errs.length} schema error(s)`,
      body: errs.slice(0, maxListed).map((e) => `line ${e.line}: ${e.message}`).join('\n') + (errs.length > maxListed ? `\n… ${errs.length - maxListed} more` : ''),
      type: 'GateFailure',
    };
  return tc;
}

function diffCase(r: GateReport): JUnitCase {
  const p = r.profile;
  const lines = [`rows: ${p.rows}`, `duplicates: ${p.duplicateCount}`];
  if (r.diff && r.baselineProfile) lines.push(`baseline rows: ${r.baselineProfile.rows}`, `added: ${r.diff.added}`, `removed: ${r.diff.removed}`);
  if (p.tokens) lines.push(`tokens per row: min ${p.tokens.min}, median ${p.tokens.median}, p95 ${p.tokens.p95}, max ${p.tokens.max}`);
  lines.push(`sources: ${Object.entries(p.sources).map(([s, n]) => `${s}=${n}`).join(', ')}`);
  return { name: r.baseline ? `dataset diff against ${r.baseline}` : 'dataset profile', classname: 'evalfirst.gate.diff', out: lines.join('\n') };
}

function proxyCase(r: GateReport): JUnitCase[] {
  if (!r.proxy) return [];
  const c = r.proxy.compare;
  const lines = c.gates.map((g) => `${g.passed ? 'PASS' : 'FAIL'} ${g.target}: delta ${g.delta.toFixed(4)}, CI low ${g.ciLow.toFixed(4)}, tolerance ${g.tolerance}`);
  const failed = c.gates.filter((g) => !g.passed);
  const tc: JUnitCase = { name: 'proxy fine-tuned on the new data does not drop beyond tolerance', classname: 'evalfirst.gate.proxy', out: [`baseline run: ${r.proxy.baselineRun}`, `new run: ${r.proxy.newRun}`, c.gateRule, ...lines].join('\n') };
  if (failed.length) tc.failure = { message: `${failed.length} gate(s) failed`, body: lines.filter((l) => l.startsWith('FAIL')).join('\n'), type: 'GateFailure' };
  return [tc];
}

export function renderGateJUnit(r: GateReport, maxListed = 200): string {
  const cases = [...contaminationCases(r, maxListed), ...missingCases(r), schemaCase(r, maxListed), diffCase(r), ...proxyCase(r)];
  return renderJUnit({ title: 'evalfirst gate', name: `gate ${r.dataset} against suite ${r.suite}`, seconds: r.contaminationSeconds, cases });
}
