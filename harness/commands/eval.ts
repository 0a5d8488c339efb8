// `evalfirst eval`: run entries or a suite against a model server (challenge protocol or
// OpenAI-compatible, one or more replicas) or an embedded model, cached and resumable.
import { Command, Option } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkBackendConfig, createBackend, parseProtocol, parseServerList, type BackendConfig } from '../../model/backends/factory.js';
import { numberFlag, NON_NEGATIVE_INT, POSITIVE_INT } from '../../core/number-flag.js';
import { evaluate, DEFAULT_CONCURRENCY, type EvaluateOptions } from '../runner/evaluate.js';
import { defaultCachePath } from '../../core/paths.js';
import { readRunConfig, type BackendRecord } from '../runner/run-config.js';
import { defaultRunDir, runDirPaths } from '../../core/run-dir.js';
import { createProgressReporter } from '../runner/progress.js';
import { renderErrorSummary, renderResultsTable, renderWarnings } from '../../reports/table.js';
import { resolveDataDir } from '../../core/paths.js';
import { UserError } from '../../core/errors.js';
import { loadSuite } from '../../tasks/suites/suite.js';
import { colorWanted } from '../../reports/terminal-style.js';
import { writeReport } from '../../reports/html/write-report.js';
import { renderEvalJUnit } from '../../reports/junit/eval.js';

interface EvalFlags {
  suite?: string;
  helmProcessOrder?: string;
  server?: string;
  protocol: string;
  modelName?: string;
  tokenizer?: string;
  maxSequenceLength?: number;
  model?: string;
  adapter?: string;
  quant?: string;
  threads?: number;
  dataDir?: string;
  out?: string;
  concurrency: number;
  maxEvalInstances?: number;
  limit?: number;
  json?: boolean;
  cache: boolean;
  resume?: string;
  timeout?: number;
  retries?: number;
  progress: boolean;
  junit?: string;
}

/** What a run is, from the flags or (on --resume) from config.json; evaluate() builds the RunConfig it records. */
type EvalPlan = Pick<EvaluateOptions, 'entries' | 'suite' | 'dataDir' | 'concurrency' | 'maxEvalInstances' | 'limit' | 'helmProcessOrder' | 'cachePath'> & { backend: BackendRecord };

function backendConfigFromFlags(f: EvalFlags): BackendConfig {
  if (f.model && f.server) throw new UserError('give either --server or --model, not both');
  if (f.model) {
    if (f.quant && f.quant !== 'nf4' && f.quant !== 'none') throw new UserError(`--quant must be nf4 or none, got "${f.quant}"`);
    return { kind: 'embedded', protocol: 'embedded', model: f.model, adapter: f.adapter, quant: f.quant as 'nf4' | 'none' | undefined, threads: f.threads, maxSequenceLength: f.maxSequenceLength };
  }
  if (!f.server) throw new UserError('eval needs --server URL (or --model PATH for the embedded runtime, or --resume RUN_DIR)');
  return {
    kind: 'http',
    protocol: parseProtocol(f.protocol),
    urls: parseServerList(f.server),
    modelName: f.modelName,
    tokenizerPath: f.tokenizer,
    maxSequenceLength: f.maxSequenceLength,
    timeoutMs: f.timeout !== undefined ? f.timeout * 1000 : undefined,
    retries: f.retries,
  };
}

function processOrder(nameOrPath: string): { label: string; entries: string[] } {
  const suite = loadSuite(nameOrPath);
  return { label: suite.name, entries: suite.entries };
}

export function command(): Command {
  return new Command('eval')
    .description('evaluate run entries or a suite against a model server or an embedded model')
    .argument('[entries...]', 'HELM run entries, e.g. "mmlu:subject=anatomy,max_eval_instances=15"')
    .option('--suite <name|file>', 'a suite name (tasks/suites) or a .conf file of run entries')
    .option('--helm-process-order <suite>', "draw the ETHICS splits from the random state HELM's process left when running this suite's runs in order (default: the evaluated entries' own order)")
    .option('--server <urls>', 'model server base URL(s), comma-separated replicas')
    .addOption(new Option('--protocol <p>', 'server protocol').choices(['neurips', 'openai']).default('neurips'))
    .option('--model-name <name>', 'model name sent to an OpenAI-compatible server')
    .option('--tokenizer <tokenizer.json>', 'count tokens locally with this tokenizer.json instead of the server\'s /tokenize')
    .option('--max-sequence-length <n>', 'context window for prompt fitting (default: 2048 for servers, as neurips/local; the model\'s context for --model)', numberFlag('--max-sequence-length', POSITIVE_INT))
    .option('--model <path>', 'evaluate an embedded model (HF folder or GGUF) instead of a server')
    .option('--adapter <dir>', 'PEFT LoRA adapter for --model')
    .option('--quant <nf4|none>', 'quantize --model weights')
    .option('--threads <n>', 'threads for --model', numberFlag('--threads', POSITIVE_INT))
    .option('--data-dir <dir>', 'benchmark data folder (default $EVALFIRST_DATA or the user cache)')
    .option('--out <dir>', 'run directory (default runs/<timestamp>)')
    .option('--concurrency <n>', 'requests in flight', numberFlag('--concurrency', POSITIVE_INT), DEFAULT_CONCURRENCY)
    .option('--max-eval-instances <n>', 'eval instances per run where the entry sets none', numberFlag('--max-eval-instances', POSITIVE_INT))
    .option('--limit <n>', "at most N eval instances per run, as HELM selects them (max_eval_instances = min(the entry's, N): numpy's seeded choice, so every model gets the same N, unlike lm-eval's first N)", numberFlag('--limit', POSITIVE_INT))
    .option('--timeout <seconds>', 'per-attempt HTTP timeout (default 3000, as HELM)', numberFlag('--timeout', POSITIVE_INT))
    .option('--retries <n>', 'retries per request on connection errors, 5xx and 429 (default 5)', numberFlag('--retries', NON_NEGATIVE_INT))
    .option('--json', 'print results.json to stdout instead of the table')
    .option('--junit <file>', 'also write JUnit XML for CI: one test case per task, failed when any of its requests failed (scores in system-out)')
    .option('--no-cache', 'do not read or write the request cache')
    .option('--no-progress', 'no progress bar or progress lines')
    .option('--resume <run_dir>', 'continue an interrupted run from its journal')
    .action(async (entries: string[], flags: EvalFlags) => {
      process.exitCode = await runEval(entries, flags);
    });
}

async function runEval(positional: string[], flags: EvalFlags): Promise<number> {
  let plan: EvalPlan;
  let outDir: string;
  if (flags.resume) {
    if (positional.length > 0 || flags.suite || flags.helmProcessOrder || flags.server || flags.model) throw new UserError('--resume takes its entries and backend from the run directory; give no others');
    outDir = flags.resume;
    const saved = readRunConfig(outDir);
    plan = {
      entries: saved.entries,
      suite: saved.suite,
      backend: saved.backend,
      dataDir: saved.dataDir,
      concurrency: saved.concurrency,
      maxEvalInstances: saved.maxEvalInstances,
      limit: saved.limit,
      helmProcessOrder: saved.helmProcessOrder,
      // --no-cache (which a corrupt cache's error recommends) holds on resume too
      cachePath: flags.cache ? saved.cache : null,
    };
  } else {
    let entries = [...positional];
    if (flags.suite) entries = entries.concat(loadSuite(flags.suite).entries);
    if (entries.length === 0) throw new UserError('nothing to evaluate: give run entries or --suite');
    outDir = flags.out ?? defaultRunDir(new Date(), join(process.cwd(), 'runs'));
    if (existsSync(runDirPaths(outDir).config)) throw new UserError(`${outDir} already holds a run; continue it with --resume ${outDir} or choose another --out`);
    plan = {
      entries,
      suite: flags.suite,
      backend: backendConfigFromFlags(flags),
      dataDir: resolveDataDir(flags.dataDir),
      concurrency: flags.concurrency,
      maxEvalInstances: flags.maxEvalInstances,
      limit: flags.limit,
      ...(flags.helmProcessOrder ? { helmProcessOrder: processOrder(flags.helmProcessOrder) } : {}),
      cachePath: flags.cache ? defaultCachePath() : null,
    };
  }
  const { backend: record, ...run } = plan;
  const backendConfig = checkBackendConfig(record, `${outDir}/config.json`);
  const backend = await createBackend(backendConfig);
  const progress = flags.progress && !flags.json ? createProgressReporter(process.stderr) : undefined;
  // Ctrl-C: every answer so far is already in the journal; say how to carry on.
  const onInterrupt = () => {
    progress?.stop();
    console.error(`\nevalfirst: interrupted; completed requests are kept. Continue with: evalfirst eval --resume ${outDir}`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  let results;
  let records;
  try {
    ({ results, records } = await evaluate({
      ...run,
      backend,
      backendConfig,
      outDir,
      resume: Boolean(flags.resume),
      onProgress: progress ? (e) => progress.update(e) : undefined,
    }));
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    progress?.stop();
    await backend.close?.();
  }
  // The run's HTML report, rewritten after every run (also on --resume).
  const report = join(outDir, 'report.html');
  try {
    await writeReport([outDir], report);
  } catch (e) {
    console.error(`evalfirst: report not written: ${(e as Error).message}`);
  }
  if (flags.junit) writeFileSync(flags.junit, renderEvalJUnit(results, records, outDir));
  if (flags.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else {
    console.log(renderResultsTable(results, { color: colorWanted(process.stdout) }));
    console.log(`results: ${runDirPaths(outDir).results}`);
    console.log(`report: ${report}`);
  }
  const warnings = renderWarnings(results);
  if (warnings) console.error(warnings);
  const errors = renderErrorSummary(results);
  if (errors) console.error(errors);
  return results.errors.count > 0 ? 1 : 0;
}

