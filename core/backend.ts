// The one interface the runner talks to: an HTTP server (challenge protocol, OpenAI-compatible)
// or the embedded runtime. A backend knows nothing about suites or metrics.
import type { Completion, CompletionRequest } from './request.js';

export interface TokenizeOptions {
  truncation?: boolean;
  maxLength?: number;
}

export interface Backend {
  /** Stable identity for the request cache: protocol + model identity (URL set, weights hash, adapter...). */
  readonly id: string;
  /** Context window used by the adapter's prompt fitting (neurips/local: 2048). */
  readonly maxSequenceLength: number;
  complete(request: CompletionRequest, signal?: AbortSignal): Promise<Completion>;
  tokenize(text: string, options?: TokenizeOptions): Promise<number[]>;
  decode(tokens: number[]): Promise<string>;
  /**
   * The model's own context length as the server reports it (challenge protocol: GET /info
   * `max_sequence_length`; vLLM: GET /v1/models `max_model_len`; embedded: the model config), or
   * null when the server does not say. Decorators pass it through.
   */
  contextLength?(): Promise<number | null>;
  close?(): Promise<void>;
}

/** An error for one request that the runner records and moves past (bad JSON, missing key, HTTP 4xx/5xx after retries). */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly requestId: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}
