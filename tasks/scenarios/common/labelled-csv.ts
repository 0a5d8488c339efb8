// The shape shared by the organisers' hidden classification scenarios (corr2cause, ethics_*):
// a CSV with a header, rows turned into (label, input), shuffled, split by ratio into train and
// valid, and two references named by label words with the row's label correct.
import type { Instance, Split } from '../../instance.js';
import { withHelmIds, ratioSplitIndex, seededShuffle } from './splits.js';

export interface LabelledRow {
  label: number;
  input: string;
}

export interface LabelledSplitOptions {
  /** Seed for `random.seed(seed); random.shuffle(data)`. */
  seed: number;
  /** Fraction of rows that become train (HELM: int(len(data) * ratio)). */
  trainRatio: number;
  /** Reference texts in order; reference i is correct when the row's label is i. */
  labelWords: readonly string[];
}

export function labelledInstances(rows: LabelledRow[], o: LabelledSplitOptions): Instance[] {
  const shuffled = seededShuffle(rows, o.seed);
  const k = ratioSplitIndex(shuffled.length, o.trainRatio);
  return withHelmIds(
    shuffled.map((r, i) => ({
      input: r.input,
      references: o.labelWords.map((text, j) => ({ text, correct: j === r.label })),
      split: (i < k ? 'train' : 'valid') as Split,
    })),
  );
}
