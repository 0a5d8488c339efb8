// `evalfirst compare RUN_A RUN_B`: is B different from A, or is it noise? Exit 1 when a
// --fail-if-drop gate fails (see harness/compare/tolerance.ts for the rule).
import { Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { loadRunDir } from '../../core/run-dir.js';
import { compareRuns } from '../compare/compare-runs.js';
import { COMPARE_EXIT, GATE_RULE, compareExitCode, parseTolerances } from '../compare/tolerance.js';
import { renderCompareTable } from '../../reports/compare.js';
import { renderCompareMarkdown } from '../../reports/markdown/compare.js';
import { renderCompareJUnit } from '../../reports/junit/compare.js';
import { UserError } from '../../core/errors.js';
import { numberFlag, POSITIVE_INT } from '../../core/number-flag.js';


export function command(): Command {
  return new Command('compare')
    .description('compare two run directories: per-task and per-group deltas with paired bootstrap CIs, exact McNemar + Holm, flips, tolerance gates')
    .argument('<run_a>', 'baseline run directory (results.json + instances.jsonl)')
    .argument('<run_b>', 'candidate run directory')
    .option('--fail-if-drop <spec>', `tolerances, e.g. mmlu=0.01,*=0.02 (${GATE_RULE}); exit ${COMPARE_EXIT.passed} passed, ${COMPARE_EXIT.drop} a measured drop, ${COMPARE_EXIT.inconclusive} inconclusive (interval too wide), ${COMPARE_EXIT.usage} usage error`)
    .option('--json', 'print the comparison as JSON')
    .option('--markdown <file>', 'also write a Markdown summary (for a PR comment)')
    .option('--junit <file>', 'also write JUnit XML for CI: one test case per --fail-if-drop target; a drop fails, an inconclusive gate is skipped')
    .option('--unpaired', 'compare runs whose instances or prompts differ, as independent samples')
    .addOption(new Option('--resamples <n>', 'bootstrap resamples').default(10_000).argParser(numberFlag('--resamples', POSITIVE_INT)))
    .addOption(new Option('--seed <n>', 'bootstrap seed').default(20231120).argParser(numberFlag('--seed', POSITIVE_INT)))
    .action(async (runA: string, runB: string, opts: { failIfDrop?: string; json?: boolean; markdown?: string; junit?: string; unpaired?: boolean; resamples: number; seed: number }) => {
      if (opts.junit && !opts.failIfDrop) throw new UserError('--junit needs --fail-if-drop: its test cases are the gates (e.g. --fail-if-drop "*=0.02")');
      const tolerances = opts.failIfDrop ? parseTolerances(opts.failIfDrop) : undefined;
      const [a, b] = await Promise.all([loadRunDir(runA), loadRunDir(runB)]);
      const report = compareRuns(a, b, { unpaired: opts.unpaired, tolerances, resamples: opts.resamples, seed: opts.seed });
      if (opts.markdown) writeFileSync(opts.markdown, renderCompareMarkdown(report));
      if (opts.junit) writeFileSync(opts.junit, renderCompareJUnit(report));
      console.log(opts.json ? JSON.stringify(report, null, 2) : renderCompareTable(report));
      process.exitCode = compareExitCode(report.gates);
    });
}
