// Instruction data for fine-tuning: JSONL rows in the {"prompt","completion"} or the Alpaca
// {"instruction","input","output"} shape, tokenized as [BOS] prompt completion [EOS] with the loss
// on the completion (and EOS) only. Rows longer than the window are truncated or skipped, and counted.
// The file must be UTF-8 (an invalid byte is an error naming line and column, never a silent U+FFFD);
// a text far longer than the window is cut before tokenizing, since only its first window counts.
import { readFileSync } from 'node:fs';
import { UserError } from '../../core/errors.js';

export interface TextPair {
  prompt: string;
  completion: string;
  /** 1-based line in the JSONL file. */
  line: number;
}

/** Stanford Alpaca's prompt templates (with and without an input). */
export function alpacaPrompt(instruction: string, input: string): string {
  return input.length > 0
    ? `Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\n${instruction}\n\n### Input:\n${input}\n\n### Response:\n`
    : `Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\n${instruction}\n\n### Response:\n`;
}

function str(o: Record<string, unknown>, key: string, where: string, optional = false): string {
  const v = o[key];
  if (v === undefined && optional) return '';
  if (typeof v !== 'string') throw new UserError(`${where}: "${key}" must be a string, got ${v === undefined ? 'nothing' : JSON.stringify(v).slice(0, 40)}`);
  return v;
}

/** Parses one JSONL row into a prompt/completion pair; `where` names file:line in errors. */
export function parseRow(text: string, where: string, line: number): TextPair {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new UserError(`${where}: expected a JSON object`);
  const r = o as Record<string, unknown>;
  if ('prompt' in r || 'completion' in r) return { prompt: str(r, 'prompt', where), completion: str(r, 'completion', where), line };
  if ('instruction' in r || 'output' in r) {
    return { prompt: alpacaPrompt(str(r, 'instruction', where), str(r, 'input', where, true)), completion: str(r, 'output', where), line };
  }
  throw new UserError(`${where}: expected {"prompt","completion"} or {"instruction","input","output"}, got keys ${JSON.stringify(Object.keys(r))}`);
}

/** The file's text; a byte sequence that is not UTF-8 is a UserError naming the line and byte column. */
export function readUtf8Text(path: string, bytes: Buffer): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad < 0) return bytes.toString('utf8');
  const lineStart = bad === 0 ? 0 : bytes.lastIndexOf(0x0a, bad - 1) + 1; // (a negative offset would count from the end)
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < lineStart; i = bytes.indexOf(0x0a, i + 1)) line++;
  throw new UserError(`${path}:${line}: not valid UTF-8 (byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at byte column ${bad - lineStart + 1}); the data must be UTF-8 text`);
}

/** Index of the first byte of `b` that starts an invalid UTF-8 sequence (RFC 3629: no overlongs, surrogates or > U+10FFFF), or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0 || i + n >= b.length) return i; // not a lead byte, or the sequence is cut off
    const c1 = b[i + 1]!;
    // the second byte's range is narrower after E0 (overlong), ED (surrogates), F0 (overlong), F4 (> U+10FFFF)
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (c1 < lo || c1 > hi) return i;
    for (let k = 2; k <= n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

export function readJsonlPairs(path: string): TextPair[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UserError(`cannot read training data ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const text = readUtf8Text(path, bytes);
  const pairs: TextPair[] = [];
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    if (l.trim().length === 0) return;
    pairs.push(parseRow(l, `${path}:${i + 1}`, i + 1));
  });
  if (pairs.length === 0) throw new UserError(`${path}: no training rows`);
  return pairs;
}

export interface Example {
  /** [BOS] prompt completion [EOS] (possibly truncated). */
  ids: Int32Array;
  /** Tokens before the first completion token (BOS + prompt). */
  promptLen: number;
  line: number;
}

export interface DataStats {
  rows: number;
  used: number;
  truncated: number;
  skipped: number;
  /** Completion (loss) tokens over all used rows. */
  lossTokens: number;
}

export interface TokenizeFn {
  (text: string): number[];
}

/**
 * Tokenizes pairs for a window of `maxSeqLen` input tokens (sequences up to maxSeqLen + 1 ids,
 * since the last id is only a target). 'truncate' cuts the completion's end; a row whose prompt
 * alone leaves no completion token in the window is skipped either way.
 */
/** Characters per token that no vocabulary comes near (LLaMA's longest pieces are about 16). */
const MAX_CHARS_PER_TOKEN = 64;

/**
 * The ids of `text`, of which only the first `window` can matter: a text longer than
 * MAX_CHARS_PER_TOKEN × window characters is tokenized from its start only (a 10 MB line no longer
 * costs seconds and gigabytes); should that prefix give fewer than `window` ids, the whole text is.
 * BPE merges are local, so ids well before the cut are those of the whole text.
 */
export function encodeWindow(encode: TokenizeFn, text: string, window: number): number[] {
  const cap = MAX_CHARS_PER_TOKEN * window;
  if (text.length <= cap) return encode(text);
  const ids = encode(text.slice(0, cap));
  return ids.length >= window ? ids : encode(text);
}

export function tokenizePairs(pairs: TextPair[], encode: TokenizeFn, bos: number | null, eos: number | null, maxSeqLen: number, overlong: 'truncate' | 'skip'): { examples: Example[]; stats: DataStats } {
  const examples: Example[] = [];
  const stats: DataStats = { rows: pairs.length, used: 0, truncated: 0, skipped: 0, lossTokens: 0 };
  const window = maxSeqLen + 1;
  for (const p of pairs) {
    const prompt = [...(bos !== null ? [bos] : []), ...encodeWindow(encode, p.prompt, window)];
    const completion = [...encodeWindow(encode, p.completion, window), ...(eos !== null ? [eos] : [])];
    let ids = [...prompt, ...completion];
    if (completion.length === 0) {
      stats.skipped++;
      continue;
    }
    if (ids.length > maxSeqLen + 1) {
      if (overlong === 'skip' || prompt.length >= maxSeqLen + 1) {
        stats.skipped++;
        continue;
      }
      ids = ids.slice(0, maxSeqLen + 1);
      stats.truncated++;
    }
    stats.used++;
    stats.lossTokens += ids.length - prompt.length;
    examples.push({ ids: Int32Array.from(ids), promptLen: prompt.length, line: p.line });
  }
  return { examples, stats };
}

/** Inputs, next-token targets and the loss mask (1 on completion targets) of one example. */
export function exampleTensors(e: Example): { inputs: Int32Array; targets: Int32Array; mask: Uint8Array; T: number } {
  const T = e.ids.length - 1;
  const mask = new Uint8Array(T);
  for (let t = 0; t < T; t++) mask[t] = t + 1 >= e.promptLen ? 1 : 0;
  return { inputs: e.ids.subarray(0, T), targets: e.ids.subarray(1), mask, T };
}
