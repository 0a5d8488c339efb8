// A candidate row of a mix: a prompt/completion pair with where it came from and what was done to it.

/** Where a row came from: a file line (JSONL, CSV), a Parquet row, or a benchmark instance. */
export type Origin =
  | { file: string; line: number }
  | { file: string; row: number }
  | { benchmark: string; run: string; instance_id: string; split: string };

export interface Candidate {
  source: string;
  origin: Origin;
  prompt: string;
  completion: string;
  /** Transformations applied so far (shared arrays: rows of one source and shape share one). */
  transforms: readonly string[];
}

/** "data/a.jsonl:12", "b.parquet row 3", "gsm id42 (train)". */
export function describeOrigin(o: Origin): string {
  if ('benchmark' in o) return `${o.run} ${o.instance_id} (${o.split})`;
  if ('row' in o) return `${o.file} row ${o.row}`;
  return `${o.file}:${o.line}`;
}

/** The text filters and duplicate checks look at: prompt and completion joined by a newline. */
export function candidateText(c: { prompt: string; completion: string }): string {
  return `${c.prompt}\n${c.completion}`;
}
