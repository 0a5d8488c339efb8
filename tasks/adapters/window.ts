// The context window as the adapter sees it (HELM's LocalWindowService for neurips/local): token
// counts from the model's own tokenizer (`/tokenize`), truncation through tokenize + decode.
import type { Backend } from '../../core/backend.js';

export interface PromptWindow {
  /** len(tokenize(text)) as the model counts it (BOS included when the server adds one). */
  countTokens(text: string): Promise<number>;
  /** decode(tokenize(text, truncation=true, max_length=maxTokens)). */
  truncate(text: string, maxTokens: number): Promise<string>;
  /** The window prompts must fit in with max_tokens; when absent the adapter spec's maxSequenceLength is used. */
  readonly maxSequenceLength?: number;
}

/** Counts each distinct text once per window (concurrent asks share one request). */
export function cachedCounter(count: (text: string) => Promise<number>): (text: string) => Promise<number> {
  const cache = new Map<string, Promise<number>>();
  return (text) => {
    let hit = cache.get(text);
    if (!hit) {
      hit = count(text);
      cache.set(text, hit);
      hit.catch(() => cache.delete(text)); // a failed count is retried next time, not cached
    }
    return hit;
  };
}

export function windowFromBackend(backend: Backend): PromptWindow {
  const maxLength = backend.maxSequenceLength;
  return {
    maxSequenceLength: maxLength,
    // LocalWindowService.encode: truncation=False, max_length=max_request_length.
    countTokens: cachedCounter(async (text) => (await backend.tokenize(text, { truncation: false, maxLength })).length),
    truncate: async (text, maxTokens) => backend.decode(await backend.tokenize(text, { truncation: true, maxLength: maxTokens })),
  };
}
