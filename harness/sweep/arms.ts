// Sweep arms: one trainer configuration each (LoRA r, alpha, target modules, learning rate, dropout or
// any trainer flag), from a grid (every combination, in the order the keys and values are written)
// or an explicit list. Ids are stable: the same grid always gives the same ids.

export type ArmValue = string | number | boolean;

export interface ArmSpec {
  /** "arm-03". */
  id: string;
  params: Record<string, ArmValue>;
}

export function armLabel(arm: ArmSpec): string {
  return Object.entries(arm.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function idOf(i: number, n: number): string {
  return `arm-${String(i).padStart(Math.max(2, String(n - 1).length), '0')}`;
}

/** Every combination of the grid's values; the last key varies fastest. */
export function gridArms(grid: Record<string, readonly ArmValue[]>): ArmSpec[] {
  const keys = Object.keys(grid);
  for (const k of keys) if (grid[k].length === 0) throw new Error(`sweep grid: "${k}" has no values`);
  let combos: Record<string, ArmValue>[] = [{}];
  for (const k of keys) combos = combos.flatMap((c) => grid[k].map((v) => ({ ...c, [k]: v })));
  return combos.map((params, i) => ({ id: idOf(i, combos.length), params }));
}

/** An explicit list of configurations; duplicates are refused (they would waste an arm). */
export function listArms(list: readonly Record<string, ArmValue>[]): ArmSpec[] {
  const seen = new Map<string, number>();
  return list.map((params, i) => {
    const key = JSON.stringify(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1)));
    const prior = seen.get(key);
    if (prior !== undefined) throw new Error(`sweep arms: configuration ${i} repeats configuration ${prior}`);
    seen.set(key, i);
    return { id: idOf(i, list.length), params: { ...params } };
  });
}
