// `evalfirst gate`: checks a fine-tuning dataset before it is used. It fails (exit 1) when a training
// row overlaps an evaluation instance of the suite, when rows do not parse, or when the optional
// proxy comparison fails its tolerance; the dataset diff against a baseline is reported, never fatal.
import { ContaminationIndex } from './contamination-index.js';
import { diffKeys, type DatasetDiff, type DatasetProfile } from './dataset-profile.js';
import { loadSuiteEvalTexts } from './eval-texts.js';
import { scanDataset, type ContaminatedRow } from './scan-dataset.js';
import type { EvalText } from './contamination-index.js';

export interface GateOptions {
  dataset: string;
  baseline?: string;
  suite: string;
  dataDir: string;
  /** Eval texts given directly (tests, benchmarks); otherwise loaded from the suite. */
  evalTexts?: { texts: EvalText[]; instances: number; benchmarks: Record<string, number> };
}

export interface GateReport {
  dataset: string;
  baseline: string | null;
  suite: string;
  evalInstances: number;
  benchmarks: Record<string, number>;
  rowsChecked: number;
  contaminationSeconds: number;
  contaminated: (Omit<ContaminatedRow, 'key'> & { in_baseline: boolean | null })[];
  profile: DatasetProfile;
  baselineProfile: DatasetProfile | null;
  diff: DatasetDiff | null;
  /** Why the gate failed (empty when it passed). */
  failures: string[];
  passed: boolean;
}

export async function runGate(opts: GateOptions): Promise<GateReport> {
  const evalTexts = opts.evalTexts ?? (await loadSuiteEvalTexts(opts.suite, opts.dataDir));
  const index = new ContaminationIndex();
  for (const t of evalTexts.texts) index.add(t);
  const scan = await scanDataset(opts.dataset, index);
  const base = opts.baseline ? await scanDataset(opts.baseline, null) : null;
  const contaminated = scan.contaminated.map(({ key, ...rest }) => ({ ...rest, in_baseline: base ? base.keys.has(key) : null }));
  const failures: string[] = [];
  if (contaminated.length) {
    const byBench = new Map<string, number>();
    for (const c of contaminated) byBench.set(c.benchmark, (byBench.get(c.benchmark) ?? 0) + 1);
    failures.push(`${contaminated.length} training row(s) overlap evaluation instances (${[...byBench].map(([b, n]) => `${b}: ${n}`).join(', ')})`);
  }
  if (scan.profile.schemaErrors.length) failures.push(`${scan.profile.schemaErrors.length} row(s) of ${opts.dataset} do not parse (first at line ${scan.profile.schemaErrors[0].line})`);
  return {
    dataset: opts.dataset,
    baseline: opts.baseline ?? null,
    suite: opts.suite,
    evalInstances: evalTexts.instances,
    benchmarks: evalTexts.benchmarks,
    rowsChecked: scan.profile.rows,
    contaminationSeconds: scan.seconds,
    contaminated,
    profile: scan.profile,
    baselineProfile: base?.profile ?? null,
    diff: base ? diffKeys(base.keys, scan.keys) : null,
    failures,
    passed: failures.length === 0,
  };
}
