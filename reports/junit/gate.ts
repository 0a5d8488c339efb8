// JUnit XML for `evalfirst gate`, for CI systems that show test reports: one test case per
// benchmark of the suite (contamination), one for the row schema, one for the dataset diff and
// duplicates (informational, never failing).
import { XMLBuilder } from 'fast-xml-parser';
import type { GateReport } from '../../harness/gate/gate.js';
import { xmlSafe } from './xml-text.js';

interface TestCase {
  name: string;
  classname: string;
  failure?: { message: string; body: string };
  out?: string;
  skipped?: string;
}

function contaminationCases(r: GateReport, maxListed: number): TestCase[] {
  return Object.keys(r.benchmarks)
    .sort()
    .map((bench) => {
      const rows = r.contaminated.filter((c) => c.benchmark === bench);
      const tc: TestCase = { name: `no training row overlaps ${bench} (${r.benchmarks[bench]} eval instances)`, classname: 'evalfirst.gate.contamination' };
      if (rows.length) {
        const body = rows
          .slice(0, maxListed)
          .map((c) => `line ${c.line}: ${c.match} match with ${c.benchmark} instance ${c.instance_id} (${c.eval_field}): "${c.matched_text}"`)
          .join('\n');
        tc.failure = { message: `${rows.length} contaminated row(s)`, body: body + (rows.length > maxListed ? `\n… ${rows.length - maxListed} more` : '') };
      }
      return tc;
    });
}

/** Benchmarks not checked under --allow-missing: skipped test cases, so CI shows them. */
function missingCases(r: GateReport): TestCase[] {
  const byBench = new Map<string, string[]>();
  for (const m of r.missing) byBench.set(m.benchmark, [...(byBench.get(m.benchmark) ?? []), `${m.entry}: ${m.file} absent`]);
  return [...byBench].sort(([a], [b]) => (a < b ? -1 : 1)).map(([bench, why]) => ({ name: `no training row overlaps ${bench}`, classname: 'evalfirst.gate.contamination', skipped: `data absent (--allow-missing): ${why.join('; ')}` }));
}

function schemaCase(r: GateReport, maxListed: number): TestCase {
  const errs = r.profile.schemaErrors;
  const tc: TestCase = { name: `every row of ${r.dataset} parses`, classname: 'evalfirst.gate.schema' };
  if (errs.length)
    tc.failure = {
      message: `${errs.length} schema error(s)`,
      body: errs.slice(0, maxListed).map((e) => `line ${e.line}: ${e.message}`).join('\n') + (errs.length > maxListed ? `\n… ${errs.length - maxListed} more` : ''),
    };
  return tc;
}

function diffCase(r: GateReport): TestCase {
  const p = r.profile;
  const lines = [`rows: ${p.rows}`, `duplicates: ${p.duplicateCount}`];
  if (r.diff && r.baselineProfile) lines.push(`baseline rows: ${r.baselineProfile.rows}`, `added: ${r.diff.added}`, `removed: ${r.diff.removed}`);
  if (p.tokens) lines.push(`tokens per row: min ${p.tokens.min}, median ${p.tokens.median}, p95 ${p.tokens.p95}, max ${p.tokens.max}`);
  lines.push(`sources: ${Object.entries(p.sources).map(([s, n]) => `${s}=${n}`).join(', ')}`);
  return { name: r.baseline ? `dataset diff against ${r.baseline}` : 'dataset profile', classname: 'evalfirst.gate.diff', out: lines.join('\n') };
}

function proxyCase(r: GateReport): TestCase[] {
  if (!r.proxy) return [];
  const c = r.proxy.compare;
  const lines = c.gates.map((g) => `${g.passed ? 'PASS' : 'FAIL'} ${g.target}: delta ${g.delta.toFixed(4)}, CI low ${g.ciLow.toFixed(4)}, tolerance ${g.tolerance}`);
  const failed = c.gates.filter((g) => !g.passed);
  const tc: TestCase = { name: 'proxy fine-tuned on the new data does not drop beyond tolerance', classname: 'evalfirst.gate.proxy', out: [`baseline run: ${r.proxy.baselineRun}`, `new run: ${r.proxy.newRun}`, c.gateRule, ...lines].join('\n') };
  if (failed.length) tc.failure = { message: `${failed.length} gate(s) failed`, body: lines.filter((l) => l.startsWith('FAIL')).join('\n') };
  return [tc];
}

export function renderGateJUnit(r: GateReport, maxListed = 200): string {
  const cases = [...contaminationCases(r, maxListed), ...missingCases(r), schemaCase(r, maxListed), diffCase(r), ...proxyCase(r)];
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped).length;
  const testcase = cases.map((c) => ({
    '@_name': xmlSafe(c.name),
    '@_classname': c.classname,
    ...(c.failure ? { failure: { '@_message': xmlSafe(c.failure.message), '@_type': 'GateFailure', '#text': xmlSafe(c.failure.body) } } : {}),
    ...(c.skipped ? { skipped: { '@_message': xmlSafe(c.skipped) } } : {}),
    ...(c.out ? { 'system-out': xmlSafe(c.out) } : {}),
  }));
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'evalfirst gate',
      '@_tests': cases.length,
      '@_failures': failures,
      '@_skipped': skipped,
      testsuite: {
        '@_name': xmlSafe(`gate ${r.dataset} against suite ${r.suite}`),
        '@_tests': cases.length,
        '@_failures': failures,
        '@_errors': 0,
        '@_skipped': skipped,
        '@_time': r.contaminationSeconds.toFixed(3),
        testcase,
      },
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true }).build(doc);
}
