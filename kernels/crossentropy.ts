// Cross-entropy of logits against target ids with a mask of the positions that count
// (prompt tokens masked out when fine-tuning on completions). Computed from logits directly
// (log-softmax inside), so no N×V probability buffer is needed.
import { logSumExp } from './softmax.js';

// positions that count: mask[n] != 0 (all when mask is null) and targets[n] >= 0 (-100 style ignore)
function counts(targets: Int32Array, mask: Uint8Array | null, n: number): boolean {
  return targets[n] >= 0 && (!mask || mask[n] !== 0);
}

// number of positions that count
export function crossentropyCount(targets: Int32Array, mask: Uint8Array | null, N: number): number {
  let k = 0;
  for (let n = 0; n < N; n++) if (counts(targets, mask, n)) k++;
  return k;
}

// mean over counted positions of −log softmax(logits[n,:])[targets[n]]; losses[N] (may be null)
// receives each position's loss (0 where not counted). Returns 0 when no position counts.
export function crossentropyForward(
  losses: Float32Array | null,
  logits: Float32Array,
  targets: Int32Array,
  mask: Uint8Array | null,
  N: number,
  V: number,
): number {
  let sum = 0;
  let k = 0;
  for (let n = 0; n < N; n++) {
    if (!counts(targets, mask, n)) {
      if (losses) losses[n] = 0;
      continue;
    }
    const t = targets[n];
    if (t >= V) throw new Error(`crossentropyForward: target ${t} at position ${n} is outside the vocabulary of ${V}`);
    const loss = logSumExp(logits, V, n * V) - logits[n * V + t];
    if (losses) losses[n] = loss;
    sum += loss;
    k++;
  }
  return k ? sum / k : 0;
}

// dlogits[N,V] += dloss/count · (softmax(logits) − onehot(target)) at counted positions
export function crossentropyBackward(
  dlogits: Float32Array,
  logits: Float32Array,
  targets: Int32Array,
  mask: Uint8Array | null,
  N: number,
  V: number,
  dloss = 1,
): void {
  const k = crossentropyCount(targets, mask, N);
  if (!k) return;
  const scale = dloss / k;
  for (let n = 0; n < N; n++) {
    if (!counts(targets, mask, n)) continue;
    const o = n * V;
    const lse = logSumExp(logits, V, o);
    for (let v = 0; v < V; v++) dlogits[o + v] += scale * Math.exp(logits[o + v] - lse);
    dlogits[o + targets[n]] -= scale;
  }
}
