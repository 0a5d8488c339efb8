// Asynchronous successive halving (ASHA, Li et al. 2020) for arms that run in parallel and finish
// rungs at different times: whenever a worker is free, an arm finished at rung r may go on to r + 1
// if it is in the top ⌊n_r/η⌋ of the n_r arms finished at r so far and was not promoted from r yet.
// Early promotions can be wrong (the top of a few is not the top of all); ASHA accepts that for
// never waiting on stragglers. The confidence stop of promotion.ts applies unchanged to the arms
// finished at a rung.

export interface RungResultEntry {
  arm: string;
  mean: number;
}

/** Arms finished at a rung that may be promoted now, best first (ties by arm id). */
export function ashaPromotable(finishedAtRung: readonly RungResultEntry[], promotedFromRung: ReadonlySet<string>, eta: number): string[] {
  const ranked = [...finishedAtRung].sort((a, b) => b.mean - a.mean || (a.arm < b.arm ? -1 : 1));
  const k = Math.floor(ranked.length / eta);
  return ranked.slice(0, k).filter((e) => !promotedFromRung.has(e.arm)).map((e) => e.arm);
}

/**
 * The next job for a free worker: promote the best promotable arm from the highest rung that has
 * one (finishing good arms first), else start an arm that has not run yet, else nothing (wait).
 */
export function ashaNextJob(
  finished: readonly RungResultEntry[][],
  promoted: readonly ReadonlySet<string>[],
  eta: number,
  notStarted: readonly string[],
  lastRung: number,
): { arm: string; toRung: number } | null {
  for (let r = Math.min(finished.length, lastRung) - 1; r >= 0; r--) {
    const up = ashaPromotable(finished[r] ?? [], promoted[r] ?? new Set(), eta);
    if (up.length) return { arm: up[0], toRung: r + 1 };
  }
  return notStarted.length ? { arm: notStarted[0], toRung: 0 } : null;
}
