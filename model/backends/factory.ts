// The one way a backend is built: a protocol → constructor table (challenge protocol, OpenAI-
// compatible, embedded runtime) over a BackendConfig. `eval`, `check-server`, `serve`, checkpoint
// scoring in `train` and the `gate` proxy all call createBackend; a run directory's config.json keeps
// the BackendConfig so `eval --resume` rebuilds the same backend without flags.
import type { Backend } from '../../core/backend.js';
import { UserError } from '../../core/errors.js';
import { NeuripsBackend } from './neurips.js';
import { OpenAIBackend } from './openai.js';
import { createEmbeddedBackend, type EmbeddedBackend } from './embedded.js';
import { loadLocalTokenizer, withLocalTokenizer } from './local-tokenizer.js';
import type { HttpClientOptions } from './http-client.js';

export type HttpProtocol = 'neurips' | 'openai';
export type Protocol = HttpProtocol | 'embedded';

export interface HttpBackendConfig {
  kind: 'http';
  protocol: HttpProtocol;
  urls: string[];
  /** The `model` field of an OpenAI-compatible server (vLLM requires it). */
  modelName?: string;
  /** A local tokenizer.json for servers without /tokenize. */
  tokenizerPath?: string;
  maxSequenceLength?: number;
  /** Per-attempt HTTP timeout. */
  timeoutMs?: number;
  /** Retries per request on connection errors, 5xx and 429. */
  retries?: number;
  /** OpenAI/vLLM only: load this LoRA adapter at run time (/v1/load_lora_adapter) and complete with model = its name. */
  loraAdapter?: { name: string; path: string };
}

export interface EmbeddedBackendConfig {
  kind: 'embedded';
  protocol: 'embedded';
  /** HF model folder or .gguf file. */
  model: string;
  /** PEFT LoRA adapter folder applied unmerged. */
  adapter?: string;
  quant?: 'nf4' | 'none';
  threads?: number;
  /** Prompt window, at most the model's context (the default). */
  maxSequenceLength?: number;
}

export type BackendConfig = HttpBackendConfig | EmbeddedBackendConfig;

function httpOptions(c: HttpBackendConfig): Partial<HttpClientOptions> {
  return {
    ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
    ...(c.retries !== undefined ? { retry: { maxRetries: c.retries, baseDelayMs: 500, maxDelayMs: 30_000 } } : {}),
  };
}

function withTokenizerFile(backend: Backend, c: HttpBackendConfig): Backend {
  return c.tokenizerPath ? withLocalTokenizer(backend, loadLocalTokenizer(c.tokenizerPath)) : backend;
}

type ConfigOf<P extends Protocol> = P extends 'embedded' ? EmbeddedBackendConfig : HttpBackendConfig;

const CONSTRUCTORS: { [P in Protocol]: (c: ConfigOf<P>) => Promise<Backend> } = {
  neurips: async (c) => withTokenizerFile(new NeuripsBackend({ urls: c.urls, maxSequenceLength: c.maxSequenceLength, http: httpOptions(c) }), c),
  openai: async (c) => {
    if (c.loraAdapter && c.modelName && c.modelName !== c.loraAdapter.name) throw new UserError(`model name "${c.modelName}" and LoRA adapter "${c.loraAdapter.name}" disagree: completions under an adapter use its name`);
    const backend = new OpenAIBackend({ urls: c.urls, model: c.loraAdapter?.name ?? c.modelName, maxSequenceLength: c.maxSequenceLength, http: httpOptions(c) });
    if (c.loraAdapter) await backend.loadLoraAdapter(c.loraAdapter.name, c.loraAdapter.path);
    return withTokenizerFile(backend, c);
  },
  embedded: (c) => createEmbeddedBackend({ model: c.model, adapter: c.adapter, quant: c.quant, threads: c.threads, maxSequenceLength: c.maxSequenceLength }),
};

export function createBackend(config: EmbeddedBackendConfig): Promise<EmbeddedBackend>;
export function createBackend(config: BackendConfig): Promise<Backend>;
export function createBackend(config: BackendConfig): Promise<Backend> {
  const make = CONSTRUCTORS[config.protocol] as ((c: BackendConfig) => Promise<Backend>) | undefined;
  if (!make) throw new UserError(`unknown protocol "${String(config.protocol)}" (expected ${Object.keys(CONSTRUCTORS).join(', ')})`);
  return make(config);
}

export function parseProtocol(value: string): HttpProtocol {
  if (value === 'neurips' || value === 'openai') return value;
  throw new UserError(`unknown protocol "${value}" (expected neurips or openai)`);
}

/** "http://a:1,http://b:2" → two URLs. */
export function parseServerList(value: string): string[] {
  const urls = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (urls.length === 0) throw new UserError('--server needs at least one URL');
  for (const u of urls) {
    try {
      new URL(/^[a-z]+:\/\//i.test(u) ? u : `http://${u}`);
    } catch {
      throw new UserError(`--server: "${u}" is not a URL`);
    }
  }
  return urls;
}

/** A config.json backend written by an older evalfirst or by hand, checked before use. */
export function checkBackendConfig(value: unknown, where: string): BackendConfig {
  const c = value as Partial<BackendConfig> | null;
  if (typeof c !== 'object' || c === null) throw new UserError(`${where}: "backend" must be an object`);
  const kind = (c as { kind?: unknown }).kind;
  if (kind === 'checkpoint' || kind === 'programmatic') throw new UserError(`${where}: this run's backend was built in code (${kind}: e.g. a training checkpoint scored by \`evalfirst train\`), so it cannot be rebuilt from config.json; resume the training run instead`);
  if (c.protocol === 'embedded') {
    if (typeof (c as EmbeddedBackendConfig).model !== 'string') throw new UserError(`${where}: embedded backend needs "model"`);
    return { ...(c as EmbeddedBackendConfig), kind: 'embedded' };
  }
  if (c.protocol === 'neurips' || c.protocol === 'openai') {
    const urls = (c as HttpBackendConfig).urls;
    if (!Array.isArray(urls) || urls.length === 0 || !urls.every((u) => typeof u === 'string')) throw new UserError(`${where}: http backend needs a non-empty "urls" list`);
    return { ...(c as HttpBackendConfig), kind: 'http' };
  }
  throw new UserError(`${where}: backend protocol ${JSON.stringify(c.protocol)} is not one of neurips, openai, embedded`);
}
