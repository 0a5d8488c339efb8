// An OpenAI-compatible completions client (/v1/completions) for vLLM, llama.cpp's server and TGI:
// the request's decoding parameters map onto `max_tokens`, `temperature`, `top_p`, `stop`,
// `logprobs`, `echo`, `seed`; the legacy logprobs block maps onto Completion tokens.
import type { Backend, TokenizeOptions } from '../../core/backend.js';
import type { Completion, CompletionRequest, GeneratedToken } from '../../core/request.js';
import { HttpJsonClient, type HttpClientOptions } from './http-client.js';
import { ShapeError, arr, asObject, intArray, optionalPositiveInt, str } from './json-shape.js';
import { requestId } from '../../core/canonical-json.js';
import { withShape } from './neurips.js';

export function completionsBody(request: CompletionRequest, model: string | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {
    prompt: request.prompt,
    max_tokens: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
    n: request.numCompletions,
    logprobs: request.topKPerToken,
    echo: request.echoPrompt,
  };
  if (model !== undefined) body.model = model;
  if (request.stopSequences.length > 0) body.stop = request.stopSequences;
  if (request.seed !== undefined) body.seed = request.seed;
  return body;
}

/** choices[0] of a /v1/completions response → Completion (requestTime is filled by the caller). */
export function parseCompletionsResponse(body: unknown, requestTime: number): Completion {
  const o = asObject(body, '');
  const choices = arr(o, 'choices');
  if (choices.length === 0) throw new ShapeError('choices[0]', 'at least one choice', undefined);
  const choice = asObject(choices[0], 'choices[0]');
  const text = str(choice, 'text', 'choices[0].');
  const lp = asObject(choice.logprobs, 'choices[0].logprobs');
  const p = 'choices[0].logprobs.';
  const tokenTexts = arr(lp, 'tokens', p);
  const tokenLogprobs = arr(lp, 'token_logprobs', p);
  const tops = lp.top_logprobs === undefined || lp.top_logprobs === null ? [] : arr(lp, 'top_logprobs', p);
  if (tokenLogprobs.length !== tokenTexts.length) throw new ShapeError(`${p}token_logprobs`, `${tokenTexts.length} entries like tokens`, tokenLogprobs);
  const tokens: GeneratedToken[] = tokenTexts.map((t, i) => {
    if (typeof t !== 'string') throw new ShapeError(`${p}tokens[${i}]`, 'a string', t);
    const l = tokenLogprobs[i];
    // The first echoed prompt token has no logprob (null); count it as 0 like HELM's OpenAI client.
    if (l !== null && (typeof l !== 'number' || !Number.isFinite(l))) throw new ShapeError(`${p}token_logprobs[${i}]`, 'a finite number or null', l);
    const top = tops[i];
    const topLogprobs: Record<string, number> = {};
    if (top !== null && top !== undefined) {
      for (const [k, v] of Object.entries(asObject(top, `${p}top_logprobs[${i}]`))) {
        if (typeof v !== 'number') throw new ShapeError(`${p}top_logprobs[${i}][${JSON.stringify(k)}]`, 'a number', v);
        topLogprobs[k] = v;
      }
    }
    return { text: t, logprob: l ?? 0, topLogprobs };
  });
  const logprob = tokens.reduce((s, t) => s + t.logprob, 0);
  return { text, logprob, tokens, requestTime };
}

export interface OpenAIBackendOptions {
  urls: string[];
  /** The `model` field; vLLM requires it, llama.cpp ignores it. */
  model?: string;
  maxSequenceLength?: number;
  http?: Partial<HttpClientOptions>;
}

export class OpenAIBackend implements Backend {
  readonly id: string;
  readonly maxSequenceLength: number;
  readonly http: HttpJsonClient;
  readonly model: string | undefined;
  private context: Promise<number | null> | null = null;

  constructor(options: OpenAIBackendOptions) {
    // Accept both http://h:8000 and http://h:8000/v1.
    this.http = new HttpJsonClient(options.urls.map((u) => u.replace(/\/v1\/?$/, '')), options.http);
    this.model = options.model;
    this.id = `openai:${[...this.http.pool.urls].sort().join(',')}${this.model ? `#${this.model}` : ''}`;
    this.maxSequenceLength = options.maxSequenceLength ?? 2048;
  }

  async complete(request: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    const id = requestId(request);
    const started = performance.now();
    const { json, url } = await this.http.post('/v1/completions', completionsBody(request, this.model), id, signal);
    const seconds = (performance.now() - started) / 1000;
    return withShape(id, url, () => parseCompletionsResponse(json, seconds));
  }

  /**
   * vLLM's runtime LoRA loading (`--enable-lora`, VLLM_ALLOW_RUNTIME_LORA_UPDATING): POST
   * /v1/load_lora_adapter {lora_name, lora_path}; completions then name the adapter as `model`.
   * Retried like a completion; a refusal (HTTP 4xx) is a RequestError naming the adapter path.
   */
  async loadLoraAdapter(name: string, path: string): Promise<void> {
    await this.http.post('/v1/load_lora_adapter', { lora_name: name, lora_path: path }, `load_lora_adapter(${name} ← ${path})`, undefined, 'text');
  }

  /** vLLM's and llama.cpp's /tokenize (vLLM reads `prompt`, llama.cpp `content`). */
  async tokenize(text: string, options: TokenizeOptions = {}): Promise<number[]> {
    const id = `tokenize(${text.length} chars)`;
    const { json, url } = await this.http.post('/tokenize', { model: this.model, prompt: text, content: text, add_special: true, add_special_tokens: true }, id);
    const tokens = withShape(id, url, () => intArray(asObject(json, ''), 'tokens'));
    return options.truncation && options.maxLength !== undefined ? tokens.slice(0, options.maxLength) : tokens;
  }

  /** vLLM answers /detokenize with `prompt`, llama.cpp with `content`. */
  async decode(tokens: number[]): Promise<string> {
    const id = `decode(${tokens.length} tokens)`;
    const { json, url } = await this.http.post('/detokenize', { model: this.model, tokens }, id);
    return withShape(id, url, () => {
      const o = asObject(json, '');
      return typeof o.prompt === 'string' ? o.prompt : str(o, 'content');
    });
  }

  /** vLLM's GET /v1/models `max_model_len` of this model (a LoRA adapter's card: its parent's); null when not listed. */
  contextLength(): Promise<number | null> {
    if (!this.context) {
      const asked = this.http.getOptional('/v1/models', 'models').then((r) => (r ? withShape('models', r.url, () => maxModelLen(r.json, this.model)) : null));
      asked.catch(() => (this.context = null));
      this.context = asked;
    }
    return this.context;
  }
}

/** The `max_model_len` of `model` in a /v1/models answer (the only model's when none is named). */
export function maxModelLen(body: unknown, model: string | undefined): number | null {
  const data = arr(asObject(body, ''), 'data');
  const cards = data.map((c, i) => ({ card: asObject(c, `data[${i}]`), i }));
  const byId = (id: unknown) => cards.find((c) => c.card.id === id);
  let entry = model === undefined ? (cards.length === 1 ? cards[0] : undefined) : byId(model);
  const own = entry ? optionalPositiveInt(entry.card, 'max_model_len', `data[${entry.i}].`) : null;
  if (own !== null || !entry) return own;
  entry = typeof entry.card.parent === 'string' ? byId(entry.card.parent) : undefined;
  return entry ? optionalPositiveInt(entry.card, 'max_model_len', `data[${entry.i}].`) : null;
}
