// One checkpoint's requests, shared between the adaptive looks that ask for them at the same time.
// Every look of a checkpoint is issued at once (look k with priority k); a request asked by several
// looks is sent once, with the most urgent priority among them, and at most `concurrency` requests
// are in flight. Free slots always go to the smallest look still waiting, so a long generation of
// look k no longer idles the model: look k+1 proceeds beside it. A look that is no longer needed is
// cancelled: its queued requests are dropped, and one in flight that no other look waits for is
// aborted. Answers stay in the session's memory for the looks still running (the runner's request
// cache writes in batches, so a concurrent look might not see them there yet).
import { RequestError } from '../../core/backend.js';

/** One look's view: its cancellation and the requests sent on its behalf. */
export interface Caller {
  readonly signal: AbortSignal | undefined;
  /** Requests sent to the model whose answer this caller was (still) waiting for. */
  sent: number;
}

interface Waiter<T> {
  caller: CallerState;
  resolve(value: T): void;
  reject(err: unknown): void;
}

interface Entry {
  key: string;
  priority: number;
  /** Order of first arrival: ties in priority go first come, first served. */
  seq: number;
  state: 'queued' | 'running' | 'done';
  counts: boolean;
  waiters: Set<Waiter<unknown>>;
  controller: AbortController;
  send(signal: AbortSignal): Promise<unknown>;
}

interface CallerState extends Caller {
  waiting: Map<Waiter<unknown>, Entry>;
}

/** A binary min-heap of (priority, seq) nodes; stale nodes are skipped on pop. */
class Heap {
  private readonly nodes: { priority: number; seq: number; entry: Entry }[] = [];

  get size(): number {
    return this.nodes.length;
  }

  push(entry: Entry): void {
    const a = this.nodes;
    a.push({ priority: entry.priority, seq: entry.seq, entry });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  /** The most urgent queued entry, or undefined. */
  pop(): Entry | undefined {
    while (this.nodes.length > 0) {
      const a = this.nodes;
      const top = a[0]!;
      const last = a.pop()!;
      if (a.length > 0) {
        a[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < a.length && this.less(l, m)) m = l;
          if (r < a.length && this.less(r, m)) m = r;
          if (m === i) break;
          [a[i], a[m]] = [a[m]!, a[i]!];
          i = m;
        }
      }
      // A node is current only while its entry still waits at that priority.
      if (top.entry.state === 'queued' && top.priority === top.entry.priority) return top.entry;
    }
    return undefined;
  }

  private less(i: number, j: number): boolean {
    const a = this.nodes[i]!;
    const b = this.nodes[j]!;
    return a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq);
  }
}

export class SharedRequests {
  private readonly entries = new Map<string, Entry>();
  private readonly answers = new Map<string, unknown>();
  private readonly queue = new Heap();
  private running = 0;
  private seq = 0;
  /** Requests sent to the model and answered, over all callers. */
  sentTotal = 0;

  constructor(readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  }

  /** A caller whose signal, when aborted, withdraws every request it is waiting for. */
  caller(signal?: AbortSignal): Caller {
    const state: CallerState = { signal, sent: 0, waiting: new Map() };
    signal?.addEventListener('abort', () => this.withdraw(state), { once: true });
    return state;
  }

  /**
   * The answer to the request `key`: remembered, joined while queued or in flight (raising its
   * priority), or sent when a slot is free. `counts`: whether it counts as a request sent (a
   * completion, not a tokenizer call).
   */
  run<T>(key: string, priority: number, caller: Caller, send: (signal: AbortSignal) => Promise<T>, counts = true): Promise<T> {
    const state = caller as CallerState;
    if (this.answers.has(key)) return Promise.resolve(this.answers.get(key) as T);
    if (state.signal?.aborted) return Promise.reject(cancelled(key));
    let entry = this.entries.get(key);
    if (!entry || entry.controller.signal.aborted) {
      // absent, or aborted in flight (nobody wanted it): a fresh send
      entry = { key, priority, seq: this.seq++, state: 'queued', counts, waiters: new Set(), controller: new AbortController(), send };
      this.entries.set(key, entry);
      this.queue.push(entry);
    } else if (entry.state === 'queued' && priority < entry.priority) {
      entry.priority = priority;
      this.queue.push(entry);
    }
    const promise = new Promise<T>((resolve, reject) => {
      const waiter: Waiter<unknown> = { caller: state, resolve: resolve as (v: unknown) => void, reject };
      entry.waiters.add(waiter);
      state.waiting.set(waiter, entry);
    });
    this.pump();
    return promise;
  }

  /** Requests queued or in flight. */
  pending(): number {
    return this.entries.size;
  }

  private pump(): void {
    while (this.running < this.concurrency) {
      const entry = this.queue.pop();
      if (!entry) return;
      entry.state = 'running';
      this.running++;
      entry.send(entry.controller.signal).then(
        (value) => this.finish(entry, { value }),
        (err: unknown) => this.finish(entry, { err }),
      );
    }
  }

  private finish(entry: Entry, outcome: { value: unknown } | { err: unknown }): void {
    entry.state = 'done';
    this.running--;
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    const waiters = [...entry.waiters];
    entry.waiters.clear();
    if ('value' in outcome) {
      this.answers.set(entry.key, outcome.value);
      if (entry.counts && waiters.length > 0) {
        waiters[0]!.caller.sent++; // whoever still waits pays for it
        this.sentTotal++;
      }
    }
    for (const w of waiters) {
      w.caller.waiting.delete(w);
      if ('value' in outcome) w.resolve(outcome.value);
      else w.reject(outcome.err);
    }
    this.pump();
  }

  /** A caller gave up: its waits end; requests nobody else waits for are dropped or aborted. */
  private withdraw(caller: CallerState): void {
    const items = [...caller.waiting];
    caller.waiting.clear();
    for (const [waiter, entry] of items) {
      if (!entry.waiters.delete(waiter)) continue;
      waiter.reject(cancelled(entry.key));
      if (entry.waiters.size > 0) continue;
      if (entry.state === 'queued') {
        entry.state = 'done';
        if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
      } else if (entry.state === 'running') {
        entry.controller.abort();
      }
    }
  }
}

function cancelled(key: string): RequestError {
  return new RequestError(`cancelled: the adaptive evaluation was decided before this request was needed`, key.slice(0, 80), false);
}
