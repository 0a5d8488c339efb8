// Exact and near-duplicate removal over a pool of rows, in pool order (sources in manifest order, rows
// in source order): the first occurrence stays, later copies are dropped naming it. Exact duplicates
// compare the gate's normalised text (normalize.ts: lowercase, punctuation dropped) field by field;
// near duplicates compare word 3-gram sets of prompt and completion joined (minhash.ts).
import { preparedContentKey, type PreparedRow } from '../gate/contamination-index.js';
import { jaccardSorted, LshIndex, minhashSignature, shingleSet } from './minhash.js';

export interface DedupVerdict {
  kind: 'duplicate' | 'near-duplicate';
  /** Pool index of the row kept in its place. */
  of: number;
  /** Jaccard similarity of the word 3-gram sets (1 for exact duplicates). */
  similarity: number;
}

function normalisedFields(row: PreparedRow): string {
  return row.fields.map((f) => row.all.slice(f.start, f.start + f.len).join(' ')).join('\u0000');
}

/**
 * For each pool row, null when it stays or the row it duplicates. `near` is the Jaccard threshold
 * (null = exact duplicates only); `exact` false skips the exact check (near-duplicates still catch
 * copies, at similarity 1).
 */
export function findDuplicates(rows: readonly PreparedRow[], opts: { exact: boolean; near: number | null }): (DedupVerdict | null)[] {
  const out: (DedupVerdict | null)[] = new Array(rows.length).fill(null);
  const byKey = new Map<number, number[]>();
  const lsh = opts.near !== null ? new LshIndex() : null;
  const shingles: (Float64Array | undefined)[] = [];
  rows.forEach((row, i) => {
    let key = 0;
    if (opts.exact) {
      key = preparedContentKey(row);
      const text = normalisedFields(row);
      const first = byKey.get(key)?.find((j) => normalisedFields(rows[j]) === text);
      if (first !== undefined) {
        out[i] = { kind: 'duplicate', of: first, similarity: 1 };
        return;
      }
    }
    if (lsh && opts.near !== null) {
      const set = shingleSet(row.all);
      const sig = minhashSignature(set);
      let best: DedupVerdict | null = null;
      for (const j of lsh.candidates(sig)) {
        const s = jaccardSorted(set, shingles[j]!);
        if (s >= opts.near && (!best || s > best.similarity)) best = { kind: 'near-duplicate', of: j, similarity: s };
      }
      if (best) {
        out[i] = best;
        return;
      }
      shingles[i] = set;
      lsh.add(i, sig);
    }
    // Only rows that stay are what later rows can duplicate.
    if (opts.exact) {
      const same = byKey.get(key);
      if (same) same.push(i);
      else byKey.set(key, [i]);
    }
  });
  return out;
}
