// Builds the HTTP backend a command line describes: protocol, one or more base URLs, model name,
// and an optional local tokenizer.json for servers without /tokenize.
import type { Backend } from '../../core/backend.js';
import { NeuripsBackend } from './neurips.js';
import { OpenAIBackend } from './openai.js';
import { loadLocalTokenizer, withLocalTokenizer } from './local-tokenizer.js';
import type { HttpClientOptions } from './http-client.js';
import { UserError } from '../../core/errors.js';

export type Protocol = 'neurips' | 'openai';

export interface HttpBackendConfig {
  protocol: Protocol;
  urls: string[];
  modelName?: string;
  tokenizerPath?: string;
  maxSequenceLength?: number;
  http?: Partial<HttpClientOptions>;
}

export function parseProtocol(value: string): Protocol {
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

export function createHttpBackend(config: HttpBackendConfig): Backend {
  const common = { urls: config.urls, maxSequenceLength: config.maxSequenceLength, http: config.http };
  const backend: Backend =
    config.protocol === 'neurips' ? new NeuripsBackend(common) : new OpenAIBackend({ ...common, model: config.modelName });
  return config.tokenizerPath ? withLocalTokenizer(backend, loadLocalTokenizer(config.tokenizerPath)) : backend;
}
