// A LoRA adapter held unmerged next to the base weights: for each adapted projection of each
// layer, y = W·x + s·B·(A·x) with A[r, in], B[out, r], s = alpha/r (rsLoRA: alpha/sqrt(r)).
// peft src/peft/tuners/lora/layer.py (forward, get_delta_weight, scaling).
import { freeKernelArray, inKernelMemory, matmulForward, toKernelMemory } from '../../kernels/index.js';
import type { LoraPair } from './lora-pair.js';
import type { Projection } from '../llama/projections.js';

export interface LoraAdapter {
  /** Directory (or name) it came from, for ids and messages. */
  source: string;
  /** layers[l][projection] when that projection is adapted. */
  layers: Array<Partial<Record<Projection, LoraPair>>>;
  /** What loading noticed that does not stop it (e.g. a target_modules name the base lacks). */
  warnings?: string[];
}

let mid = new Float32Array(0);
let delta = new Float32Array(0);

// out[N,out] += scaling · (inp[N,in] · Aᵀ) · Bᵀ
export function loraForward(out: Float32Array, inp: Float32Array, m: LoraPair, N: number): void {
  if (mid.length < N * m.r) mid = new Float32Array(N * m.r);
  if (delta.length < N * m.outFeatures) delta = new Float32Array(N * m.outFeatures);
  matmulForward(mid, inp, m.a, null, N, m.inFeatures, m.r);
  matmulForward(delta, mid, m.b, null, N, m.r, m.outFeatures);
  const s = m.scaling;
  const n = N * m.outFeatures;
  for (let i = 0; i < n; i++) out[i] += s * delta[i];
}

/** The adapter with A and B copied into kernel memory (wasm matmuls); free with freeAdapterKernelMemory. */
export function adapterToKernelMemory(ad: LoraAdapter): LoraAdapter {
  return {
    source: ad.source,
    layers: ad.layers.map((L) => Object.fromEntries(Object.entries(L).map(([p, m]) => [p, { ...m, a: toKernelMemory(m.a), b: toKernelMemory(m.b) }]))),
  };
}

/** Returns the kernel memory of an adapter made by adapterToKernelMemory (it must not be used after). */
export function freeAdapterKernelMemory(ad: LoraAdapter): void {
  for (const L of ad.layers) {
    for (const m of Object.values(L)) {
      if (!m) continue;
      if (inKernelMemory(m.a)) freeKernelArray(m.a);
      if (inKernelMemory(m.b)) freeKernelArray(m.b);
    }
  }
}

// W'[out,in] = W + scaling · B·A (peft merge), for tests and export
export function mergedWeight(w: Float32Array, m: LoraPair): Float32Array {
  const out = Float32Array.from(w);
  for (let o = 0; o < m.outFeatures; o++) {
    for (let i = 0; i < m.inFeatures; i++) {
      let s = 0;
      for (let k = 0; k < m.r; k++) s += m.b[o * m.r + k] * m.a[k * m.inFeatures + i];
      out[o * m.inFeatures + i] += m.scaling * s;
    }
  }
  return out;
}
