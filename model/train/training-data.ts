// Instruction data for fine-tuning: JSONL rows in the {"prompt","completion"} or the Alpaca
// {"instruction","input","output"} shape, tokenized as [BOS] prompt completion [EOS] with the loss
// on the completion (and EOS) only. Rows longer than the window are truncated or skipped, and counted.
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

export function readJsonlPairs(path: string): TextPair[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read training data ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
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
export function tokenizePairs(pairs: TextPair[], encode: TokenizeFn, bos: number | null, eos: number | null, maxSeqLen: number, overlong: 'truncate' | 'skip'): { examples: Example[]; stats: DataStats } {
  const examples: Example[] = [];
  const stats: DataStats = { rows: pairs.length, used: 0, truncated: 0, skipped: 0, lossTokens: 0 };
  for (const p of pairs) {
    const prompt = [...(bos !== null ? [bos] : []), ...encode(p.prompt)];
    const completion = [...encode(p.completion), ...(eos !== null ? [eos] : [])];
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
