// The control endpoint a trainer calls after saving each checkpoint: HTTP on 127.0.0.1 and a
// random bearer token, both handed to the trainer in its environment. A new run gets a random port;
// a resumed one listens on the address and token it recorded, so a trainer that outlived the killed
// supervisor reaches the new one. The call blocks until the checkpoint is scored (a single-GPU
// trainer serves its model at `serving_url` meanwhile) and answers {"action": "continue" | "stop", ...}.
// The body: {step, path, serving_url?, save_s?} (save_s: the seconds the save took, which the
// deadline reserve counts). Every field of a report is checked (type, size, no control characters)
// before anything acts on it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { UserError } from '../../core/errors.js';
import { controlCharAt, quoteForMessage } from '../../core/safe-text.js';

export interface CheckpointReport {
  step: number;
  path: string;
  serving_url?: string;
  /** Seconds the trainer spent saving the checkpoint. */
  save_s?: number;
}

export interface ControlAnswer {
  action: 'continue' | 'stop';
  reason?: string;
  detail?: string;
}

/** A report the supervisor refuses (HTTP 400 with this message); thrown by onCheckpoint. */
export class RefusedReport extends Error {}

/** The control endpoint could not listen where it was asked to (`code`: EADDRINUSE, EACCES...). */
export class ControlListenError extends UserError {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface ControlServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Where to listen: the address and token a resumed run recorded (a new run: none, a random port). */
export interface ControlAddress {
  port: number;
  token: string;
}

export const CONTROL_ENV = { url: 'EVALFIRST_CONTROL_URL', token: 'EVALFIRST_CONTROL_TOKEN' } as const;

/** Set to 1 for a trainer that a resumed supervisor starts again: continue from the last complete checkpoint. */
export const RESUME_ENV = 'EVALFIRST_RESUME';

/** A report is a few hundred bytes; anything near this is not one. */
export const MAX_REPORT_BYTES = 64 * 1024;
const MAX_PATH_CHARS = 4096;
const MAX_URL_CHARS = 2048;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

class TooLarge extends Error {}

/** The body, or TooLarge once it passes `limit` bytes (the rest is read and dropped, so the client sees the 413). */
async function readBody(req: IncomingMessage, limit = MAX_REPORT_BYTES): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size <= limit) chunks.push(c as Buffer);
  }
  if (size > limit) throw new TooLarge(`body of ${size} bytes is larger than the ${limit}-byte limit of a checkpoint report`);
  return Buffer.concat(chunks).toString('utf8');
}

/** A string field: present when required, a string, at most `max` characters, no control characters. */
function textField(b: Record<string, unknown>, key: string, max: number, required: boolean): string | undefined {
  const v = b[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.length === 0) return fail(`"${key}" must be a non-empty string, got ${quoteForMessage(v)}`);
  if (v.length > max) return fail(`"${key}" is ${v.length} characters, more than ${max}`);
  const at = controlCharAt(v);
  if (at >= 0) return fail(`"${key}" holds a control character at index ${at}: ${quoteForMessage(v)}`);
  return v;
}

function fail(message: string): never {
  throw new RefusedReport(message);
}

/** Validates a checkpoint report; returns an error message or the report. */
export function parseReport(text: string): CheckpointReport | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const b = body as Record<string, unknown>;
  try {
    if (!Number.isSafeInteger(b.step) || (b.step as number) < 0) fail(`"step" must be a non-negative integer, got ${quoteForMessage(b.step)}`);
    const path = textField(b, 'path', MAX_PATH_CHARS, true) as string;
    const servingUrl = textField(b, 'serving_url', MAX_URL_CHARS, false);
    if (servingUrl !== undefined) {
      let protocol = '';
      try {
        protocol = new URL(servingUrl).protocol;
      } catch {
        fail(`"serving_url" is not a URL: ${quoteForMessage(servingUrl)}`);
      }
      if (protocol !== 'http:' && protocol !== 'https:') fail(`"serving_url" must be an http(s) URL, got ${quoteForMessage(servingUrl)}`);
    }
    // null: the Python callback's None (no save time measured).
    if (b.save_s !== undefined && b.save_s !== null && (typeof b.save_s !== 'number' || !Number.isFinite(b.save_s) || b.save_s < 0)) {
      fail(`"save_s" must be a non-negative number of seconds, got ${quoteForMessage(b.save_s)}`);
    }
    return { step: b.step as number, path, serving_url: servingUrl, ...(typeof b.save_s === 'number' ? { save_s: b.save_s } : {}) };
  } catch (e) {
    if (e instanceof RefusedReport) return e.message;
    throw e;
  }
}

/** Compares a presented Authorization header with the token in constant time (digests of equal length). */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(header ?? ''), digest(`Bearer ${token}`));
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

export async function startControlServer(
  handlers: {
    onCheckpoint(report: CheckpointReport): Promise<ControlAnswer>;
    status(): unknown;
  },
  address: ControlAddress | null = null,
): Promise<ControlServer> {
  const token = address?.token ?? randomBytes(24).toString('hex');
  const server: Server = createServer(async (req, res) => {
    try {
      if (!tokenMatches(req.headers.authorization, token)) return send(res, 401, { error: 'missing or wrong bearer token' });
      if (req.method === 'GET' && req.url === '/status') return send(res, 200, handlers.status());
      if (req.method === 'POST' && req.url === '/checkpoint') {
        const report = parseReport(await readBody(req));
        if (typeof report === 'string') return send(res, 400, { error: report });
        return send(res, 200, await handlers.onCheckpoint(report));
      }
      send(res, 404, { error: `no route ${req.method} ${quoteForMessage(req.url ?? '')}` });
    } catch (e) {
      if (e instanceof TooLarge) return send(res, 413, { error: e.message });
      if (e instanceof RefusedReport) return send(res, 400, { error: e.message });
      send(res, 500, { error: (e as Error).message });
    }
  });
  server.requestTimeout = 0; // scoring a checkpoint can take long; the trainer waits
  server.headersTimeout = 60_000;
  try {
    await listen(server, address?.port ?? 0);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new ControlListenError(`cannot listen on 127.0.0.1:${address?.port ?? 0} for the control endpoint: ${code}${code === 'EADDRINUSE' ? ' (another process holds the port)' : ''}`, code);
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
