// One streaming pass over a training dataset: profile (hashes, lengths, sources, schema errors) and,
// when an index is given, the contaminated rows.
import { ContaminationIndex, prepareRow, preparedContentKey, type MatchKind } from './contamination-index.js';
import { ProfileBuilder, type DatasetProfile } from './dataset-profile.js';
import { readTrainingRows } from './training-rows.js';

export interface ContaminatedRow {
  line: number;
  benchmark: string;
  instance_id: string;
  /** The run spec of the instance (e.g. "mmlu:subject=anatomy,..."), when loaded from a suite. */
  run: string | null;
  /** How it matched: exact normalised field, shared 13-gram, or a short eval text contained whole. */
  match: MatchKind;
  /** The row field that matched ("row" for n-gram matches over the joined row). */
  row_field: string;
  /** Whether the eval text was the instance's input (question/passage) or a reference. */
  eval_field: 'input' | 'reference';
  /** The matching normalised tokens. */
  matched_text: string;
  /** Row content key, to tell rows already in the baseline from new ones. */
  key: number;
}

export interface DatasetScan {
  profile: DatasetProfile;
  keys: Map<number, number>;
  contaminated: ContaminatedRow[];
  seconds: number;
}

export async function scanDataset(file: string, index: ContaminationIndex | null): Promise<DatasetScan> {
  const t0 = process.hrtime.bigint();
  const builder = new ProfileBuilder(file);
  const contaminated: ContaminatedRow[] = [];
  for await (const r of readTrainingRows(file)) {
    if (r.error) {
      builder.addError(r.error);
      continue;
    }
    const prepared = prepareRow(r.row.fields);
    builder.addRow(r.row, prepared);
    if (!index) continue;
    const hit = index.checkPrepared(prepared);
    if (hit) {
      contaminated.push({
        line: r.row.line,
        benchmark: hit.evalText.benchmark,
        instance_id: hit.evalText.instanceId,
        run: hit.evalText.run ?? null,
        match: hit.kind,
        row_field: hit.field,
        eval_field: hit.evalText.field,
        matched_text: hit.match,
        key: preparedContentKey(prepared),
      });
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { profile: builder.build(), keys: builder.keys, contaminated, seconds };
}
