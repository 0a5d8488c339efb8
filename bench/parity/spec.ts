// The seeded model the parity goldens are recorded on: LLaMA with GQA (8 heads, 2 KV heads), in
// F32, Q8_0 and Q4_0 (embedding and output too) GGUFs that the unit tests rebuild byte for byte
// from the same seed.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GGMLType } from '../../model/formats/ggml-type.js';
import { writeLlamaGGUF } from '../../model/llama/gguf-export.js';
import { seededHfTensors, tinyConfig } from '../../model/llama/seeded.js';
import { Rng } from '../../kernels/rng.js';
import { seededSpmVocab } from '../../model/tokenizer/seeded-vocab.js';

export const PARITY_CONFIG = tinyConfig({ dim: 128, hiddenDim: 256, nLayers: 3, nHeads: 8, nKvHeads: 2, headDim: 16, vocabSize: 512, maxSeqLen: 256 });
export const PARITY_SEED = 4242;
export const PARITY_VARIANTS = { F32: GGMLType.F32, Q8_0: GGMLType.Q8_0, Q4_0: GGMLType.Q4_0 } as const;
export type ParityVariant = keyof typeof PARITY_VARIANTS;
export const GREEDY_TOKENS = 64;
export const TOP_K_RECORDED = 32;
export const GOLDEN_PATH = new URL('../../test/fixtures/model/llamacpp-parity.json', import.meta.url);

/** Writes the parity GGUF for one variant; returns its sha256. */
export function writeParityModel(path: string, variant: ParityVariant): string {
  writeLlamaGGUF(path, PARITY_CONFIG, seededHfTensors(PARITY_CONFIG, PARITY_SEED), {
    vocab: seededSpmVocab(PARITY_CONFIG.vocabSize),
    projectionType: PARITY_VARIANTS[variant],
    // Q4_0 also stores token_embd and output in Q4_0, exercising quantized embedding lookups
    quantizeEmbeddings: variant === 'Q4_0',
    name: `evalfirst-parity-${variant}`,
  });
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The prompt: BOS then 23 seeded ids from the word-piece range (not specials, not bytes). */
export function parityPrompt(): number[] {
  const r = new Rng(PARITY_SEED + 1);
  return [1, ...Array.from({ length: 23 }, () => 259 + r.int(PARITY_CONFIG.vocabSize - 259))];
}

/** Texts whose llama.cpp tokenization (no BOS) the GGUF tokenizer must reproduce. */
export const TOKENIZER_TEXTS = ['The cat is in the capital', 'Answer: yes.', 'héllo wörld ✓ 12', 'a  b\n\nc', ' leading space', '中文', 'theatre. Then, at the end: no!'];

export interface ParityGolden {
  peer: string;
  /** llama.cpp's token ids (model.tokenize, no BOS) for TOKENIZER_TEXTS on the parity vocabulary */
  tokenizer: Array<{ text: string; ids: number[] }>;
  config: typeof PARITY_CONFIG;
  seed: number;
  prompt: number[];
  variants: Record<
    ParityVariant,
    {
      sha256: string;
      /** per prompt position p: top-K {id: logprob} of the token after position p */
      promptTop: Array<Record<string, number>>;
      /** greedy continuation of the prompt */
      greedy: number[];
      /** logprob of each greedy token */
      greedyLogprobs: number[];
    }
  >;
}
