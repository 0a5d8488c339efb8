// The shape shared by the organisers' hidden classification scenarios (corr2cause, ethics_*):
// a CSV with a header, rows turned into (label, input), shuffled, split by ratio into train and
// valid, and two references named by label words with the row's label correct.
import type { Instance, Split } from '../../instance.js';
import type { PythonRandom } from '../../random/python-random.js';
import { withHelmIds, ratioSplitIndex, seededShuffle } from './splits.js';

export interface LabelledRow {
  label: number;
  input: string;
}

export interface LabelledSplitOptions {
  /** A seed for `random.seed(seed); random.shuffle(data)`, or the generator an unseeded `random.shuffle(data)` draws from (advanced). */
  seed: number | PythonRandom;
  /** Fraction of rows that become train (HELM: int(len(data) * ratio)). */
  trainRatio: number;
  /** Reference texts in order; reference i is correct when the row's label is i. */
  labelWords: readonly string[];
}

export function labelledInstances(rows: LabelledRow[], o: LabelledSplitOptions): Instance[] {
  let shuffled: LabelledRow[];
  if (typeof o.seed === 'number') shuffled = seededShuffle(rows, o.seed);
  else {
    shuffled = rows.slice();
    o.seed.shuffle(shuffled);
  }
  const k = ratioSplitIndex(shuffled.length, o.trainRatio);
  return withHelmIds(
    shuffled.map((r, i) => ({
      input: r.input,
      references: o.labelWords.map((text, j) => ({ text, correct: j === r.label })),
      split: (i < k ? 'train' : 'valid') as Split,
    })),
  );
}
