// Tokenizer calls share the completions' concurrency limit, so a server never sees more than
// `concurrency` requests of any kind at once (HELM's -n 30 bounded its adaptation phase the same way).
import type { LimitFunction } from 'p-limit';
import type { Backend } from '../../core/backend.js';
import { withTokenizerCalls } from './tokenizer-decorator.js';

export function withLimitedTokenizer(backend: Backend, limit: LimitFunction): Backend {
  return withTokenizerCalls(backend, {
    tokenize: (text, options) => limit(() => backend.tokenize(text, options)),
    decode: (tokens) => limit(() => backend.decode(tokens)),
  });
}
