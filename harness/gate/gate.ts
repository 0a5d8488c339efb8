// `evalfirst gate`: checks a fine-tuning dataset before it is used. It fails (exit 1) when a training
// row overlaps an evaluation instance of the suite, when rows do not parse, or when the optional
// proxy comparison fails its tolerance; the dataset diff against a baseline is reported, never fatal.
import { ContaminationIndex } from './contamination-index.js';
import { diffKeys, type DatasetDiff, type DatasetProfile } from './dataset-profile.js';
import { loadSuiteEvalTexts, type MissingBenchmark } from './eval-texts.js';
import { scanDataset, type ContaminatedRow } from './scan-dataset.js';
import type { EvalText } from './contamination-index.js';
import { runProxy, type ProxyOptions, type ProxyResult } from './proxy.js';

export interface GateOptions {
  dataset: string;
  baseline?: string;
  suite: string;
  dataDir: string;
  /** Eval texts given directly (tests, benchmarks); otherwise loaded from the suite. */
  evalTexts?: { texts: EvalText[]; instances: number; benchmarks: Record<string, number>; missing?: MissingBenchmark[] };
  /** Gate against the benchmarks whose data is present, listing the others (default: missing data is an error). */
  allowMissing?: boolean;
  /** Contamination threshold (see ContaminationIndex). */
  minCoverage?: number;
  /** Fine-tune and compare the proxy on baseline and new data (needs baseline). */
  proxy?: Omit<ProxyOptions, 'baseline' | 'dataset' | 'suite' | 'dataDir'>;
}

export interface GateReport {
  dataset: string;
  baseline: string | null;
  suite: string;
  evalInstances: number;
  benchmarks: Record<string, number>;
  /** Run entries not checked because their data is absent (only with allowMissing). */
  missing: MissingBenchmark[];
  rowsChecked: number;
  contaminationSeconds: number;
  contaminated: (Omit<ContaminatedRow, 'key'> & { in_baseline: boolean | null })[];
  profile: DatasetProfile;
  baselineProfile: DatasetProfile | null;
  diff: DatasetDiff | null;
  proxy: ProxyResult | null;
  /** Why the gate failed (empty when it passed). */
  failures: string[];
  passed: boolean;
}

export async function runGate(opts: GateOptions): Promise<GateReport> {
  const evalTexts = opts.evalTexts ?? (await loadSuiteEvalTexts(opts.suite, opts.dataDir, { allowMissing: opts.allowMissing }));
  const index = new ContaminationIndex({ minCoverage: opts.minCoverage });
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
  let proxy: ProxyResult | null = null;
  if (opts.proxy && scan.profile.schemaErrors.length) {
    failures.push('proxy fine-tune skipped: the new dataset has schema errors');
  } else if (opts.proxy) {
    if (!opts.baseline) throw new Error('runGate: proxy needs a baseline');
    proxy = await runProxy({ ...opts.proxy, baseline: opts.baseline, dataset: opts.dataset, suite: opts.suite, dataDir: opts.dataDir });
    // A measured drop fails the gate; an interval too wide to decide is reported, not failed.
    const failed = proxy.compare.gates.filter((g) => g.outcome === 'drop');
    if (failed.length) failures.push(`proxy fine-tune on the new data drops ${failed.map((g) => `${g.target} by ${(-g.delta).toFixed(4)} (CI low ${g.ciLow.toFixed(4)} < −${g.tolerance})`).join(', ')}`);
  }
  return {
    dataset: opts.dataset,
    baseline: opts.baseline ?? null,
    suite: opts.suite,
    evalInstances: evalTexts.instances,
    benchmarks: evalTexts.benchmarks,
    missing: evalTexts.missing ?? [],
    rowsChecked: scan.profile.rows,
    contaminationSeconds: scan.seconds,
    contaminated,
    profile: scan.profile,
    baselineProfile: base?.profile ?? null,
    diff: base ? diffKeys(base.keys, scan.keys) : null,
    proxy,
    failures,
    passed: failures.length === 0,
  };
}

/** "not checked (data absent): bbq (3 entries, e.g. …/bbq/data/Age.jsonl), …". */
export function missingNote(r: Pick<GateReport, 'missing'>): string {
  const byBench = new Map<string, { entries: number; file: string }>();
  for (const m of r.missing) {
    const b = byBench.get(m.benchmark) ?? { entries: 0, file: m.file };
    b.entries++;
    byBench.set(m.benchmark, b);
  }
  return `not checked, data absent (--allow-missing): ${[...byBench].map(([b, v]) => `${b} (${v.entries} run entr${v.entries === 1 ? 'y' : 'ies'}; e.g. ${v.file})`).join(', ')}`;
}
