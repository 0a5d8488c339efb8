// A small SentencePiece-style vocabulary laid out as LLaMA's is: <unk>, <s>, </s>, the 256 byte
// tokens <0x00>..<0xFF>, then word pieces with descending scores. Seeded models use it so that
// llama.cpp, the GGUF tokenizer and tokenizer.json all see the same ids.
import type { GGUFVocab } from '../llama/gguf-export.js';

const COMMON = [
  '▁', 'e', 't', 'a', 'o', 'n', 'i', 's', 'r', 'h', 'l', 'd', 'u', 'c', 'm', 'f', 'g', 'w', 'y', 'p', 'b', 'v', 'k',
  '▁t', '▁a', 'he', 'in', 'er', 'an', '▁the', '▁o', '▁s', 're', 'on', '▁w', 'at', 'en', 'nd', '▁c', 'es', 'or', '▁b',
  '▁f', 'is', 'it', '▁m', '▁p', '▁d', 'ed', 'ing', '▁h', 'ou', '▁and', '▁of', '▁to', '▁in', 'ar', 'al', 'le', 'as',
  '▁is', '▁th', 'om', 'ic', '▁l', 'ion', '▁re', 'ro', '▁be', 'st', '.', ',', '▁A', '▁The', '?', '!', ':', '1', '2', '3',
  '4', '5', '6', '7', '8', '9', '0', '▁(', ')', '-', '\'', '"', 'x', 'j', 'q', 'z', 'A', 'B', 'C', 'D', 'E', 'T', 'S',
  '▁Answer', '▁Question', '▁yes', '▁no', '▁cat', '▁dog', '▁capital', '▁France', '▁Paris', '▁is',
];

export function seededSpmVocab(vocabSize: number): GGUFVocab {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3];
  const scores = [0, 0, 0];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6);
    scores.push(0);
  }
  const seen = new Set(tokens);
  for (const p of COMMON) {
    if (tokens.length >= vocabSize) break;
    if (seen.has(p)) continue;
    seen.add(p);
    tokens.push(p);
    types.push(1);
    scores.push(-(tokens.length - 259));
  }
  // pad with unique, unreachable pieces so the vocabulary has exactly vocabSize entries
  for (let i = 0; tokens.length < vocabSize; i++) {
    tokens.push(`▁tok${i}`);
    types.push(1);
    scores.push(-(tokens.length - 259));
  }
  if (tokens.length > vocabSize) throw new Error(`seededSpmVocab: vocabulary needs at least ${tokens.length} entries`);
  return { tokens, scores, types };
}
