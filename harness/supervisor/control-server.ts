// The control endpoint a trainer calls after saving each checkpoint: HTTP on 127.0.0.1, a random
// port, and a random bearer token handed to the trainer in its environment. The call blocks until
// the checkpoint is scored (a single-GPU trainer serves its model at `serving_url` meanwhile) and
// answers {"action": "continue" | "stop", ...}. The body: {step, path, serving_url?, save_s?}
// (save_s: the seconds the save took, which the deadline reserve counts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

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

export interface ControlServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

export const CONTROL_ENV = { url: 'EVALFIRST_CONTROL_URL', token: 'EVALFIRST_CONTROL_TOKEN' } as const;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Validates a checkpoint report; returns an error message or the report. */
export function parseReport(text: string): CheckpointReport | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  const b = body as Record<string, unknown>;
  if (typeof b !== 'object' || b === null) return 'body must be a JSON object';
  if (!Number.isInteger(b.step) || (b.step as number) < 0) return '"step" must be a non-negative integer';
  if (typeof b.path !== 'string' || !b.path) return '"path" must be a non-empty string';
  if (b.serving_url !== undefined && typeof b.serving_url !== 'string') return '"serving_url" must be a string';
  if (b.save_s !== undefined && b.save_s !== null && (typeof b.save_s !== 'number' || !Number.isFinite(b.save_s) || b.save_s < 0)) return '"save_s" must be a non-negative number of seconds';
  const saveS = typeof b.save_s === 'number' ? { save_s: b.save_s } : {};
  return { step: b.step as number, path: b.path, serving_url: b.serving_url as string | undefined, ...saveS };
}

export async function startControlServer(handlers: {
  onCheckpoint(report: CheckpointReport): Promise<ControlAnswer>;
  status(): unknown;
}): Promise<ControlServer> {
  const token = randomBytes(24).toString('hex');
  const server: Server = createServer(async (req, res) => {
    try {
      if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: 'missing or wrong bearer token' });
      if (req.method === 'GET' && req.url === '/status') return send(res, 200, handlers.status());
      if (req.method === 'POST' && req.url === '/checkpoint') {
        const report = parseReport(await readBody(req));
        if (typeof report === 'string') return send(res, 400, { error: report });
        return send(res, 200, await handlers.onCheckpoint(report));
      }
      send(res, 404, { error: `no route ${req.method} ${req.url}` });
    } catch (e) {
      send(res, 500, { error: (e as Error).message });
    }
  });
  server.requestTimeout = 0; // scoring a checkpoint can take long; the trainer waits
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
