// What `evalfirst train` (and `start`) show while they run. Supervisor lines (decisions, scoring)
// go to stdout. On stderr: the trainer's progress (its step, loss, tokens/s, time to the next
// checkpoint and the end, plus the time left to the deadline) as one status line, redrawn in place
// on a terminal, a plain line at most every `plainEveryMs` otherwise (the latest one always before
// the next supervisor line); the trainer's other output as `[trainer] …` lines; and while a
// checkpoint is scored, the eval progress bar (harness/runner/progress.ts), showing the largest of
// the evaluations running (the adaptive looks run at once). trainer.stdout.log keeps everything.
import { formatDuration } from '../core/duration.js';
import type { EvalProgressSink } from '../harness/supervisor/checkpoint-eval.js';
import { createProgressReporter, type ProgressEvent, type ProgressReporter } from '../harness/runner/progress.js';
import type { TrainerStream } from '../harness/supervisor/trainer-output.js';
import { trainerProgress } from '../harness/supervisor/training-progress.js';
import { statusLine } from './terminal-status.js';

export interface TrainConsoleOptions {
  out?: NodeJS.WriteStream;
  err?: NodeJS.WriteStream;
  /** Off a terminal: at most one trainer progress line this often (default 10 s). */
  plainEveryMs?: number;
  /** Off a terminal: at most one eval progress line this often (default 5 s). */
  evalPlainEveryMs?: number;
  /** When the run's deadline falls (ms since the epoch), shown after the trainer's progress. */
  deadlineAtMs?: number;
  now?: () => number;
}

export interface TrainConsole {
  /** A line of the supervisor's, kept in the scroll-back (stdout). */
  say(line: string): void;
  /** A line of the trainer's output. */
  trainerLine(line: string, stream: TrainerStream): void;
  /** Progress of the evaluations of checkpoints (CheckpointEvalOptions.progress). */
  readonly scoring: EvalProgressSink;
  /** Ends the status line and any bar. */
  done(): void;
}

export function trainConsole(o: TrainConsoleOptions = {}): TrainConsole {
  const out = o.out ?? process.stdout;
  const err = o.err ?? process.stderr;
  const now = o.now ?? Date.now;
  const tty = err.isTTY === true;
  const status = statusLine(err, o.plainEveryMs ?? 10_000);
  const running = new Map<string, ProgressEvent>();
  let bar: ProgressReporter | null = null;
  /** Trainer progress that came while the bar was drawn on a terminal: shown when it ends. */
  let held: string | null = null;

  const withDeadline = (text: string) => {
    if (o.deadlineAtMs === undefined) return text;
    const left = (o.deadlineAtMs - now()) / 1000;
    return `${text}  deadline in ${left > 0 ? formatDuration(left) : 'now'}`;
  };
  /** A line of its own on `to`: above the status line, or above the bar (which redraws itself). */
  const print = (line: string, to: NodeJS.WritableStream) => {
    if (!bar) return status.log(line, to);
    if (tty) err.write('\r\x1b[K');
    to.write(`${line}\n`);
  };
  const startBar = () => {
    // The trainer's last progress stays in the scroll-back above the bar.
    if (tty) status.done();
    else status.flush();
    bar = createProgressReporter(err, o.evalPlainEveryMs ?? 5000);
  };
  const endBar = () => {
    bar?.stop();
    bar = null;
    if (held !== null) status.set(held);
    held = null;
  };

  return {
    say: (line) => print(line, out),
    trainerLine(line, stream) {
      const progress = trainerProgress(line);
      if (progress === null) return print(`[trainer] ${line}`, err);
      if (bar && tty) held = withDeadline(progress);
      else status.set(withDeadline(progress));
    },
    scoring: {
      update(evalDir, _step, e) {
        running.set(evalDir, e);
        if (!bar) startBar();
        const largest = [...running.values()].reduce((a, b) => (b.total > a.total ? b : a));
        bar!.update(largest);
      },
      end(evalDir) {
        if (!running.delete(evalDir) || running.size > 0) return;
        endBar();
      },
    },
    done() {
      running.clear();
      endBar();
      status.done();
    },
  };
}
