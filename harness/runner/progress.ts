// Progress of an evaluation: a bar with rate and ETA on a terminal, a plain line every few seconds
// otherwise (logs, CI). Reads only the counters the runner reports. A server that stops answering
// shows: while requests are in flight and none has come back for a while, the line (or the bar)
// says how long it has waited, instead of standing still at `eval: 0/100`.
import cliProgress from 'cli-progress';

export interface ProgressEvent {
  done: number;
  total: number;
  errors: number;
  /** Answers taken from the journal or the cache instead of the model. */
  reused: number;
  /** Requests sent and not answered yet. */
  inFlight?: number;
}

/** Tracks when the last answer came: "30 in flight, no answer for 35s" once it is long enough ago. */
function stallWatch(afterMs: number) {
  let lastDone = -1;
  let since = Date.now();
  let inFlight = 0;
  return {
    seen(e: ProgressEvent): void {
      if (e.done !== lastDone) {
        lastDone = e.done;
        since = Date.now();
      }
      inFlight = e.inFlight ?? 0;
    },
    /** The stall note, or '' while answers keep coming (or nothing is in flight). */
    note(): string {
      const waited = Date.now() - since;
      return inFlight > 0 && afterMs > 0 && waited >= afterMs ? `; ${inFlight} in flight, no answer for ${Math.round(waited / 1000)}s` : '';
    },
  };
}

export interface ProgressReporter {
  update(e: ProgressEvent): void;
  stop(): void;
}

/** `stallAfterMs`: how long without an answer (requests in flight) before the progress says so (0: never). */
export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr, plainIntervalMs = 5000, stallAfterMs = Math.max(plainIntervalMs, 1000)): ProgressReporter {
  return stream.isTTY ? barReporter(stream, stallAfterMs) : plainReporter(stream, plainIntervalMs, stallAfterMs);
}

/** A timer that does not keep the process alive. */
function every(ms: number, f: () => void): NodeJS.Timeout | null {
  if (ms <= 0) return null;
  const t = setInterval(f, ms);
  t.unref();
  return t;
}

function barReporter(stream: NodeJS.WriteStream, stallAfterMs: number): ProgressReporter {
  const stall = stallWatch(stallAfterMs);
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'eval [{bar}] {value}/{total} requests | {rate}/s | ETA {eta_formatted} | errors {errors} | reused {reused}{stall}',
      etaBuffer: 200,
      fps: 5,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  const timer = every(1000, () => running && bar.update({ stall: stall.note() }));
  return {
    update(e) {
      stall.seen(e);
      const rate = ((e.done - e.reused) / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1);
      const payload = { errors: e.errors, reused: e.reused, rate, stall: stall.note() };
      if (!running) {
        bar.start(e.total, e.done, payload);
        running = true;
      } else {
        bar.setTotal(e.total);
        bar.update(e.done, payload);
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      if (running) bar.stop();
    },
  };
}

function plainReporter(stream: NodeJS.WriteStream, intervalMs: number, stallAfterMs: number): ProgressReporter {
  const started = Date.now();
  const stall = stallWatch(stallAfterMs);
  let lastPrint = 0;
  let last: ProgressEvent | undefined;
  const print = (e: ProgressEvent) => {
    const secs = (Date.now() - started) / 1000;
    const rate = (e.done - e.reused) / Math.max(0.001, secs);
    const eta = rate > 0 ? Math.round((e.total - e.done) / rate) : NaN;
    stream.write(
      `eval: ${e.done}/${e.total} requests, ${rate.toFixed(1)}/s, ETA ${Number.isNaN(eta) ? '?' : `${eta}s`}, ${e.errors} errors, ${e.reused} reused${stall.note()}\n`,
    );
    lastPrint = Date.now();
  };
  // With no event at all (every request waiting on a hung server) the line still comes.
  const timer = every(intervalMs, () => last && Date.now() - lastPrint >= intervalMs && print(last));
  return {
    update(e) {
      last = e;
      stall.seen(e);
      if (Date.now() - lastPrint >= intervalMs) print(e);
    },
    stop() {
      if (timer) clearInterval(timer);
      if (last) print(last);
    },
  };
}
