// Runtime speed, side by side with llama.cpp (node-llama-cpp 3.21.1, CPU build) on the same GGUF:
// a stories15M-shaped model (dim 288, 6 layers, 6 heads, ffn 768, vocab 32000, seeded random
// weights) in F32 and Q4_0, plus evalfirst's NF4 (quantized on load from the F32 file); prefill of
// a 127-token prompt and greedy decode of 128 tokens, 1 and 2 threads. Printed as tokens/s and
// ratios (evalfirst / llama.cpp). The peer is skipped with a message when it is not installed
// (`npm run parity` installs it into .cache/node-llama-cpp).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as kernels from '../kernels/index.js';
import { GGMLType } from '../model/formats/ggml-type.js';
import { writeLlamaGGUF } from '../model/llama/gguf-export.js';
import { loadGGUFModel } from '../model/llama/gguf-checkpoint.js';
import { generate } from '../model/llama/generate.js';
import { placeWeightsForKernels } from '../model/llama/kernel-placement.js';
import { LlamaModel } from '../model/llama/llama-model.js';
import { Rng } from '../kernels/rng.js';
import { seededHfTensors, tinyConfig } from '../model/llama/seeded.js';
import { seededSpmVocab } from '../model/tokenizer/seeded-vocab.js';
import { peerInstalled } from './parity/peer.js';

const STORIES15M = tinyConfig({ dim: 288, hiddenDim: 768, nLayers: 6, nHeads: 6, nKvHeads: 6, headDim: 48, vocabSize: 32000, maxSeqLen: 512 });
const PROMPT_TOKENS = 127;
const DECODE_TOKENS = 128;

interface Speed {
  prefill: number;
  decode: number;
}

function setThreads(n: number): boolean {
  kernels.setKernelThreads(n);
  return true;
}

function ours(path: string, quant: 'none' | 'nf4', prompt: number[]): Speed {
  const { config, weights } = loadGGUFModel(path, quant);
  placeWeightsForKernels(weights);
  const m = new LlamaModel(config, weights);
  generate(m, prompt.slice(0, 8), { maxNewTokens: 2, temperature: 0, topK: 0, topP: 1, stopAtEos: false }); // warm-up (JIT)
  const r = generate(m, prompt, { maxNewTokens: DECODE_TOKENS + 1, temperature: 0, topK: 0, topP: 1, stopAtEos: false });
  return { prefill: prompt.length / r.prefillSeconds, decode: (r.steps.length - 1) / r.decodeSeconds };
}

function peer(path: string, threads: number, prompt: number[]): Speed | string {
  const script = fileURLToPath(new URL('./parity/peer-speed.ts', import.meta.url));
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', script, path, String(threads), prompt.join(','), String(DECODE_TOKENS)], {
      env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
      encoding: 'utf8',
      timeout: 300_000,
    });
    return JSON.parse(out.trim().split('\n').pop()!) as Speed;
  } catch (e) {
    return `failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

const fmt = (x: number | undefined) => (x === undefined ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1));

export async function run(): Promise<void> {
  const dir = join(process.cwd(), '.cache', 'bench');
  mkdirSync(dir, { recursive: true });
  const tensors = seededHfTensors(STORIES15M, 15);
  const vocab = seededSpmVocab(STORIES15M.vocabSize);
  const files = { F32: join(dir, 'stories15m-f32.gguf'), Q4_0: join(dir, 'stories15m-q4_0.gguf') };
  if (!existsSync(files.F32)) writeLlamaGGUF(files.F32, STORIES15M, tensors, { vocab });
  if (!existsSync(files.Q4_0)) writeLlamaGGUF(files.Q4_0, STORIES15M, tensors, { vocab, projectionType: GGMLType.Q4_0, quantizeEmbeddings: true });
  const rng = new Rng(1);
  const prompt = [1, ...Array.from({ length: PROMPT_TOKENS - 1 }, () => 259 + rng.int(STORIES15M.vocabSize - 259))];
  const havePeer = peerInstalled();
  if (!havePeer) console.log('node-llama-cpp is not installed (run `npm run parity` once to install it into .cache/): printing evalfirst alone');
  console.log(`stories15M shape (dim 288, 6 layers, 6 heads, ffn 768, vocab 32000); ${PROMPT_TOKENS}-token prompt, ${DECODE_TOKENS} decoded tokens; tok/s`);
  console.log('weights  threads | evalfirst prefill  decode | llama.cpp prefill  decode | ratio prefill  decode');
  for (const threads of [1, 2]) {
    setThreads(threads);
    for (const [label, file, quant] of [['F32', files.F32, 'none'], ['Q4_0', files.Q4_0, 'none'], ['NF4', files.F32, 'nf4']] as const) {
      const a = ours(file, quant, prompt);
      const b = havePeer && label !== 'NF4' ? peer(file, threads, prompt) : undefined;
      const pb = typeof b === 'object' ? b : undefined;
      const ratio = (x: number, y: number | undefined) => (y ? `${(x / y).toFixed(2)}x` : '-');
      console.log(
        `${label.padEnd(8)} ${String(threads).padStart(7)} | ${fmt(a.prefill).padStart(17)} ${fmt(a.decode).padStart(7)} | ${fmt(pb?.prefill).padStart(17)} ${fmt(pb?.decode).padStart(7)} | ${ratio(a.prefill, pb?.prefill).padStart(13)} ${ratio(a.decode, pb?.decode).padStart(7)}` +
          (typeof b === 'string' ? `  (peer ${b})` : label === 'NF4' ? '  (no NF4 in llama.cpp)' : ''),
      );
    }
  }
  kernels.shutdownKernelPool();
}
