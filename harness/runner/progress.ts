// Progress of an evaluation: a bar with rate and ETA on a terminal, a plain line every few seconds
// otherwise (logs, CI). Reads only the counters the runner reports.
import cliProgress from 'cli-progress';

export interface ProgressEvent {
  done: number;
  total: number;
  errors: number;
  /** Answers taken from the journal or the cache instead of the model. */
  reused: number;
}

export interface ProgressReporter {
  update(e: ProgressEvent): void;
  stop(): void;
}

export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr, plainIntervalMs = 5000): ProgressReporter {
  return stream.isTTY ? barReporter(stream) : plainReporter(stream, plainIntervalMs);
}

function barReporter(stream: NodeJS.WriteStream): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'eval [{bar}] {value}/{total} requests | {rate}/s | ETA {eta_formatted} | errors {errors} | reused {reused}',
      etaBuffer: 200,
      fps: 5,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  return {
    update(e) {
      const rate = ((e.done - e.reused) / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1);
      const payload = { errors: e.errors, reused: e.reused, rate };
      if (!running) {
        bar.start(e.total, e.done, payload);
        running = true;
      } else {
        bar.setTotal(e.total);
        bar.update(e.done, payload);
      }
    },
    stop() {
      if (running) bar.stop();
    },
  };
}

function plainReporter(stream: NodeJS.WriteStream, intervalMs: number): ProgressReporter {
  const started = Date.now();
  let lastPrint = 0;
  let last: ProgressEvent | undefined;
  const print = (e: ProgressEvent) => {
    const secs = (Date.now() - started) / 1000;
    const rate = (e.done - e.reused) / Math.max(0.001, secs);
    const eta = rate > 0 ? Math.round((e.total - e.done) / rate) : NaN;
    stream.write(
      `eval: ${e.done}/${e.total} requests, ${rate.toFixed(1)}/s, ETA ${Number.isNaN(eta) ? '?' : `${eta}s`}, ${e.errors} errors, ${e.reused} reused\n`,
    );
    lastPrint = Date.now();
  };
  return {
    update(e) {
      last = e;
      if (Date.now() - lastPrint >= intervalMs) print(e);
    },
    stop() {
      if (last) print(last);
    },
  };
}
