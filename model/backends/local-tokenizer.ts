// Token counting without a server's /tokenize: a Hugging Face tokenizer.json (and the
// tokenizer_config.json beside it) through the runtime's one tokenizer wrapper.
import { loadHfTokenizer, type HfTokenizer } from '../tokenizer/hf-tokenizer.js';
import type { Backend, TokenizeOptions } from '../../core/backend.js';
import type { Completion, CompletionRequest } from '../../core/request.js';

/** Server-like token counting from a tokenizer.json (a file, or a folder holding one). */
export function loadLocalTokenizer(path: string): HfTokenizer {
  return loadHfTokenizer(path);
}

/** A backend whose tokenize/decode run locally while completions still go to the server. */
export function withLocalTokenizer(backend: Backend, tokenizer: HfTokenizer): Backend {
  return {
    // Getters: a backend's identity may change (an embedded model switching adapters).
    get id() {
      return backend.id;
    },
    get maxSequenceLength() {
      return backend.maxSequenceLength;
    },
    contextLength: backend.contextLength ? () => backend.contextLength!() : undefined,
    complete: (request: CompletionRequest, signal?: AbortSignal): Promise<Completion> => backend.complete(request, signal),
    tokenize: async (text: string, options: TokenizeOptions = {}) => {
      const ids = tokenizer.encodeWithPostProcessor(text);
      return options.truncation && options.maxLength !== undefined ? ids.slice(0, options.maxLength) : ids;
    },
    decode: async (tokens: number[]) => tokenizer.decode(tokens, undefined),
    close: backend.close ? () => backend.close!() : undefined,
  };
}
