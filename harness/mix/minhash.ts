// Near-duplicate detection: MinHash signatures of word 3-gram sets with LSH banding for candidates,
// and the exact Jaccard similarity of the two sets to decide. No npm MinHash library is both
// maintained and deterministic across platforms (the one named "minhash" is 0.0.x, ~8k downloads a
// month), so this builds on the gate's n-gram hashing (ngram-hash.ts) instead.
//
// Why 3-grams: fine-tuning rows are short. One word changed in a row of n normalised tokens leaves a
// 3-gram Jaccard of (n − 5)/(n + 1), ≥ 0.8 from n = 29; with 5-grams (web-document practice) it is
// (n − 9)/(n + 1), ≥ 0.8 only from n = 49. Measured at the default threshold 0.8: no pair among the
// mini families' train rows (576), GSM8K train (7,473) and MMLU dev (285) is flagged besides one
// exact duplicate in MMLU college_physics dev; at 0.7, four mini_bbq template-mates (different
// questions) would be.
//
// Choice of bands b and rows r (k = b·r = 120 permutations): two rows of Jaccard similarity s share a
// bucket in some band with probability 1 − (1 − s^r)^b. With b = 20, r = 6 a pair at s = 0.8 is a
// candidate with probability 0.998 (0.9998 at 0.85, > 0.99999 at 0.9), one at s = 0.5 with 0.27, at
// 0.3 with 0.015. Candidates are verified by the exact Jaccard of the shingle sets, so banding costs
// only recall below the threshold, never precision; b, r favour recall at the default threshold 0.8.
import { prefixHashes, spanKey } from '../gate/ngram-hash.js';
import { uniforms } from '../../kernels/rng.js';

export const SHINGLE_WORDS = 3;
export const LSH_BANDS = 20;
export const LSH_ROWS = 6;
export const NUM_PERMUTATIONS = LSH_BANDS * LSH_ROWS;

/** Sorted distinct 53-bit keys of the word n-grams of normalised tokens (the whole text when shorter). */
export function shingleSet(tokens: readonly string[], n = SHINGLE_WORDS): Float64Array {
  if (tokens.length === 0) return new Float64Array(0);
  const p = prefixHashes(tokens);
  const len = Math.min(n, tokens.length);
  const keys = new Set<number>();
  for (let i = 0; i + len <= tokens.length; i++) keys.add(spanKey(p, i, len));
  return Float64Array.from(keys).sort();
}

/** |A ∩ B| / |A ∪ B| of two sorted distinct key arrays (1 for two empty sets). */
export function jaccardSorted(a: Float64Array, b: Float64Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return inter / (a.length + b.length - inter);
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Per-permutation seeds, fixed: the same text has the same signature in every run and version. */
const SEEDS: Uint32Array = (() => {
  const rng = uniforms(0x5eed1234);
  const s = new Uint32Array(2 * NUM_PERMUTATIONS);
  for (let i = 0; i < s.length; i++) s[i] = Math.floor(rng() * 4294967296);
  return s;
})();

/** MinHash signature: per permutation, the minimum of a seeded 32-bit hash over the set's keys. */
export function minhashSignature(keys: Float64Array): Uint32Array {
  const sig = new Uint32Array(NUM_PERMUTATIONS).fill(0xffffffff);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const lo = key % 4294967296 >>> 0;
    const hi = Math.floor(key / 4294967296) >>> 0;
    for (let p = 0; p < NUM_PERMUTATIONS; p++) {
      const h = fmix32(Math.imul(lo ^ SEEDS[2 * p], 0x9e3779b1) ^ fmix32(hi ^ SEEDS[2 * p + 1]));
      if (h < sig[p]) sig[p] = h;
    }
  }
  return sig;
}

/** One 53-bit key per band of a signature. */
function bandKeys(sig: Uint32Array): number[] {
  const out: number[] = [];
  for (let b = 0; b < LSH_BANDS; b++) {
    let x = 0x811c9dc5;
    let y = 0x01000193 ^ b;
    for (let r = 0; r < LSH_ROWS; r++) {
      const v = sig[b * LSH_ROWS + r];
      x = fmix32(Math.imul(x ^ v, 0x01000193));
      y = fmix32(Math.imul(y + v, 0xcc9e2d51));
    }
    out.push((x >>> 11) * 4294967296 + y);
  }
  return out;
}

/** Banded LSH over the rows added so far: candidates share a whole band with the query. */
export class LshIndex {
  private readonly bands: Map<number, number[]>[] = Array.from({ length: LSH_BANDS }, () => new Map());

  add(id: number, sig: Uint32Array): void {
    bandKeys(sig).forEach((k, b) => {
      const list = this.bands[b].get(k);
      if (list) list.push(id);
      else this.bands[b].set(k, [id]);
    });
  }

  /** Ids sharing at least one band with the signature, ascending. */
  candidates(sig: Uint32Array): number[] {
    const found = new Set<number>();
    bandKeys(sig).forEach((k, b) => {
      for (const id of this.bands[b].get(k) ?? []) found.add(id);
    });
    return [...found].sort((a, b) => a - b);
  }
}

/** Probability that a pair of Jaccard similarity s becomes an LSH candidate. */
export function candidateProbability(s: number, bands = LSH_BANDS, rows = LSH_ROWS): number {
  return 1 - (1 - s ** rows) ** bands;
}
