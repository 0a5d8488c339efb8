// POST JSON to (or GET an informational route of) one of a model's replicas with a timeout, retrying connection errors, timeouts,
// 5xx and 429 (honouring Retry-After) with jittered exponential backoff. Every failure becomes a
// RequestError naming the request and the URL. Uses Node's built-in fetch (undici).
import { RequestError } from '../../core/backend.js';
import { ReplicaPool } from './replicas.js';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, isRetryableStatus, parseRetryAfter, sleep, type RetryPolicy } from './retry.js';

export interface HttpClientOptions {
  /** Per-attempt timeout (HELM's challenge client: 3000 s). */
  timeoutMs: number;
  retry: RetryPolicy;
}

export const DEFAULT_HTTP_OPTIONS: HttpClientOptions = { timeoutMs: 3_000_000, retry: DEFAULT_RETRY_POLICY };

/** What one failed attempt tells the retry loop. */
interface AttemptFailure {
  message: string;
  /** The HTTP status, when the server answered. */
  status?: number;
  retryable: boolean;
  retryAfterMs?: number;
}

export class HttpJsonClient {
  readonly pool: ReplicaPool;
  readonly options: HttpClientOptions;

  constructor(urls: string[], options: Partial<HttpClientOptions> = {}) {
    this.pool = new ReplicaPool(urls);
    this.options = { ...DEFAULT_HTTP_OPTIONS, ...options, retry: { ...DEFAULT_RETRY_POLICY, ...options.retry } };
  }

  /**
   * POSTs `body` to `path` and returns the parsed JSON with the URL that answered (`expect: 'text'`:
   * the body as text, for endpoints such as vLLM's /v1/load_lora_adapter that answer plain text).
   */
  async post(path: string, body: unknown, requestId: string, signal?: AbortSignal, expect: 'json' | 'text' = 'json'): Promise<{ json: unknown; url: string }> {
    const answer = await this.send('POST', path, JSON.stringify(body), requestId, signal, expect, []);
    return answer as { json: unknown; url: string };
  }

  /**
   * GETs `path` (an informational route such as /info): the parsed JSON with the URL that answered,
   * or null when the server has no such route (HTTP 404, 405 or 501). Retried like a POST.
   */
  async getOptional(path: string, requestId: string): Promise<{ json: unknown; url: string } | null> {
    return this.send('GET', path, undefined, requestId, undefined, 'json', [404, 405, 501]);
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    payload: string | undefined,
    requestId: string,
    signal: AbortSignal | undefined,
    expect: 'json' | 'text',
    absentStatuses: number[],
  ): Promise<{ json: unknown; url: string } | null> {
    const { retry } = this.options;
    let last: AttemptFailure | undefined;
    for (let attempt = 0; attempt <= retry.maxRetries; attempt++) {
      if (attempt > 0 && last) {
        const wait = last.retryAfterMs ?? backoffDelayMs(retry, attempt - 1);
        await sleep(wait, signal);
      }
      const replica = this.pool.acquire();
      const url = this.pool.urls[replica] + path;
      try {
        const outcome = await this.attempt(method, url, payload, requestId, signal, expect);
        if ('json' in outcome) return { json: outcome.json, url };
        last = outcome.failure;
        if (last.status !== undefined && absentStatuses.includes(last.status)) return null;
        if (!last.retryable) throw new RequestError(`request ${requestId}: ${last.message}`, requestId, false);
      } finally {
        this.pool.release(replica);
      }
      if (signal?.aborted) break;
    }
    const tries = retry.maxRetries + 1;
    throw new RequestError(`request ${requestId}: ${last?.message ?? 'aborted'} (gave up after ${tries} attempt${tries === 1 ? '' : 's'})`, requestId, true);
  }

  private async attempt(
    method: 'GET' | 'POST',
    url: string,
    payload: string | undefined,
    requestId: string,
    signal: AbortSignal | undefined,
    expect: 'json' | 'text',
  ): Promise<{ json: unknown } | { failure: AttemptFailure }> {
    // One plain controller per attempt, cleared on completion: AbortSignal.timeout/any build
    // transferable signals, a measurable cost at hundreds of requests per second.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let res: Response;
    let text: string;
    try {
      const headers = payload === undefined ? undefined : { 'content-type': 'application/json' };
      res = await fetch(url, { method, headers, body: payload, signal: controller.signal });
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) throw new RequestError(`request ${requestId}: cancelled`, requestId, false);
      if (timedOut) return { failure: { message: `${method} ${url} timed out after ${this.options.timeoutMs} ms`, retryable: true } };
      return { failure: { message: `${method} ${url} failed: ${describeFetchError(err)}`, retryable: true } };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    if (!res.ok) {
      return {
        failure: {
          message: `${method} ${url} answered HTTP ${res.status}: ${snippet(text)}`,
          status: res.status,
          retryable: isRetryableStatus(res.status),
          retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
        },
      };
    }
    if (expect === 'text') return { json: text };
    try {
      return { json: JSON.parse(text) as unknown };
    } catch {
      return { failure: { message: `${method} ${url} answered invalid JSON: ${snippet(text)}`, retryable: false } };
    }
  }
}

/** undici hides the useful part (ECONNREFUSED, ECONNRESET...) in err.cause. */
function describeFetchError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message} (${cause})` : String(e.message ?? err);
}

export function snippet(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t || '(empty body)';
}
