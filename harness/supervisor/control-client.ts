// The trainer side of the control protocol, for trainers written in TypeScript (the embedded
// `evalfirst finetune`): report a saved checkpoint and learn whether to continue.
//
// The supervisor may be killed and resumed (`evalfirst train --resume`) on the same URL and token,
// so a refused or dropped connection and HTTP 5xx are retried with jittered exponential backoff
// (0.5 s doubling to 15 s) for up to EVALFIRST_CONTROL_RETRY_S seconds in all (default 600), as
// integrations/control_client.py does; then SupervisorUnreachable is thrown and the trainer stops
// cleanly with its checkpoint on disk. HTTP 4xx (wrong token, refused report) is not retried.
// node:http rather than fetch: the call may wait hours for the scoring, past undici's timeouts.
import { request } from 'node:http';
import { UserError } from '../../core/errors.js';
import { backoffDelayMs, sleep, type RetryPolicy } from '../../model/backends/retry.js';
import { CONTROL_ENV } from './control-server.js';

export const RETRY_ENV = 'EVALFIRST_CONTROL_RETRY_S';
export const DEFAULT_RETRY_S = 600;
const BACKOFF: RetryPolicy = { maxRetries: Number.POSITIVE_INFINITY, baseDelayMs: 500, maxDelayMs: 15_000 };

export interface ControlClient {
  /** `saveS`: the seconds the save took (the supervisor's deadline reserve counts it). */
  report(step: number, path: string, servingUrl?: string, saveS?: number): Promise<'continue' | 'stop'>;
}

/** The control endpoint stayed unreachable (or kept failing) for the whole retry budget. */
export class SupervisorUnreachable extends Error {
  constructor(
    readonly url: string,
    readonly waitedS: number,
    readonly lastError: string,
  ) {
    super(`control endpoint ${url} unreachable for ${waitedS.toFixed(0)} s: ${lastError}`);
    this.name = 'SupervisorUnreachable';
  }
}

/** $EVALFIRST_CONTROL_RETRY_S as seconds (default 600); a malformed value is a user error. */
export function retryBudgetS(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[RETRY_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_RETRY_S;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new UserError(`${RETRY_ENV}=${JSON.stringify(raw)} must be a number of seconds >= 0`);
  return v;
}

class Retryable extends Error {}

/** One POST; resolves with the status and body, rejects Retryable on a connection failure. */
function postOnce(url: string, token: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/checkpoint`, {
      // a connection of its own: a kept-alive one can be closed by the server's keep-alive timeout
      // just as the next report (seconds later) goes out on it (UND_ERR_SOCKET "other side closed")
      agent: false,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => reject(new Retryable(`answer cut off: ${e.message}`)));
    });
    // refused / reset / dropped mid-answer: the supervisor is down or restarting
    req.on('error', (e: NodeJS.ErrnoException) => reject(new Retryable(e.code ? `${e.code} ${e.message}` : e.message)));
    req.end(body);
  });
}

/** The answer's action, or an Error for an answer that is not one (4xx, malformed); Retryable for 5xx. */
function actionOf(url: string, step: number, status: number, text: string): 'continue' | 'stop' {
  if (status >= 500) throw new Retryable(`HTTP ${status} ${text.slice(0, 200)}`);
  let body: { action?: unknown } | null = null;
  try {
    body = JSON.parse(text) as { action?: unknown };
  } catch {
    body = null;
  }
  if (status !== 200 || (body?.action !== 'continue' && body?.action !== 'stop')) {
    throw new Error(`control endpoint ${url} answered HTTP ${status} ${text.slice(0, 300)} for checkpoint step ${step}`);
  }
  return body.action;
}

export interface ControlClientOptions {
  retryS?: number;
  /** Called before each wait, for the trainer's log. */
  onRetry?: (waitMs: number, error: string) => void;
}

export function controlClient(url: string, token: string, opts: ControlClientOptions = {}): ControlClient {
  const budgetMs = (opts.retryS ?? retryBudgetS()) * 1000;
  return {
    async report(step, path, servingUrl, saveS) {
      const body = JSON.stringify({ step, path, serving_url: servingUrl, save_s: saveS });
      let firstFailure: number | null = null;
      for (let attempt = 0; ; attempt++) {
        try {
          const { status, text } = await postOnce(url, token, body);
          return actionOf(url, step, status, text);
        } catch (e) {
          if (!(e instanceof Retryable)) throw e;
          const now = Date.now();
          firstFailure ??= now;
          const remaining = budgetMs - (now - firstFailure);
          if (remaining <= 0) throw new SupervisorUnreachable(url, (now - firstFailure) / 1000, e.message);
          const wait = Math.min(backoffDelayMs(BACKOFF, attempt), remaining);
          opts.onRetry?.(wait, e.message);
          await sleep(wait);
        }
      }
    },
  };
}

/** A client from the environment evalfirst train sets, or null outside a supervised run. */
export function controlClientFromEnv(env: NodeJS.ProcessEnv = process.env, opts: Omit<ControlClientOptions, 'retryS'> = {}): ControlClient | null {
  const url = env[CONTROL_ENV.url];
  const token = env[CONTROL_ENV.token];
  if (!url || !token) return null;
  return controlClient(url, token, { ...opts, retryS: retryBudgetS(env) });
}
