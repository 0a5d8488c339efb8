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
  /** Where the window's size comes from, for errors (e.g. "the model's context of 256 tokens, less than HELM's window of 2048"). */
  readonly origin?: string;
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

/**
 * HELM's window (the backend's maxSequenceLength), or the model's own context when the server
 * reports a smaller one (`contextLength`, from Backend.contextLength): prompts HELM would fit to
 * 2048 tokens would otherwise be refused by a model that takes fewer.
 */
export function windowFromBackend(backend: Backend, contextLength: number | null = null): PromptWindow {
  const helm = backend.maxSequenceLength;
  const smaller = contextLength !== null && contextLength < helm;
  const maxLength = smaller ? contextLength : helm;
  return {
    maxSequenceLength: maxLength,
    origin: smaller ? `the model's context of ${contextLength} tokens as the server reports it, less than HELM's window of ${helm}` : `HELM's window of ${helm} tokens`,
    // LocalWindowService.encode: truncation=False, max_length=max_request_length.
    countTokens: cachedCounter(async (text) => (await backend.tokenize(text, { truncation: false, maxLength })).length),
    truncate: async (text, maxTokens) => backend.decode(await backend.tokenize(text, { truncation: true, maxLength: maxTokens })),
  };
}
