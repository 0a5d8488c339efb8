// An HTTP server speaking the NeurIPS 2023 LLM Efficiency Challenge protocol over any Backend
// (research/challenge.md §3): POST /process, /tokenize, /decode with HELM's body and response keys,
// and GET /info {model, max_sequence_length} (an evalfirst extension, as integrations/scoring_server.py).
// Defaults for fields HELM may omit follow the challenge's sample server (max_new_tokens 50,
// temperature 0.8, top_k_per_token 1, truncation true, max_length 2048); temperature 1e-7 (HELM's
// stand-in for 0) decodes greedily; stop sequences are honoured here, since HELM does not truncate.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestError, type Backend } from '../../core/backend.js';
import type { CompletionRequest } from '../../core/request.js';

export const MAX_BODY_BYTES = 16 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (e) {
        reject(new HttpError(400, `body is not JSON: ${(e as Error).message}`));
      }
    });
    req.on('error', reject);
  });
}

function field<T>(body: Record<string, unknown>, key: string, kind: 'string' | 'number' | 'boolean', fallback?: T): T {
  const v = body[key];
  if (v === undefined || v === null) {
    if (fallback === undefined) throw new HttpError(422, `field "${key}" is required`);
    return fallback;
  }
  if (typeof v !== kind) throw new HttpError(422, `field "${key}" must be a ${kind}, got ${JSON.stringify(v)}`);
  return v as T;
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(422, 'body must be a JSON object');
  return body as Record<string, unknown>;
}

/** HELM's /process body → CompletionRequest. */
export function parseProcessBody(raw: unknown): CompletionRequest {
  const b = asObject(raw);
  const stops = b.stop_sequences ?? [];
  if (!Array.isArray(stops) || !stops.every((s) => typeof s === 'string')) throw new HttpError(422, 'field "stop_sequences" must be a list of strings');
  const maxTokens = field<number>(b, 'max_new_tokens', 'number', 50);
  if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new HttpError(422, `field "max_new_tokens" must be a non-negative integer`);
  const k = field<number>(b, 'top_k_per_token', 'number', 1);
  if (!Number.isInteger(k) || k < 0 || k > 100) throw new HttpError(422, 'field "top_k_per_token" must be an integer in [0, 100]');
  const seed = b.seed === undefined || b.seed === null ? undefined : field<number>(b, 'seed', 'number');
  return {
    prompt: field<string>(b, 'prompt', 'string'),
    temperature: field<number>(b, 'temperature', 'number', 0.8),
    numCompletions: field<number>(b, 'num_return_sequences', 'number', field<number>(b, 'num_samples', 'number', 1)),
    maxTokens,
    stopSequences: stops as string[],
    topP: field<number>(b, 'top_p', 'number', 1),
    echoPrompt: field<boolean>(b, 'echo_prompt', 'boolean', false),
    topKPerToken: k,
    seed,
  };
}

async function handle(backend: Backend, path: string, body: unknown, signal: AbortSignal): Promise<unknown> {
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  switch (path) {
    case '/process': {
      const c = await backend.complete(parseProcessBody(body), signal);
      return {
        text: c.text,
        tokens: c.tokens.map((t) => ({ text: t.text, logprob: t.logprob, top_logprob: t.topLogprobs })),
        logprob: c.logprob,
        request_time: c.requestTime,
      };
    }
    case '/tokenize': {
      const b = asObject(body);
      const text = field<string>(b, 'text', 'string');
      const truncation = field<boolean>(b, 'truncation', 'boolean', true);
      const maxLength = field<number>(b, 'max_length', 'number', 2048);
      const tokens = await backend.tokenize(text, { truncation, maxLength });
      return { tokens, request_time: seconds() };
    }
    case '/decode': {
      const b = asObject(body);
      const tokens = b.tokens;
      if (!Array.isArray(tokens) || !tokens.every((t) => Number.isInteger(t))) throw new HttpError(422, 'field "tokens" must be a list of integers');
      return { text: await backend.decode(tokens as number[]), request_time: seconds() };
    }
    default:
      throw new HttpError(404, `no endpoint ${path} (POST /process, /tokenize, /decode)`);
  }
}

/** GET /info: the model's identity and the context it can take (prompt + generated tokens). */
async function info(backend: Backend): Promise<Record<string, unknown>> {
  return { model: backend.id, max_sequence_length: (await backend.contextLength?.()) ?? backend.maxSequenceLength };
}

function send(res: ServerResponse, status: number, obj: unknown): void {
  const data = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export function startChallengeServer(backend: Backend, opts: { host?: string; port?: number; log?: (line: string) => void } = {}): Promise<RunningServer> {
  const log = opts.log ?? (() => undefined);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/info') {
      info(backend).then((out) => send(res, 200, out), (e: unknown) => send(res, 500, { error: (e as Error).message }));
      return;
    }
    if (req.method !== 'POST') {
      send(res, 405, { error: `${req.method} ${path}: use POST` });
      return;
    }
    // a client that hangs up (HELM's timeout) cancels its request if it is still queued
    const hangup = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) hangup.abort();
    });
    readBody(req)
      .then((body) => handle(backend, path, body, hangup.signal))
      .then((out) => send(res, 200, out))
      .catch((e: unknown) => {
        if (hangup.signal.aborted) return;
        const status = e instanceof HttpError ? e.status : e instanceof RequestError ? 400 : 500;
        const msg = (e as Error).message ?? String(e);
        log(`${path}: ${status} ${msg}`);
        send(res, status, { error: msg, detail: msg });
      });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', () => {
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        url: `http://${host}:${a.port}`,
        server,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
