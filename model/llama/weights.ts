// The weights of a LLaMA-family model once loaded: fp32 norms, linear layers in their storage
// (fp32, Q8_0, Q4_0 or NF4), and the RoPE layout their q/k rows follow.
import { UserError } from '../../core/errors.js';
import type { RopeLayout } from '../../kernels/index.js';
import type { LinearWeight } from './linear.js';
import type { Projection } from './projections.js';

export interface LayerWeights {
  attnNorm: Float32Array; // [dim]
  ffnNorm: Float32Array; // [dim]
  proj: Record<Projection, LinearWeight>;
}

export interface LlamaWeights {
  tokenEmbedding: LinearWeight; // [vocab, dim]
  layers: LayerWeights[];
  finalNorm: Float32Array; // [dim]
  output: LinearWeight; // [vocab, dim] (the embedding itself when tied)
  /** 'neox' for HF checkpoints (rotate_half), 'pairs' for GGUF / Meta. */
  ropeLayout: RopeLayout;
}

/** Throws naming the tensor and file when a float tensor holds NaN or ±Infinity. */
export function checkFinite(data: Float32Array, tensor: string, file: string): Float32Array {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new UserError(`${file}: tensor "${tensor}" holds ${data[i]} at element ${i}; refusing to run on corrupt weights`);
    }
  }
  return data;
}

export function checkShape(got: readonly number[], want: readonly number[], tensor: string, file: string): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new UserError(`${file}: tensor "${tensor}" has shape ${JSON.stringify(got)}, expected ${JSON.stringify(want)} from the config`);
  }
}
