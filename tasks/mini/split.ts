// The split of a generated question is the pool of the people it is about. People are dealt into
// three disjoint pools (train, valid, test) in exact proportions; every question of every family is
// built from one pool's people (and, for BBQ-style scenes, that split's places and scene wording),
// so a valid or test question shares no name with any training row: its text cannot be a training
// row with a word changed, because the words that make it that question never occur in training.
import type { Split } from '../instance.js';

export interface SplitRatios {
  train: number;
  valid: number;
}

export const DEFAULT_RATIOS: SplitRatios = { train: 0.6, valid: 0.2 };

export const SPLITS: readonly Split[] = ['train', 'valid', 'test'];

/** The first round(train·n) items to train, the next round(valid·n) to valid, the rest to test. */
export function dealPools<T>(items: readonly T[], ratios: SplitRatios = DEFAULT_RATIOS): Record<Split, T[]> {
  if (!(ratios.train > 0 && ratios.valid >= 0 && ratios.train + ratios.valid < 1)) throw new Error(`bad split ratios ${JSON.stringify(ratios)}`);
  const nTrain = Math.round(items.length * ratios.train);
  const nValid = Math.round(items.length * ratios.valid);
  return { train: items.slice(0, nTrain), valid: items.slice(nTrain, nTrain + nValid), test: items.slice(nTrain + nValid) };
}
