// AdamW over the trainer's parameters with global gradient-norm clipping (torch clip_grad_norm_).
import { adamwStep, sumSquares } from '../../kernels/index.js';
import type { Param } from './train-model.js';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Clip the global L2 norm of the gradients to this (0: no clipping). */
  maxGradNorm: number;
}

export interface AdamWState {
  m: Float32Array[];
  v: Float32Array[];
  /** Optimizer steps taken. */
  step: number;
}

export function initAdamW(params: Param[]): AdamWState {
  return { m: params.map((p) => new Float32Array(p.data.length)), v: params.map((p) => new Float32Array(p.data.length)), step: 0 };
}

export function gradNorm(params: Param[]): number {
  let s = 0;
  for (const p of params) s += sumSquares(p.grad);
  return Math.sqrt(s);
}

/** One AdamW update at learning rate lr; returns the gradient norm before clipping. */
export function adamwUpdate(params: Param[], state: AdamWState, o: AdamWOptions, lr: number): number {
  const norm = gradNorm(params);
  const scale = o.maxGradNorm > 0 && norm > o.maxGradNorm ? o.maxGradNorm / (norm + 1e-6) : 1;
  state.step++;
  params.forEach((p, i) => {
    adamwStep(p.data, p.grad, state.m[i]!, state.v[i]!, p.data.length, {
      lr,
      beta1: o.beta1,
      beta2: o.beta2,
      eps: o.eps,
      weightDecay: p.decay ? o.weightDecay : 0,
      step: state.step,
    }, scale);
  });
  return norm;
}
