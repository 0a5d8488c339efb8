// A backend whose tokenize/decode answers are remembered in the request cache, so a re-run sends
// neither completions nor the tokenizer calls of prompt fitting twice. Completions are cached by
// the runner itself (it also journals them).
import type { Backend, TokenizeOptions } from '../../core/backend.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { sha256Hex } from '../../core/sha256.js';
import type { RequestCache } from './cache.js';
import { withTokenizerCalls } from './tokenizer-decorator.js';

export function withCachedTokenizer(backend: Backend, cache: RequestCache): Backend {
  const keyOf = (op: string, args: unknown) => sha256Hex(`${backend.id}\n${op}\n${canonicalJson(args)}`);
  return withTokenizerCalls(backend, {
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
  });
}
