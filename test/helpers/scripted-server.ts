// A scripted model server for tests (a test double, not the product): it speaks the challenge
// protocol (/process, /tokenize, /decode) or the OpenAI completions protocol on 127.0.0.1,
// answers deterministically from a script, logs every request, and misbehaves on demand.
//
// "Tokens" here are whitespace-led words (" Paris", "."), and /tokenize maps each character to
// its code point, optionally after a BOS id 1; this keeps prompt-window arithmetic predictable.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'invalid-json' }
  | { kind: 'drop-key'; key: string }
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'destroy' }
  /** Answer 200 with this body instead of the script's (e.g. an answer longer than asked for). */
  | { kind: 'body'; body: Record<string, unknown> }
  /** Never answer (a hung server); the connection stays open until the client gives up. */
  | { kind: 'hang' };

export interface ScriptContext {
  path: string;
  body: Record<string, unknown>;
  /** 1-based count of requests so far with this exact body (1 on the first try). */
  attempt: number;
  /** 1-based count of all requests to this path. */
  seq: number;
}

export interface ScriptedServerOptions {
  protocol?: 'neurips' | 'openai';
  /** The model's full answer before stop sequences and max tokens apply (default "A"). */
  answer?: (prompt: string, ctx: ScriptContext) => string;
  /** Generate past stop sequences, as many challenge servers did. */
  ignoreStop?: boolean;
  /** Milliseconds before answering each completion. */
  delayMs?: number;
  /** /tokenize adds a BOS token (id 1) first. */
  addBos?: boolean;
  /** A different answer on every call (breaks temperature-0 determinism). */
  nondeterministic?: boolean;
  /** Whether /tokenize and /decode exist. */
  tokenizeEndpoints?: boolean;
  /** Token ids for /tokenize (default: one per character, as the module comment says). */
  tokenize?: (text: string) => number[];
  /** Misbehaviour for one request, or nothing. */
  fault?: (ctx: ScriptContext) => Fault | undefined;
  /** The model's context: GET /info reports it and /process answers 400 to prompt + max_new_tokens over it. */
  contextLength?: number;
  /** /tokenize ignores truncation and max_length, as the organisers' sample server did. */
  ignoreTruncation?: boolean;
  /** Tokens generated past max_new_tokens. */
  overlong?: number;
}

export interface LoggedRequest {
  path: string;
  body: Record<string, unknown>;
  at: number;
}

export interface ScriptedServer {
  url: string;
  log: LoggedRequest[];
  options: ScriptedServerOptions;
  /** Completion requests (/process or /v1/completions) in arrival order. */
  completions(): LoggedRequest[];
  close(): Promise<void>;
}

/** Splits text into word-ish tokens: each chunk is optional leading spaces plus non-space run, or trailing spaces. */
export function scriptTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

/** What a well-behaved server generates: the answer cut at the first stop sequence, then at max tokens. */
export function generate(answer: string, stops: string[], maxTokens: number, ignoreStop: boolean): string[] {
  let text = answer;
  if (!ignoreStop) {
    let cut = text.length;
    for (const s of stops) {
      const i = s.length > 0 ? text.indexOf(s) : -1;
      if (i >= 0 && i < cut) cut = i;
    }
    text = text.slice(0, cut);
  }
  return scriptTokens(text).slice(0, Math.max(0, maxTokens));
}

function logprobOf(token: string): number {
  return -(token.length % 7) / 10 - 0.01;
}

export async function startScriptedServer(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const log: LoggedRequest[] = [];
  const attempts = new Map<string, number>();
  const seqs = new Map<string, number>();
  let calls = 0;
  const opts = options;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw || '{}') as Record<string, unknown>;
    } catch {
      return send(res, 400, { detail: 'body is not JSON' });
    }
    const path = (req.url ?? '/').split('?')[0];
    log.push({ path, body, at: Date.now() });
    const key = `${path} ${raw}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const seq = (seqs.get(path) ?? 0) + 1;
    seqs.set(path, seq);
    const ctx: ScriptContext = { path, body, attempt, seq };

    const fault = opts.fault?.(ctx);
    if (fault?.kind === 'destroy') return void req.socket.destroy();
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = fault.retryAfter ? { 'retry-after': fault.retryAfter } : {};
      return send(res, fault.status, { detail: `scripted ${fault.status}` }, headers);
    }
    if (fault?.kind === 'body') return send(res, 200, fault.body);
    if (fault?.kind === 'hang') return new Promise<void>((resolve) => res.on('close', resolve));
    if (fault?.kind === 'invalid-json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"text": "A", "logprob": -0.1, ');
    }

    let out: Record<string, unknown> | undefined;
    const protocol = opts.protocol ?? 'neurips';
    if (protocol === 'neurips' && path === '/info' && opts.contextLength !== undefined) out = { model: 'scripted', max_sequence_length: opts.contextLength };
    else if (protocol === 'neurips' && path === '/process') {
      const over = overContext(body);
      if (over) return send(res, 400, { error: over });
      out = await processAnswer(body, ctx);
    }
    else if (protocol === 'openai' && path === '/v1/completions') out = await completionsAnswer(body, ctx);
    else if (opts.tokenizeEndpoints !== false && path === '/tokenize') out = tokenizeAnswer(body);
    else if (opts.tokenizeEndpoints !== false && (path === '/decode' || path === '/detokenize')) out = decodeAnswer(body, protocol);
    if (!out) return send(res, 404, { detail: `no route ${path}` });
    if (fault?.kind === 'drop-key') delete out[fault.key];
    send(res, 200, out);
  };

  const tokenIds = (text: string): number[] => {
    const tokens = opts.tokenize ? opts.tokenize(text) : [...text].map((c) => c.codePointAt(0) as number);
    return opts.addBos ? [1, ...tokens] : tokens;
  };

  const overContext = (body: Record<string, unknown>): string | undefined => {
    if (opts.contextLength === undefined) return undefined;
    const promptTokens = tokenIds(String(body.prompt ?? '')).length;
    const total = promptTokens + Number(body.max_new_tokens ?? 50);
    return total > opts.contextLength ? `prompt of ${promptTokens} tokens + max_new_tokens ${Number(body.max_new_tokens ?? 50)} = ${total} tokens exceeds the model's context of ${opts.contextLength} tokens` : undefined;
  };

  const answerText = (prompt: string, ctx: ScriptContext): string => {
    const base = opts.answer ? opts.answer(prompt, ctx) : 'A';
    return opts.nondeterministic ? `${base} ${++calls}` : base;
  };

  const processAnswer = async (body: Record<string, unknown>, ctx: ScriptContext): Promise<Record<string, unknown>> => {
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    const prompt = String(body.prompt ?? '');
    const stops = Array.isArray(body.stop_sequences) ? (body.stop_sequences as string[]) : [];
    const toks = generate(answerText(prompt, ctx), stops, Number(body.max_new_tokens ?? 50) + (opts.overlong ?? 0), opts.ignoreStop ?? false);
    const tokens = toks.map((t) => ({ text: t, logprob: logprobOf(t), top_logprob: { [t]: logprobOf(t) } }));
    const gen = toks.join('');
    return {
      text: body.echo_prompt ? prompt + gen : gen,
      tokens,
      logprob: tokens.reduce((s, t) => s + t.logprob, 0),
      request_time: 0.001,
    };
  };

  const completionsAnswer = async (body: Record<string, unknown>, ctx: ScriptContext): Promise<Record<string, unknown>> => {
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    const prompt = String(body.prompt ?? '');
    const stops = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? (body.stop as string[]) : [];
    const toks = generate(answerText(prompt, ctx), stops, Number(body.max_tokens ?? 16), opts.ignoreStop ?? false);
    const gen = toks.join('');
    return {
      id: `cmpl-${ctx.seq}`,
      object: 'text_completion',
      model: body.model ?? 'scripted',
      choices: [
        {
          index: 0,
          text: body.echo ? prompt + gen : gen,
          finish_reason: 'stop',
          logprobs: {
            tokens: toks,
            token_logprobs: toks.map(logprobOf),
            top_logprobs: toks.map((t) => ({ [t]: logprobOf(t) })),
            text_offset: toks.map((_, i) => toks.slice(0, i).join('').length),
          },
        },
      ],
    };
  };

  const tokenizeAnswer = (body: Record<string, unknown>): Record<string, unknown> => {
    const text = String(body.text ?? body.prompt ?? body.content ?? '');
    let tokens = tokenIds(text);
    if (!opts.ignoreTruncation && body.truncation === true && typeof body.max_length === 'number') tokens = tokens.slice(0, body.max_length);
    return { tokens, request_time: 0.0001 };
  };

  const decodeAnswer = (body: Record<string, unknown>, protocol: string): Record<string, unknown> => {
    const ids = Array.isArray(body.tokens) ? (body.tokens as number[]) : [];
    const text = ids.filter((t) => t !== 1).map((t) => String.fromCodePoint(t)).join('');
    return protocol === 'openai' ? { prompt: text } : { text, request_time: 0.0001 };
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => send(res, 500, { detail: String(err) }));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const completionPath = (opts.protocol ?? 'neurips') === 'neurips' ? '/process' : '/v1/completions';
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    options: opts,
    completions: () => log.filter((r) => r.path === completionPath),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
