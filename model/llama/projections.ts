// The seven projections of a LLaMA block, named as HF / PEFT name them, with their [out, in] shapes
// and HF module paths. One vocabulary for the runtime, the trainer, PEFT reading and writing.
import type { LlamaConfig } from './config.js';

export const PROJECTIONS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type Projection = (typeof PROJECTIONS)[number];

export function isProjection(name: string): name is Projection {
  return (PROJECTIONS as readonly string[]).includes(name);
}

/** [out, in] of a projection (PyTorch nn.Linear layout). */
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

/** HF module path of a projection: model.layers.{i}.{self_attn|mlp}.{p}. */
export function projectionPath(layer: number, p: Projection): string {
  const block = p === 'gate_proj' || p === 'up_proj' || p === 'down_proj' ? 'mlp' : 'self_attn';
  return `model.layers.${layer}.${block}.${p}`;
}
