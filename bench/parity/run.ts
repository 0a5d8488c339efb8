// `npm run parity`: records llama.cpp's (node-llama-cpp 3.21.1, CPU, F32 KV cache, 1 thread)
// (no flash attention) log-probabilities and greedy continuations on the seeded parity GGUFs (F32, Q8_0, Q4_0) into
// test/fixtures/model/llamacpp-parity.json, then compares evalfirst against them and prints the
// largest differences. The unit tests compare against the same golden file without the peer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGGUFModel } from '../../model/llama/gguf-checkpoint.js';
import { generate } from '../../model/llama/generate.js';
import { LlamaModel } from '../../model/llama/llama-model.js';
import { installPeer, loadPeer, PEER_VERSION } from './peer.js';
import { TOKENIZER_TEXTS, GOLDEN_PATH, GREEDY_TOKENS, PARITY_CONFIG, PARITY_SEED, PARITY_VARIANTS, parityPrompt, TOP_K_RECORDED, writeParityModel, type ParityGolden, type ParityVariant } from './spec.js';
import { compareWithGolden } from './compare.js';

async function recordPeer(path: string, prompt: number[]) {
  const peerMod = await loadPeer();
  if (!peerMod) throw new Error('node-llama-cpp is not installed');
  const llama = await peerMod.getLlama({ gpu: false, build: 'never', logLevel: 'error' });
  const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  const ctx = await model.createContext({
    contextSize: 256,
    batchSize: 256,
    threads: 1,
    sequences: 1,
    // llama.cpp's CPU flash-attention path rounds V to fp16 even with an F32 cache (about 1e-3 in
    // log-probs): the plain attention path is the exact fp32 reference
    flashAttention: false,
    experimentalKvCacheKeyType: 'F32',
    experimentalKvCacheValueType: 'F32',
  });
  const seq = ctx.getSequence();
  const out = await seq.controlledEvaluate(prompt.map((t) => [t, { generateNext: { probabilities: true } }]));
  const promptTop: Array<Record<string, number>> = [];
  for (let i = 0; i < prompt.length; i++) {
    const probs = out[i]?.next.probabilities;
    if (!probs) throw new Error(`node-llama-cpp gave no probabilities for prompt position ${i}`);
    // the map is in id order: take the K most likely ourselves
    const best = [...probs.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, TOP_K_RECORDED);
    promptTop.push(Object.fromEntries(best.map(([id, p]) => [String(id), Math.log(p)])));
  }
  await seq.clearHistory();
  // greedy one token at a time through controlledEvaluate: evaluate() would stop at EOS, and the
  // goldens continue through it for a fixed 64 tokens, as the unit tests do
  const greedy: number[] = [];
  const greedyLogprobs: number[] = [];
  let input: Array<number | [number, { generateNext: { token: true; confidence: true } }]> = [
    ...prompt.slice(0, -1),
    [prompt[prompt.length - 1], { generateNext: { token: true, confidence: true } }],
  ];
  while (greedy.length < GREEDY_TOKENS) {
    const res = await seq.controlledEvaluate(input);
    const next = res[input.length - 1]?.next;
    if (next?.token === undefined || next.token === null) throw new Error(`node-llama-cpp gave no token at step ${greedy.length}`);
    greedy.push(next.token);
    greedyLogprobs.push(Math.log(next.confidence ?? NaN));
    input = [[next.token, { generateNext: { token: true, confidence: true } }]];
  }
  const tokenized = TOKENIZER_TEXTS.map((t) => Array.from(model.tokenize(t)));
  await ctx.dispose();
  await model.dispose();
  await llama.dispose();
  return { promptTop, greedy, greedyLogprobs, tokenized };
}

async function main(): Promise<void> {
  installPeer();
  const dir = join(process.cwd(), '.cache', 'parity');
  mkdirSync(dir, { recursive: true });
  const prompt = parityPrompt();
  const golden: ParityGolden = { peer: `node-llama-cpp@${PEER_VERSION} (llama.cpp CPU, F32 KV cache, no flash attention, 1 thread)`, config: PARITY_CONFIG, seed: PARITY_SEED, prompt, tokenizer: [], variants: {} as ParityGolden["variants"] };
  for (const v of Object.keys(PARITY_VARIANTS) as ParityVariant[]) {
    const path = join(dir, `parity-${v}.gguf`);
    const sha256 = writeParityModel(path, v);
    console.error(`recording llama.cpp on ${path} ...`);
    const { tokenized, ...rec } = await recordPeer(path, prompt);
    golden.variants[v] = { sha256, ...rec };
    golden.tokenizer = TOKENIZER_TEXTS.map((text, i) => ({ text, ids: tokenized[i] }));
  }
  writeFileSync(fileURLToPath(GOLDEN_PATH), JSON.stringify(golden, null, 1) + '\n');
  console.log(`wrote ${fileURLToPath(GOLDEN_PATH)}`);
  for (const v of Object.keys(PARITY_VARIANTS) as ParityVariant[]) {
    const { config, weights } = loadGGUFModel(join(dir, `parity-${v}.gguf`));
    const r = compareWithGolden(new LlamaModel(config, weights), golden, v, generate);
    console.log(`${v.padEnd(5)} max |Δ logprob| prompt ${r.maxPromptDiff.toExponential(2)}, greedy ${r.maxGreedyDiff.toExponential(2)}; greedy ids identical for ${r.sameGreedy}/${GREEDY_TOKENS} tokens`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
