// Trainer throughput: training tokens/s and achieved FLOP/s (forward + backward + AdamW) for the
// shipped tiny-base shape and a stories15M-shaped model (dim 288, 6 layers, 6 heads, ffn 768,
// vocab 32000), full-parameter and QLoRA (NF4 base + LoRA r=8 on all seven projections), with the
// share of time per kernel family. The peer anchor is llm.c's CPU figure (GPT-2 124M, B=4 T=64,
// ~1.3-1.45 s/step on an M3 Max, research/runtime.md §6): printed as a FLOP/s ratio.
import type { LlamaConfig } from '../model/llama/config.js';
import { initLora, DEFAULT_LORA } from '../model/train/lora.js';
import { TrainModel } from '../model/train/train-model.js';
import { adamwUpdate, initAdamW } from '../model/train/optimizer.js';
import { Rng } from '../kernels/rng.js';
import { initBase, quantizeProjections } from '../model/train/train-weights.js';
import { PROJECTIONS, projectionShape } from '../model/llama/projections.js';
import { TINY_BASE_DEFAULTS } from '../tasks/mini/tiny-base.js';

function config(dim: number, hiddenDim: number, nLayers: number, nHeads: number, nKvHeads: number, vocabSize: number): LlamaConfig {
  return { dim, hiddenDim, nLayers, nHeads, nKvHeads, headDim: dim / nHeads, vocabSize, maxSeqLen: 256, normEps: 1e-5, ropeTheta: 10000, tieWordEmbeddings: false, bosId: 1, eosIds: [2], slidingWindow: null };
}

/** Training FLOPs of one sequence of T tokens: 6·(matmul weights)·T plus causal attention (fwd 4·NH·HS per key, backward ≈ 2.5× that). */
function trainFlops(c: LlamaConfig, T: number): number {
  let macs = c.vocabSize * c.dim;
  for (const p of PROJECTIONS) { const [o, i] = projectionShape(c, p); macs += c.nLayers * o * i; }
  const keys = (T * (T + 1)) / 2;
  const attn = c.nLayers * c.nHeads * c.headDim * keys * 4 * 3.5;
  return 6 * macs * T + attn;
}

async function measure(name: string, c: LlamaConfig, mode: 'full' | 'qlora', T: number, seconds: number): Promise<number> {
  const rng = new Rng(1);
  const base = initBase(c, () => rng.normal());
  let lora = null;
  if (mode === 'qlora') {
    quantizeProjections(base);
    lora = initLora(c, { ...DEFAULT_LORA, dropout: 0 }, () => rng.uniform());
  }
  const m = new TrainModel(base, lora, T);
  const opt = initAdamW(m.params);
  const tokens = Int32Array.from({ length: T + 1 }, () => Math.floor(rng.uniform() * c.vocabSize));
  const mask = new Uint8Array(T).fill(1);
  const step = () => {
    m.zeroGrads();
    m.forward(tokens, T, null);
    m.loss(tokens.subarray(1), mask, T);
    m.backward(tokens, tokens.subarray(1), mask, T, 1, true);
    adamwUpdate(m.params, opt, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 }, 1e-4);
  };
  step(); // warm-up (JIT, kernel memory)
  m.profile = {};
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000 || n < 2) { step(); n++; }
  const s = (performance.now() - t0) / 1000;
  const tps = (n * T) / s;
  const flops = (trainFlops(c, T) * n) / s;
  const prof = m.profile;
  const total = Object.values(prof).reduce((a, b) => a + b, 0);
  const share = Object.entries(prof).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${((100 * v) / (s * 1000)).toFixed(0)}%`).join(', ');
  console.log(`${name.padEnd(12)} ${mode.padEnd(5)} T=${T}: ${tps.toFixed(0).padStart(6)} tokens/s, ${(flops / 1e9).toFixed(2)} GFLOP/s, ${((s / n) * 1000).toFixed(0)} ms/sequence; time: ${share}, other ${((100 * (s * 1000 - total)) / (s * 1000)).toFixed(0)}%`);
  return flops;
}

export async function run(): Promise<void> {
  const d = TINY_BASE_DEFAULTS;
  const tiny = config(d.dim, d.hiddenDim, d.nLayers, d.nHeads, d.nKvHeads, d.vocabSize);
  const stories = config(288, 768, 6, 6, 6, 32000);
  await measure('tiny-base', tiny, 'full', 128, 4);
  await measure('tiny-base', tiny, 'qlora', 128, 4);
  const f = await measure('stories15M', stories, 'full', 128, 8);
  await measure('stories15M', stories, 'qlora', 128, 8);
  // llm.c CPU anchor: GPT-2 124M, 6·124e6·(4·64) FLOPs per step in ~1.375 s
  const llmc = (6 * 124e6 * 256) / 1.375;
  console.log(`stories15M full-parameter FLOP/s vs llm.c CPU anchor (${(llmc / 1e9).toFixed(0)} GFLOP/s, M3 Max): ${(f / llmc).toFixed(3)}x`);
}
