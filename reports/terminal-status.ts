// A status line for long work on a terminal: progress is drawn in place (carriage return, clear to
// the end of the line) and log lines print above it; off a terminal, progress prints as plain lines
// at most every `plainEveryMs`, so logs and CI stay readable, and the latest progress not printed
// yet comes out before the next log line (and at done()), so none that a log line follows is lost.
export interface StatusLine {
  /** The current progress (replaces the previous one). */
  set(text: string): void;
  /** A line of its own, kept in the scroll-back; `to`: another stream on the same terminal (stdout). */
  log(line: string, to?: NodeJS.WritableStream): void;
  /** Off a terminal: prints the latest progress if it has not been printed. */
  flush(): void;
  /** Ends the status line (leaves the last progress on screen). */
  done(): void;
}

export function statusLine(stream: NodeJS.WriteStream = process.stderr, plainEveryMs = 10_000): StatusLine {
  if (stream.isTTY) {
    let current = '';
    // A terminal that does not say its width (columns 0 under some ptys) is taken as 120 wide.
    const width = () => (stream.columns && stream.columns > 0 ? stream.columns : 120);
    const draw = () => stream.write(`\r\x1b[K${current.slice(0, Math.max(20, width() - 1))}`);
    return {
      set(text) {
        current = text;
        draw();
      },
      log(line, to = stream) {
        stream.write('\r\x1b[K');
        to.write(`${line}\n`);
        if (current) draw();
      },
      flush() {},
      done() {
        if (current) stream.write('\n');
        current = '';
      },
    };
  }
  let last = 0;
  let pending: string | null = null;
  const print = (text: string) => {
    last = Date.now();
    pending = null;
    stream.write(`${text}\n`);
  };
  const flush = () => {
    if (pending !== null) print(pending);
  };
  return {
    set(text) {
      if (Date.now() - last < plainEveryMs) pending = text;
      else print(text);
    },
    log(line, to = stream) {
      flush();
      to.write(`${line}\n`);
    },
    flush,
    done: flush,
  };
}
