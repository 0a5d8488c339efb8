// Moves a model's linear weights into the kernels' WebAssembly memory so the matmuls take the
// SIMD / worker-thread path. Kernel memory is a wasm32 heap (4 GiB at most): when it runs out,
// the remaining weights stay in ordinary arrays and run on the JS kernels.
import { toKernelLinear } from './linear.js';
import { type LlamaWeights } from './weights.js';
import { PROJECTIONS } from './projections.js';

export interface Placement {
  moved: number;
  kept: number;
  /** Why weights were kept out, when some were. */
  reason?: string;
}

export function placeWeightsForKernels(w: LlamaWeights): Placement {
  let moved = 0;
  let kept = 0;
  let reason: string | undefined;
  const tryMove = <T>(x: T, f: (x: T) => T): T => {
    if (reason) {
      kept++;
      return x;
    }
    try {
      const y = f(x);
      moved++;
      return y;
    } catch (e) {
      reason = (e as Error).message;
      kept++;
      return x;
    }
  };
  w.output = tryMove(w.output, toKernelLinear);
  for (const L of w.layers) for (const p of PROJECTIONS) L.proj[p] = tryMove(L.proj[p], toKernelLinear);
  return { moved, kept, reason };
}
