// Decontamination of a mix against one or more suites: the gate's contamination index over every
// evaluation instance of the suites (eval-texts.ts), each candidate row checked as the gate checks a
// training row (exact field, 13-gram coverage, short text contained whole).
import { ContaminationIndex, type ContaminationHit, type EvalText, type PreparedRow } from '../gate/contamination-index.js';
import { loadSuiteEvalTexts } from '../gate/eval-texts.js';
import { loadSuite } from '../../tasks/suites/suite.js';
import { runSpecsForEntry } from '../../tasks/scenario-registry.js';

export interface EvalSet {
  /** Suite names as written in the manifest (or a label for texts given directly). */
  suites: string[];
  /** The run entries of those suites (they enter the mix version). */
  entries: string[];
  texts: EvalText[];
  instances: number;
  benchmarks: Record<string, number>;
  /** Data files the suites read, relative to the data dir. */
  files: string[];
}

export async function loadEvalSet(suites: readonly string[], resolved: readonly string[], dataDir: string): Promise<EvalSet> {
  const out: EvalSet = { suites: [...suites], entries: [], texts: [], instances: 0, benchmarks: {}, files: [] };
  const seen = new Set<string>();
  for (const s of resolved) {
    const loaded = await loadSuiteEvalTexts(s, dataDir);
    for (const t of loaded.texts) {
      // The same instance in two suites is indexed once.
      const key = `${t.benchmark}\u0000${t.run ?? ''}\u0000${t.instanceId}\u0000${t.field}\u0000${t.text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.texts.push(t);
    }
    out.instances += loaded.instances;
    for (const [b, n] of Object.entries(loaded.benchmarks)) out.benchmarks[b] = (out.benchmarks[b] ?? 0) + n;
    const suite = loadSuite(s);
    for (const entry of suite.entries) {
      out.entries.push(entry);
      for (const spec of await runSpecsForEntry(entry, { dataDir })) {
        for (const f of await spec.scenario.files(dataDir)) if (!out.files.includes(f)) out.files.push(f);
      }
    }
  }
  return out;
}

export interface ContaminationRecord {
  benchmark: string;
  instance_id: string;
  run: string | null;
  match: ContaminationHit['kind'];
  eval_field: 'input' | 'reference';
  row_field: string;
  matched_text: string;
  coverage: number | null;
}

export function makeContaminationCheck(texts: readonly EvalText[], minCoverage: number): (row: PreparedRow) => ContaminationRecord | null {
  const index = new ContaminationIndex({ minCoverage });
  for (const t of texts) index.add(t);
  return (row) => {
    const hit = index.checkPrepared(row);
    if (!hit) return null;
    return {
      benchmark: hit.evalText.benchmark,
      instance_id: hit.evalText.instanceId,
      run: hit.evalText.run ?? null,
      match: hit.kind,
      eval_field: hit.evalText.field,
      row_field: hit.field,
      matched_text: hit.match,
      coverage: hit.coverage ?? null,
    };
  };
}
