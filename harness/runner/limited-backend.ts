// Tokenizer calls share the completions' concurrency limit, so a server never sees more than
// `concurrency` requests of any kind at once (HELM's -n 30 bounded its adaptation phase the same way).
import type { LimitFunction } from 'p-limit';
import type { Backend, TokenizeOptions } from '../../model/backends/backend.js';

export function withLimitedTokenizer(backend: Backend, limit: LimitFunction): Backend {
  return {
    get id() {
      return backend.id;
    },
    get maxSequenceLength() {
      return backend.maxSequenceLength;
    },
    complete: (request, signal) => backend.complete(request, signal),
    tokenize: (text: string, options?: TokenizeOptions) => limit(() => backend.tokenize(text, options)),
    decode: (tokens: number[]) => limit(() => backend.decode(tokens)),
    close: backend.close ? () => backend.close!() : undefined,
  };
}
