// JUnit XML for `evalfirst eval --junit FILE`, for CI users (as promptfoo's JUnit output): one test
// case per task (run). A task passes when none of its requests failed; its scores are the case's
// system-out (a score is a measurement, not a pass/fail rule: gate a drop with `compare --junit`).
import type { InstanceRecord, ResultsFile, RunResult } from '../../core/results-schema.js';
import { MACRO, macroMean, POOLED, pooledMean } from '../../harness/stats/aggregates.js';
import { renderJUnit, type JUnitCase } from './document.js';

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');

function scoreLines(run: RunResult): string[] {
  const main = run.metrics[run.mainMetric];
  const lines = [`${run.mainMetric} = ${main ? `${fmt(main.mean)} ± ${fmt(main.stderr)} (stderr), n = ${main.count}` : 'n/a'} (main metric, ${run.mainSplit} split)`];
  for (const [name, m] of Object.entries(run.metrics)) if (name !== run.mainMetric) lines.push(`${name} = ${m.count ? `${fmt(m.mean)}, n = ${m.count}` : m.note ?? 'n/a'}`);
  lines.push(`instances ${run.numInstances}, requests ${run.numRequests}, request errors ${run.numErrors}`, `entry: ${run.entry}`);
  if (run.taskVersion) lines.push(`task version: ${run.taskVersion}`);
  return lines;
}

function runCase(results: ResultsFile, run: RunResult): JUnitCase {
  const tc: JUnitCase = { name: run.name, classname: `evalfirst.eval.${run.groups[0] ?? run.scenario}`, out: scoreLines(run).join('\n') };
  if (run.numErrors > 0) {
    const listed = results.errors.first.filter((e) => e.runName === run.name);
    const body = listed.map((e) => `${e.instanceId}: ${e.message}`);
    if (listed.length < run.numErrors) body.push(`… ${run.numErrors - listed.length} more (instances.jsonl has every one)`);
    tc.failure = { message: `${run.numErrors} of ${run.numRequests} request(s) failed`, body: body.join('\n'), type: 'RequestErrors' };
  }
  return tc;
}

export function renderEvalJUnit(results: ResultsFile, records: InstanceRecord[], runDir: string): string {
  const pooled = pooledMean(results, records);
  const macro = macroMean(results);
  return renderJUnit({
    title: 'evalfirst eval',
    name: `eval ${runDir}`,
    seconds: results.durationS,
    properties: { [POOLED]: fmt(pooled.mean), [`${POOLED} n`]: String(pooled.n), [MACRO]: fmt(macro.mean), backend: results.backend.id },
    cases: results.runs.map((r) => runCase(results, r)),
  });
}
