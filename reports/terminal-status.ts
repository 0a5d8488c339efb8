// A status line for long work on a terminal: progress is drawn in place (carriage return, clear to
// the end of the line) and log lines print above it; off a terminal, progress prints as plain lines
// at most every `plainEveryMs`, so logs and CI stay readable.
export interface StatusLine {
  /** The current progress (replaces the previous one). */
  set(text: string): void;
  /** A line of its own, kept in the scroll-back. */
  log(line: string): void;
  /** Ends the status line (leaves the last progress on screen). */
  done(): void;
}

export function statusLine(stream: NodeJS.WriteStream = process.stderr, plainEveryMs = 10_000): StatusLine {
  if (stream.isTTY) {
    let current = '';
    const draw = () => stream.write(`\r\x1b[K${current.slice(0, Math.max(20, (stream.columns ?? 120) - 1))}`);
    return {
      set(text) {
        current = text;
        draw();
      },
      log(line) {
        stream.write(`\r\x1b[K${line}\n`);
        if (current) draw();
      },
      done() {
        if (current) stream.write('\n');
        current = '';
      },
    };
  }
  let last = 0;
  return {
    set(text) {
      if (Date.now() - last < plainEveryMs) return;
      last = Date.now();
      stream.write(`${text}\n`);
    },
    log(line) {
      stream.write(`${line}\n`);
    },
    done() {},
  };
}
