// Compares evalfirst on a parity GGUF with the recorded llama.cpp golden values.
import { logSumExp } from '../../kernels/index.js';
import type { generate as generateFn } from '../../model/llama/generate.js';
import type { LlamaModel } from '../../model/llama/llama-model.js';
import { GREEDY_TOKENS, type ParityGolden, type ParityVariant } from './spec.js';

export interface ParityReport {
  maxPromptDiff: number;
  maxGreedyDiff: number;
  /** How many leading greedy ids agree. */
  sameGreedy: number;
  greedy: number[];
}

export function compareWithGolden(model: LlamaModel, golden: ParityGolden, v: ParityVariant, generate: typeof generateFn): ParityReport {
  const g = golden.variants[v];
  const V = model.config.vocabSize;
  const all = model.forward(model.newCache(64), golden.prompt, 'all');
  let maxPromptDiff = 0;
  g.promptTop.forEach((top, p) => {
    const row = all.subarray(p * V, (p + 1) * V);
    const lse = logSumExp(row, V);
    for (const [id, lp] of Object.entries(top)) {
      // node-llama-cpp's float32 probabilities underflow to 0 below about e^-87
      if (!Number.isFinite(lp)) continue;
      maxPromptDiff = Math.max(maxPromptDiff, Math.abs(row[Number(id)] - lse - lp));
    }
  });
  const r = generate(model, golden.prompt, { maxNewTokens: GREEDY_TOKENS, temperature: 0, topK: 0, topP: 1, stopAtEos: false });
  const greedy = r.steps.map((s) => s.id);
  let sameGreedy = 0;
  while (sameGreedy < greedy.length && greedy[sameGreedy] === g.greedy[sameGreedy]) sameGreedy++;
  let maxGreedyDiff = 0;
  for (let i = 0; i < sameGreedy; i++) maxGreedyDiff = Math.max(maxGreedyDiff, Math.abs(r.steps[i].logprob - g.greedyLogprobs[i]));
  return { maxPromptDiff, maxGreedyDiff, sameGreedy, greedy };
}
