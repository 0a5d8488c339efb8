// The NeurIPS 2023 challenge protocol, as HELM's HTTPModelClient spoke it (challenge.md §3.1):
// POST /process, /tokenize, /decode. Bodies are exactly HELM's; every response key HELM reads is
// checked, and a missing or mistyped one fails that request naming the key.
import type { Backend, TokenizeOptions } from '../../core/backend.js';
import { RequestError } from '../../core/backend.js';
import type { Completion, CompletionRequest, GeneratedToken } from '../../core/request.js';
import { HttpJsonClient, type HttpClientOptions } from './http-client.js';
import { ShapeError, arr, asObject, intArray, num, numberMap, optionalPositiveInt, str } from './json-shape.js';
import { requestId } from '../../core/canonical-json.js';

/** HELM's /process body: temperature 0 is sent as 1e-7. */
export function processBody(request: CompletionRequest): Record<string, unknown> {
  return {
    prompt: request.prompt,
    temperature: request.temperature === 0 ? 1e-7 : request.temperature,
    num_return_sequences: request.numCompletions,
    max_new_tokens: request.maxTokens,
    top_p: request.topP,
    echo_prompt: request.echoPrompt,
    top_k_per_token: request.topKPerToken,
    stop_sequences: request.stopSequences,
  };
}

/** HELM's /tokenize body (TokenizationRequest defaults: truncation false, max_length 2048). */
export function tokenizeBody(text: string, options: TokenizeOptions = {}): Record<string, unknown> {
  return { text, truncation: options.truncation ?? false, max_length: options.maxLength ?? 2048 };
}

/** Reads a /process response the way HELM does; throws ShapeError naming the bad key. */
export function parseProcessResponse(body: unknown): Completion {
  const o = asObject(body, '');
  const text = str(o, 'text');
  const logprob = num(o, 'logprob');
  const requestTime = num(o, 'request_time');
  const tokens: GeneratedToken[] = arr(o, 'tokens').map((t, i) => {
    const prefix = `tokens[${i}].`;
    const tok = asObject(t, `tokens[${i}]`);
    return { text: str(tok, 'text', prefix), logprob: num(tok, 'logprob', prefix), topLogprobs: numberMap(tok, 'top_logprob', prefix) };
  });
  return { text, logprob, tokens, requestTime };
}

export interface NeuripsBackendOptions {
  urls: string[];
  maxSequenceLength?: number;
  http?: Partial<HttpClientOptions>;
}

export class NeuripsBackend implements Backend {
  readonly id: string;
  readonly maxSequenceLength: number;
  readonly http: HttpJsonClient;
  private context: Promise<number | null> | null = null;

  constructor(options: NeuripsBackendOptions) {
    this.http = new HttpJsonClient(options.urls, options.http);
    this.id = `neurips:${[...this.http.pool.urls].sort().join(',')}`;
    this.maxSequenceLength = options.maxSequenceLength ?? 2048;
  }

  async complete(request: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    const id = requestId(request);
    const { json, url } = await this.http.post('/process', processBody(request), id, signal);
    return withShape(id, `${url}`, () => parseProcessResponse(json));
  }

  async tokenize(text: string, options: TokenizeOptions = {}): Promise<number[]> {
    const id = `tokenize(${text.length} chars)`;
    const { json, url } = await this.http.post('/tokenize', tokenizeBody(text, options), id);
    return withShape(id, url, () => {
      const o = asObject(json, '');
      num(o, 'request_time');
      return intArray(o, 'tokens');
    });
  }

  async decode(tokens: number[]): Promise<string> {
    const id = `decode(${tokens.length} tokens)`;
    const { json, url } = await this.http.post('/decode', { tokens }, id);
    return withShape(id, url, () => {
      const o = asObject(json, '');
      num(o, 'request_time');
      return str(o, 'text');
    });
  }

  /**
   * GET /info's `max_sequence_length` (an evalfirst extension: integrations/scoring_server.py and
   * `evalfirst serve` answer it); null for a server without /info, such as the organisers' sample
   * server. Asked once per backend.
   */
  contextLength(): Promise<number | null> {
    if (!this.context) {
      const asked = this.http.getOptional('/info', 'info').then((r) => (r ? withShape('info', r.url, () => optionalPositiveInt(asObject(r.json, ''), 'max_sequence_length')) : null));
      asked.catch(() => (this.context = null)); // a failed look is tried again
      this.context = asked;
    }
    return this.context;
  }
}

/** Runs a response parser, turning a ShapeError into a RequestError that names request and URL. */
export function withShape<T>(id: string, url: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ShapeError) throw new RequestError(`request ${id}: invalid response from ${url}: ${err.message}`, id, false);
    throw err;
  }
}
