// Token counting without a server: a Hugging Face tokenizer.json (and tokenizer_config.json beside
// it, when present) read through @huggingface/tokenizers. Used when a server has no /tokenize.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import type { Backend, TokenizeOptions } from '../../core/backend.js';
import type { Completion, CompletionRequest } from '../../core/request.js';
import { UserError } from '../../core/errors.js';

export class LocalTokenizer {
  private readonly tokenizer: Tokenizer;

  constructor(
    readonly path: string,
    tokenizerJson: object,
    tokenizerConfig: object,
  ) {
    this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  }

  /** Token ids with special tokens (BOS) added as the tokenizer's post-processor says, like a server's /tokenize. */
  encode(text: string, options: TokenizeOptions = {}): number[] {
    const ids = this.tokenizer.encode(text, { add_special_tokens: true }).ids;
    return options.truncation && options.maxLength !== undefined ? ids.slice(0, options.maxLength) : ids;
  }

  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: true });
  }
}

function readJson(path: string): object {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read tokenizer file ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as object;
  } catch (err) {
    throw new UserError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Loads `tokenizer.json` (a file, or a folder holding one) and its tokenizer_config.json if any. */
export function loadLocalTokenizer(path: string): LocalTokenizer {
  const file = existsSync(join(path, 'tokenizer.json')) ? join(path, 'tokenizer.json') : path;
  const json = readJson(file);
  const configPath = join(dirname(file), 'tokenizer_config.json');
  const config = existsSync(configPath) ? readJson(configPath) : {};
  try {
    return new LocalTokenizer(file, json, config);
  } catch (err) {
    throw new UserError(`${file} is not a tokenizer @huggingface/tokenizers can read: ${(err as Error).message}`);
  }
}

/** A backend whose tokenize/decode run locally while completions still go to the server. */
export function withLocalTokenizer(backend: Backend, tokenizer: LocalTokenizer): Backend {
  return {
    // Getters: a backend's identity may change (an embedded model switching adapters).
    get id() {
      return backend.id;
    },
    get maxSequenceLength() {
      return backend.maxSequenceLength;
    },
    complete: (request: CompletionRequest, signal?: AbortSignal): Promise<Completion> => backend.complete(request, signal),
    tokenize: async (text: string, options?: TokenizeOptions) => tokenizer.encode(text, options),
    decode: async (tokens: number[]) => tokenizer.decode(tokens),
    close: backend.close ? () => backend.close!() : undefined,
  };
}
