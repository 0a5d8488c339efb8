// AdamW (decoupled weight decay, bias-corrected moments), as torch.optim.AdamW computes it:
//   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//   p ← p − lr/(1−β1^t) · m / (sqrt(v)/sqrt(1−β2^t) + eps)

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number; // t, 1-based (after incrementing)
}

// params[n], m[n], v[n] updated in place from grads[n] (scaled by gradScale, e.g. a clipping factor)
export function adamwStep(
  params: Float32Array,
  grads: Float32Array,
  m: Float32Array,
  v: Float32Array,
  n: number,
  h: AdamWHyper,
  gradScale = 1,
): void {
  if (!(h.step >= 1)) throw new Error(`adamwStep: step must be >= 1, got ${h.step}`);
  const bc1 = 1 - Math.pow(h.beta1, h.step);
  const bc2sqrt = Math.sqrt(1 - Math.pow(h.beta2, h.step));
  const stepSize = h.lr / bc1;
  const decay = 1 - h.lr * h.weightDecay;
  for (let i = 0; i < n; i++) {
    const g = grads[i] * gradScale;
    const mi = h.beta1 * m[i] + (1 - h.beta1) * g;
    const vi = h.beta2 * v[i] + (1 - h.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    params[i] = params[i] * decay - (stepSize * mi) / (Math.sqrt(vi) / bc2sqrt + h.eps);
  }
}

// Σ x² in double (for global gradient-norm clipping)
export function sumSquares(x: Float32Array, n: number = x.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * x[i];
  return s;
}
