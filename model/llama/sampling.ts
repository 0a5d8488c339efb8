// Choosing the next token from a logit row: greedy, or temperature with optional top-k and top-p
// (nucleus) filtering, drawn from a seeded RNG; and the log-probabilities reported with it, which
// are always log-softmax of the raw logits (temperature does not change what is reported, as with
// llama.cpp's and HF's logprobs).
import { argmax, logSumExp, topK } from '../../kernels/index.js';
import type { Rng } from '../../kernels/rng.js';

export interface SamplingParams {
  /** <= GREEDY_TEMPERATURE means greedy (HELM sends 1e-7 for temperature 0). */
  temperature: number;
  /** 0 = no top-k filter. */
  topK: number;
  /** 1 = no nucleus filter. */
  topP: number;
}

export const GREEDY_TEMPERATURE = 1e-5;

export function isGreedy(p: SamplingParams): boolean {
  return !(p.temperature > GREEDY_TEMPERATURE);
}

let idxBuf = new Int32Array(0);

/** Draws one token id from logits[V]. */
export function sampleToken(logits: Float32Array, p: SamplingParams, rng: Rng): number {
  const V = logits.length;
  if (isGreedy(p)) return argmax(logits, V);
  let cand: Int32Array;
  if (p.topK > 0 && p.topK < V) {
    if (idxBuf.length < p.topK) idxBuf = new Int32Array(p.topK);
    const n = topK(idxBuf, logits, V, p.topK);
    cand = idxBuf.subarray(0, n);
  } else if (p.topP < 1) {
    cand = Int32Array.from({ length: V }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  } else {
    cand = Int32Array.from({ length: V }, (_, i) => i);
  }
  let max = -Infinity;
  for (const i of cand) if (logits[i] > max) max = logits[i];
  const probs = new Float64Array(cand.length);
  let sum = 0;
  for (let j = 0; j < cand.length; j++) {
    probs[j] = Math.exp((logits[cand[j]] - max) / p.temperature);
    sum += probs[j];
  }
  let n = cand.length;
  if (p.topP < 1) {
    // candidates are sorted descending here: keep the smallest prefix whose mass reaches top_p
    let acc = 0;
    for (let j = 0; j < cand.length; j++) {
      acc += probs[j] / sum;
      if (acc >= p.topP) {
        n = j + 1;
        break;
      }
    }
    sum = 0;
    for (let j = 0; j < n; j++) sum += probs[j];
  }
  let u = rng.uniform() * sum;
  for (let j = 0; j < n; j++) {
    u -= probs[j];
    if (u < 0) return cand[j];
  }
  return cand[n - 1];
}

/** log p(id) under softmax(logits). */
export function tokenLogprob(logits: Float32Array, id: number, lse = logSumExp(logits, logits.length)): number {
  return logits[id] - lse;
}

/** The k most likely ids with their log-probabilities, most likely first. */
export function topLogprobs(logits: Float32Array, k: number, lse = logSumExp(logits, logits.length)): Array<[number, number]> {
  if (k <= 0) return [];
  if (idxBuf.length < k) idxBuf = new Int32Array(k);
  const n = topK(idxBuf, logits, logits.length, k);
  const out: Array<[number, number]> = [];
  for (let j = 0; j < n; j++) out.push([idxBuf[j], logits[idxBuf[j]] - lse]);
  return out;
}
