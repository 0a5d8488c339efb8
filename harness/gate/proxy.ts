// `gate --proxy`: fine-tune the embedded proxy model on the baseline and on the new dataset with
// the same base, seed and step budget, evaluate both adapters on the suite with the embedded
// runtime, and compare the two runs (paired, with tolerance gates). Everything is written under
// workDir so the two run directories can be opened with `compare`, `explain` or `report`.
import { join } from 'node:path';
import { finetune } from '../../model/train/finetune.js';
import { createBackend, type EmbeddedBackendConfig } from '../../model/backends/factory.js';
import { evaluate } from '../runner/evaluate.js';
import { loadSuite } from '../../tasks/suites/suite.js';
import { loadRunDir } from '../../core/run-dir.js';
import { compareRuns, type CompareReport } from '../compare/compare-runs.js';
import type { Tolerance } from '../compare/tolerance.js';
import { UserError } from '../../core/errors.js';

export interface ProxyOptions {
  /** Base model folder (config.json, model.safetensors, tokenizer.json). */
  base: string;
  baseline: string;
  dataset: string;
  suite: string;
  dataDir: string;
  workDir: string;
  steps: number;
  seed: number;
  /** Instances per run entry that sets none (keeps the proxy cheap). */
  maxEvalInstances: number;
  quant: 'nf4' | 'none';
  tolerances: Tolerance[];
  log?: (line: string) => void;
}

export interface ProxyResult {
  baselineRun: string;
  newRun: string;
  compare: CompareReport;
}

async function trainAndEvaluate(o: ProxyOptions, label: 'baseline' | 'new', data: string, entries: string[]): Promise<string> {
  const trainDir = join(o.workDir, label, 'train');
  o.log?.(`proxy: fine-tuning on ${data} (${o.steps} steps, seed ${o.seed}) → ${trainDir}`);
  const ft = await finetune({ base: o.base, data, out: trainDir, maxSteps: o.steps, checkpointEvery: o.steps, seed: o.seed, quant: o.quant });
  if (ft.error || !ft.lastCheckpoint) throw new UserError(`proxy: fine-tuning on ${data} failed: ${ft.error ?? 'no checkpoint written'}`);
  const backendConfig: EmbeddedBackendConfig = { kind: 'embedded', protocol: 'embedded', model: o.base, adapter: ft.lastCheckpoint, quant: o.quant };
  const backend = await createBackend(backendConfig);
  const evalDir = join(o.workDir, label, 'eval');
  o.log?.(`proxy: evaluating ${ft.lastCheckpoint} on suite ${o.suite} → ${evalDir}`);
  const { results } = await evaluate({
    entries,
    suite: o.suite,
    backend,
    dataDir: o.dataDir,
    outDir: evalDir,
    concurrency: 1,
    maxEvalInstances: o.maxEvalInstances,
    backendConfig,
  });
  if (results.errors.count > 0) throw new UserError(`proxy: ${results.errors.count} request(s) failed evaluating ${label}; first: ${results.errors.first[0]?.message ?? 'unknown'}`);
  return evalDir;
}

export async function runProxy(o: ProxyOptions): Promise<ProxyResult> {
  const entries = loadSuite(o.suite).entries;
  const baselineRun = await trainAndEvaluate(o, 'baseline', o.baseline, entries);
  const newRun = await trainAndEvaluate(o, 'new', o.dataset, entries);
  const compare = compareRuns(await loadRunDir(baselineRun), await loadRunDir(newRun), { tolerances: o.tolerances });
  return { baselineRun, newRun, compare };
}
