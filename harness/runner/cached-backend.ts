// A backend whose tokenize/decode answers are remembered in the request cache, so a re-run sends
// neither completions nor the tokenizer calls of prompt fitting twice. Completions are cached by
// the runner itself (it also journals them).
import type { Backend, TokenizeOptions } from '../../model/backends/backend.js';
import { canonicalJson, sha256Hex } from '../../model/backends/canonical-json.js';
import type { RequestCache } from './cache.js';

export function withCachedTokenizer(backend: Backend, cache: RequestCache): Backend {
  const keyOf = (op: string, args: unknown) => sha256Hex(`${backend.id}\n${op}\n${canonicalJson(args)}`);
  return {
    // Getters: a backend's identity may change (an embedded model switching adapters).
    get id() {
      return backend.id;
    },
    get maxSequenceLength() {
      return backend.maxSequenceLength;
    },
    complete: (request, signal) => backend.complete(request, signal),
    async tokenize(text: string, options: TokenizeOptions = {}) {
      const key = keyOf('tokenize', { text, options });
      const hit = cache.getTokenizerCall(key);
      if (Array.isArray(hit)) return hit as number[];
      const tokens = await backend.tokenize(text, options);
      cache.putTokenizerCall(key, tokens);
      return tokens;
    },
    async decode(tokens: number[]) {
      const key = keyOf('decode', tokens);
      const hit = cache.getTokenizerCall(key);
      if (typeof hit === 'string') return hit;
      const text = await backend.decode(tokens);
      cache.putTokenizerCall(key, text);
      return text;
    },
    close: backend.close ? () => backend.close!() : undefined,
  };
}
