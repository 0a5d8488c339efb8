// Seeded shuffles and ratio splits as HELM's scenarios write them, and HELM's instance ids.
import { PythonRandom } from '../../random/python-random.js';
import type { Instance } from '../../instance.js';

/** `random.seed(seed); random.shuffle(items)` on a copy (CPython-exact). */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const copy = items.slice();
  new PythonRandom(seed).shuffle(copy);
  return copy;
}

/** `k = int(len(data) * ratio)`: the first k are train, the rest valid. */
export function ratioSplitIndex(length: number, ratio: number): number {
  return Math.trunc(length * ratio);
}

/** HELM's runner names instances id0, id1, ... in scenario order (runner.with_instance_ids). */
export function withHelmIds(instances: Omit<Instance, 'id'>[]): Instance[] {
  return instances.map((inst, i) => ({ id: `id${i}`, ...inst }));
}
