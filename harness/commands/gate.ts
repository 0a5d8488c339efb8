// `evalfirst gate --dataset NEW [--baseline OLD] --suite S`: the CI gate for fine-tuning data.
// Exit 0 clean, 1 gate failed (contamination, unparseable rows), 2 usage or input error.
import { Command, Option } from 'commander';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../version.js';
import { parseTolerances } from '../compare/tolerance.js';
import { renderCompareTable } from '../../reports/compare.js';
import { DEFAULT_MIN_COVERAGE } from '../gate/contamination-index.js';
import { resolveDataDir } from '../../core/paths.js';
import { missingNote, runGate, type GateReport } from '../gate/gate.js';
import { renderGateJUnit } from '../../reports/junit/gate.js';
import { renderGateMarkdown } from '../../reports/markdown/gate.js';
import { numberFlag } from '../../core/number-flag.js';
import { UserError } from '../../core/errors.js';

interface GateFlags {
  dataset: string;
  baseline?: string;
  suite: string;
  dataDir?: string;
  proxy?: boolean;
  allowMissing?: boolean;
  junit?: string;
  markdown?: string;
  json?: boolean;
  minCoverage: number;
  proxyBase?: string;
  proxySteps: number;
  proxySeed: number;
  proxyMaxEval: number;
  proxyQuant: 'nf4' | 'none';
  proxyWorkDir?: string;
  failIfDrop: string;
}


/** The proxy base: --proxy-base, else the shipped tiny base when it exists. */
function proxyBase(flag: string | undefined): string {
  const dir = resolve(flag ?? join(PROJECT_ROOT, 'model', 'assets', 'tiny-base'));
  if (!existsSync(join(dir, 'config.json'))) {
    throw new UserError(flag ? `--proxy-base ${flag}: no config.json there (expected an HF LLaMA folder)` : `--proxy needs a base model: no shipped tiny base at ${dir}; give --proxy-base DIR`);
  }
  return dir;
}

function summary(r: GateReport): string {
  const out: string[] = [];
  out.push(`gate ${r.dataset} against suite ${r.suite} (${r.evalInstances} eval instances; ${r.rowsChecked} rows checked in ${r.contaminationSeconds.toFixed(2)} s)`);
  for (const c of r.contaminated.slice(0, 50)) out.push(`  contaminated: line ${c.line}: ${c.match} match with ${c.benchmark} ${c.instance_id} (${c.eval_field}): ${JSON.stringify(c.matched_text.slice(0, 100))}`);
  if (r.contaminated.length > 50) out.push(`  … ${r.contaminated.length - 50} more contaminated rows (--json lists all)`);
  for (const e of r.profile.schemaErrors.slice(0, 20)) out.push(`  schema error: ${r.dataset}:${e.line}: ${e.message}`);
  const p = r.profile;
  out.push(`rows ${p.rows}, duplicates ${p.duplicateCount}${p.tokens ? `, tokens/row min ${p.tokens.min} median ${p.tokens.median} p95 ${p.tokens.p95} max ${p.tokens.max}` : ''}`);
  out.push(`sources: ${Object.entries(p.sources).map(([s, n]) => `${s}=${n}`).join(', ') || '—'}`);
  if (r.diff && r.baselineProfile) out.push(`vs baseline ${r.baseline} (${r.baselineProfile.rows} rows): +${r.diff.added} added, −${r.diff.removed} removed`);
  if (r.proxy) out.push(`proxy: baseline run ${r.proxy.baselineRun}, new run ${r.proxy.newRun}`, renderCompareTable(r.proxy.compare));
  if (r.missing.length) out.push(missingNote(r));
  out.push(r.passed ? 'gate passed' : `GATE FAILED: ${r.failures.join('; ')}`);
  return out.join('\n');
}

export function command(): Command {
  return new Command('gate')
    .description('gate a fine-tuning dataset: contamination with a suite (13-gram + exact), diff against a baseline; JUnit/Markdown/JSON')
    .requiredOption('--dataset <file>', 'the new training set (JSONL: prompt/completion, instruction/input/output or text rows)')
    .option('--baseline <file>', 'the previous version of the training set, for the diff')
    .requiredOption('--suite <name>', 'suite whose evaluation instances must not be in the training set')
    .option('--data-dir <dir>', 'benchmark data directory (default: $EVALFIRST_DATA or the user cache)')
    .option('--allow-missing', 'gate against the benchmarks whose data is present and list the others (default: missing data is an error, exit 2)')
    .addOption(new Option('--min-coverage <x>', 'contamination: share of an eval text the shared 13-grams must cover (0 = any shared 13-gram)').default(DEFAULT_MIN_COVERAGE).argParser(numberFlag('--min-coverage', { min: 0, max: 1 })))
    .option('--proxy', 'fine-tune the embedded proxy on baseline and new data (same seed and steps) and compare the two runs')
    .option('--proxy-base <dir>', 'base model for --proxy (default: the shipped tiny base)')
    .addOption(new Option('--proxy-steps <n>', 'fine-tuning steps per dataset').default(50).argParser(numberFlag('--proxy-steps', { min: 1, max: 1e7, integer: true })))
    .addOption(new Option('--proxy-seed <n>', 'fine-tuning seed (same for both)').default(0).argParser(numberFlag('--proxy-seed', { min: 0, max: 2 ** 32 - 1, integer: true })))
    .addOption(new Option('--proxy-max-eval <n>', 'eval instances per run entry').default(50).argParser(numberFlag('--proxy-max-eval', { min: 1, max: 1e7, integer: true })))
    .addOption(new Option('--proxy-quant <q>', 'base quantisation').choices(['nf4', 'none']).default('nf4'))
    .option('--proxy-work-dir <dir>', 'where the proxy runs go (default: a new temp folder)')
    .option('--fail-if-drop <spec>', 'proxy tolerance gates, as for compare', '*=0.02')
    .option('--junit <file>', 'write JUnit XML')
    .option('--markdown <file>', 'write a Markdown summary (for a PR comment)')
    .option('--json', 'print the report as JSON')
    .action(async (flags: GateFlags) => {
      let proxy;
      if (flags.proxy) {
        if (!flags.baseline) throw new UserError('--proxy needs --baseline (the proxy is fine-tuned on both versions and the runs compared)');
        const workDir = flags.proxyWorkDir ? resolve(flags.proxyWorkDir) : mkdtempSync(join(tmpdir(), 'evalfirst-gate-proxy-'));
        proxy = {
          base: proxyBase(flags.proxyBase),
          workDir,
          steps: flags.proxySteps,
          seed: flags.proxySeed,
          maxEvalInstances: flags.proxyMaxEval,
          quant: flags.proxyQuant,
          tolerances: parseTolerances(flags.failIfDrop),
          log: (line: string) => console.error(line),
        };
      }
      const report = await runGate({ dataset: flags.dataset, baseline: flags.baseline, suite: flags.suite, dataDir: resolveDataDir(flags.dataDir), minCoverage: flags.minCoverage, allowMissing: flags.allowMissing, proxy });
      if (flags.junit) writeFileSync(flags.junit, renderGateJUnit(report));
      if (flags.markdown) writeFileSync(flags.markdown, renderGateMarkdown(report));
      console.log(flags.json ? JSON.stringify(report, null, 2) : summary(report));
      process.exitCode = report.passed ? 0 : 1;
    });
}
