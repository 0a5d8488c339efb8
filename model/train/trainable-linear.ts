// One projection of the block, forward and backward: y = x·Wᵀ + scaling·(drop(x)·Aᵀ)·Bᵀ, with W fp32
// (trainable in full mode) or frozen NF4, and an optional LoRA pair. Shapes: x[T,in], y[T,out],
// A[r,in], B[out,r]. Activations saved for the backward live in `LinearActs`.
import { matmulBackward, matmulForward, matmulNF4Backward, matmulNF4Forward } from '../../kernels/index.js';
import type { LoraPair } from '../lora/lora-pair.js';
import type { Rng } from '../../kernels/rng.js';
import type { BaseWeight } from './train-weights.js';

export interface LinearGrads {
  /** dW [out,in] when the base weight trains (full mode), else null. */
  w: Float32Array | null;
  A: Float32Array | null;
  B: Float32Array | null;
}

export interface LinearActs {
  /** LoRA down-projection u = drop(x)·Aᵀ [maxT, r]. */
  u: Float32Array;
  /** drop(x) [maxT, in] and its keep mask, when dropout > 0. */
  xd: Float32Array | null;
  keep: Uint8Array | null;
}

export interface Linear {
  inDim: number;
  outDim: number;
  base: BaseWeight;
  lora: LoraPair | null;
  scaling: number;
  dropout: number;
  grads: LinearGrads;
}

export function allocLinearActs(l: Linear, maxT: number, r: number): LinearActs {
  const withLora = l.lora !== null;
  const drop = withLora && l.dropout > 0;
  return {
    u: new Float32Array(withLora ? maxT * r : 0),
    xd: drop ? new Float32Array(maxT * l.inDim) : null,
    keep: drop ? new Uint8Array(maxT * l.inDim) : null,
  };
}

/** Scratch shared by all projections: [maxT, maxDim] floats, twice. */
export interface LinearScratch {
  a: Float32Array;
  b: Float32Array;
}

// y[T,out] = x[T,in]·Wᵀ + scaling·(drop(x)·Aᵀ)·Bᵀ; dropout masks drawn from rng when training
export function linearForward(y: Float32Array, x: Float32Array, T: number, l: Linear, acts: LinearActs, s: LinearScratch, rng: Rng | null): void {
  const { inDim: C, outDim: OC } = l;
  if (l.base.kind === 'f32') matmulForward(y, x, l.base.w, null, T, C, OC);
  else matmulNF4Forward(y, x, l.base.w, T, C, OC);
  if (!l.lora) return;
  const r = l.lora.a.length / C;
  let xin = x;
  if (acts.xd && acts.keep) {
    const p = l.dropout;
    const inv = 1 / (1 - p);
    for (let i = 0; i < T * C; i++) {
      const keep = rng === null || rng.uniform() >= p ? 1 : 0;
      acts.keep[i] = keep;
      acts.xd[i] = keep ? (rng === null ? x[i]! : x[i]! * inv) : 0;
    }
    xin = acts.xd;
  }
  const u = acts.u;
  matmulForward(u, xin, l.lora.a, null, T, C, r);
  const tmp = s.a;
  matmulForward(tmp, u, l.lora.b, null, T, r, OC);
  const sc = l.scaling;
  for (let i = 0; i < T * OC; i++) y[i]! += sc * tmp[i]!;
}

// dx[T,in] += ∂L/∂x; grads (dW, dA, dB) += from dy[T,out]; `training` tells how the forward scaled x
export function linearBackward(dx: Float32Array | null, dy: Float32Array, x: Float32Array, T: number, l: Linear, acts: LinearActs, s: LinearScratch, training: boolean): void {
  const { inDim: C, outDim: OC } = l;
  if (l.base.kind === 'f32') matmulBackward(dx, l.grads.w, null, dy, x, l.base.w, T, C, OC);
  else if (dx) matmulNF4Backward(dx, dy, l.base.w, T, C, OC);
  if (!l.lora) return;
  const r = l.lora.a.length / C;
  // dys = scaling·dy; du = dys·B [T,r]; dB += dysᵀ·u
  const dys = s.a;
  for (let i = 0; i < T * OC; i++) dys[i] = l.scaling * dy[i]!;
  const du = s.b.subarray(0, T * r);
  du.fill(0);
  matmulBackward(du, l.grads.B, null, dys, acts.u, l.lora.b, T, r, OC);
  if (!acts.xd || !acts.keep) {
    matmulBackward(dx, l.grads.A, null, du, x, l.lora.a, T, C, r);
    return;
  }
  // through dropout: dxd = du·A, dA += duᵀ·xd, dx += dxd·keep/(1-p)
  const dxd = s.a.subarray(0, T * C);
  dxd.fill(0);
  matmulBackward(dxd, l.grads.A, null, du, acts.xd, l.lora.a, T, C, r);
  if (!dx) return;
  const inv = training ? 1 / (1 - l.dropout) : 1;
  for (let i = 0; i < T * C; i++) if (acts.keep[i]) dx[i]! += dxd[i]! * inv;
}
