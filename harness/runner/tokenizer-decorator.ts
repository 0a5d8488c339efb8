// A backend that passes everything through to `backend` except tokenize/decode, which the caller
// supplies (the request cache and the concurrency limit both wrap only the tokenizer calls).
import type { Backend, TokenizeOptions } from '../../core/backend.js';

export interface TokenizerCalls {
  tokenize(text: string, options?: TokenizeOptions): Promise<number[]>;
  decode(tokens: number[]): Promise<string>;
}

export function withTokenizerCalls(backend: Backend, calls: TokenizerCalls): Backend {
  return {
    // Getters: a backend's identity may change (an embedded model switching adapters).
    get id() {
      return backend.id;
    },
    get maxSequenceLength() {
      return backend.maxSequenceLength;
    },
    contextLength: backend.contextLength ? () => backend.contextLength!() : undefined,
    complete: (request, signal) => backend.complete(request, signal),
    tokenize: (text, options) => calls.tokenize(text, options),
    decode: (tokens) => calls.decode(tokens),
    close: backend.close ? () => backend.close!() : undefined,
  };
}
