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
/** No context comes near this many tokens: a larger max_new_tokens / max_length is a malformed request. */
const MAX_NEW_TOKENS = 1 << 20;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** At most this many bytes are read and dropped past the limit before the connection is cut. */
const MAX_DRAIN_BYTES = 1 << 30;

/**
 * The parsed JSON body. One over MAX_BODY_BYTES is read to its end and dropped, so the client
 * sees the 413 (cutting the upload short would reset its connection instead).
 */
function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
      else if (size > MAX_DRAIN_BYTES) req.destroy();
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return reject(new HttpError(413, `body of ${size} bytes is larger than the ${MAX_BODY_BYTES}-byte limit`));
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

/** A number field within [min, max] (an integer when `integer`), else HTTP 422 naming it. */
function numberIn(body: Record<string, unknown>, key: string, fallback: number, min: number, max: number, integer: boolean): number {
  const v = field<number>(body, key, 'number', fallback);
  const what = `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`;
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) throw new HttpError(422, `field "${key}" must be ${what}, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * HELM's /process body → CompletionRequest. Every field is checked: this runtime returns one
 * sequence (num_return_sequences, or the sample server's num_samples, must be 1), temperature is
 * >= 0 (HELM sends 1e-7 for greedy), top_p in (0, 1], counts are integers (whether prompt +
 * max_new_tokens fit the context is the backend's to say).
 */
export function parseProcessBody(raw: unknown): CompletionRequest {
  const b = asObject(raw);
  const stops = b.stop_sequences ?? [];
  if (!Array.isArray(stops) || !stops.every((s) => typeof s === 'string')) throw new HttpError(422, 'field "stop_sequences" must be a list of strings');
  const maxTokens = numberIn(b, 'max_new_tokens', 50, 0, MAX_NEW_TOKENS, true);
  const k = numberIn(b, 'top_k_per_token', 1, 0, 100, true);
  const seed = b.seed === undefined || b.seed === null ? undefined : numberIn(b, 'seed', 0, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  const n = b.num_return_sequences !== undefined && b.num_return_sequences !== null ? numberIn(b, 'num_return_sequences', 1, 1, 1, true) : numberIn(b, 'num_samples', 1, 1, 1, true);
  const topP = numberIn(b, 'top_p', 1, 0, 1, false);
  if (topP === 0) throw new HttpError(422, 'field "top_p" must be in (0, 1], got 0');
  return {
    prompt: field<string>(b, 'prompt', 'string'),
    temperature: numberIn(b, 'temperature', 0.8, 0, 1e6, false),
    numCompletions: n,
    maxTokens,
    stopSequences: stops as string[],
    topP,
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
      const maxLength = numberIn(b, 'max_length', 2048, 0, MAX_NEW_TOKENS, true);
      const tokens = await backend.tokenize(text, { truncation, maxLength });
      return { tokens, request_time: seconds() };
    }
    case '/decode': {
      const b = asObject(body);
      const tokens = b.tokens;
      if (!Array.isArray(tokens) || !tokens.every((t) => Number.isInteger(t) && t >= 0)) throw new HttpError(422, 'field "tokens" must be a list of non-negative integers');
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
