// The weights of a LLaMA-family model once loaded: fp32 norms, linear layers in their storage
// (fp32, Q8_0, Q4_0 or NF4), and the RoPE layout their q/k rows follow.
import { UserError } from '../../core/errors.js';
import type { RopeLayout } from '../../kernels/index.js';
import type { LlamaConfig } from './config.js';
import type { LinearWeight } from './linear.js';

/** The seven projections of a block, named as HF / PEFT name them. */
export const PROJECTIONS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type Projection = (typeof PROJECTIONS)[number];

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

/** [rows, cols] of each projection for a config (PyTorch nn.Linear [out, in]). */
export function projectionShape(c: LlamaConfig, p: Projection): [number, number] {
  const q = c.nHeads * c.headDim;
  const kv = c.nKvHeads * c.headDim;
  switch (p) {
    case 'q_proj': return [q, c.dim];
    case 'k_proj': return [kv, c.dim];
    case 'v_proj': return [kv, c.dim];
    case 'o_proj': return [c.dim, q];
    case 'gate_proj': return [c.hiddenDim, c.dim];
    case 'up_proj': return [c.hiddenDim, c.dim];
    case 'down_proj': return [c.dim, c.hiddenDim];
  }
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
