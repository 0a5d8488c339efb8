// Seeded split assignment for generated instances: a stable hash of (seed, key) decides the split,
// so adding a family or a person never moves existing questions between splits.
import type { Split } from '../instance.js';
import { hashString } from './random.js';

export interface SplitRatios {
  train: number;
  valid: number;
}

export const DEFAULT_RATIOS: SplitRatios = { train: 0.6, valid: 0.2 };

export function assignSplit(seed: number, key: string, ratios: SplitRatios = DEFAULT_RATIOS): Split {
  const u = hashString(`${seed}\u0000${key}`) / 4294967296;
  if (u < ratios.train) return 'train';
  if (u < ratios.train + ratios.valid) return 'valid';
  return 'test';
}
