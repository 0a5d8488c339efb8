// integrations/scoring_server.py as a child process of the supervisor: started on a saved
// checkpoint (`--base DIR [--adapter DIR] --host 127.0.0.1 --port 0` appended to its command),
// ready when it prints {"listening": URL, "max_sequence_length": N} on stdout, stopped with SIGTERM
// (SIGKILL after a grace). Its stderr goes to a log file and its last lines into the error when it
// cannot start: the server itself names the port and the reason (a missing torch or transformers,
// a base directory that does not exist, CUDA unavailable, the port in use).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../core/errors.js';

const here = dirname(fileURLToPath(import.meta.url));
// harness/supervisor under tsx, dist/harness/supervisor compiled: integrations/ stays in the source tree.
const INTEGRATIONS = [resolve(here, '..', '..', 'integrations'), resolve(here, '..', '..', '..', 'integrations')].find((d) => existsSync(join(d, 'scoring_server.py'))) ?? resolve(here, '..', '..', 'integrations');

/** Where scoring_server.py is. */
export const SCORING_SERVER_SCRIPT = join(INTEGRATIONS, 'scoring_server.py');

/** The interpreter used when none is given: $EVALFIRST_PYTHON, else python3. */
export function defaultPython(env: NodeJS.ProcessEnv = process.env): string {
  return env.EVALFIRST_PYTHON || 'python3';
}

/** Single-quotes a word for /bin/sh. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that starts the server with `python`: `python .../integrations/scoring_server.py`. */
export function scoringServerCommand(python: string): string {
  return `${shellQuote(python)} ${shellQuote(SCORING_SERVER_SCRIPT)}`;
}

export interface ScoringServerOptions {
  /** Shell command before the appended arguments (scoringServerCommand(python), or the user's). */
  command: string;
  /** The base model directory (transformers save_pretrained layout), or a full fine-tuned checkpoint. */
  base: string;
  /** A peft adapter directory applied over the base. */
  adapter?: string | null;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** How long loading may take before the ready line (default 15 min: a 70B base from disk). */
  startTimeoutMs?: number;
  /** Append the server's stderr to this file. */
  logPath?: string;
}

export interface ScoringServerProcess {
  url: string;
  maxSequenceLength: number;
  pid: number;
  /** The command line that was run. */
  commandLine: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const TAIL_LINES = 20;

/** The ready line, or null for any other line. */
export function parseReadyLine(line: string): { url: string; maxSequenceLength: number } | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  const o = v as { listening?: unknown; max_sequence_length?: unknown };
  if (typeof o !== 'object' || o === null || typeof o.listening !== 'string') return null;
  const n = o.max_sequence_length;
  return { url: o.listening, maxSequenceLength: typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 2048 };
}

/** What to tell the user about a server that ended before it was ready. */
export function startFailure(commandLine: string, code: number | null, signal: string | null, stderrTail: string[]): string {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const tail = stderrTail.join('\n').trim();
  let hint = '';
  if (code === 127 || /not found|No such file or directory/.test(tail)) hint = '\n(the interpreter or script was not found: give --python PATH or --scoring-server-cmd "CMD")';
  else if (/not importable|No module named/.test(tail)) hint = '\n(this interpreter lacks torch, transformers or peft: install them, give --python PATH of one that has them, or use --final-eval-with embedded for a small model)';
  return `scoring server \`${commandLine}\` ${how} before it was ready${tail ? `:\n${tail}` : ' (no output)'}${hint}`;
}

export function startScoringServer(o: ScoringServerOptions): Promise<ScoringServerProcess> {
  const args = ['--base', o.base, ...(o.adapter ? ['--adapter', o.adapter] : []), '--host', '127.0.0.1', '--port', '0'];
  const commandLine = `${o.command} ${args.map(shellQuote).join(' ')}`;
  // exec: the shell becomes the server, so its pid is the one signalled.
  const child: ChildProcess = spawn('/bin/sh', ['-c', `exec ${commandLine}`], { cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  let errBuf = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    if (o.logPath) appendFileSync(o.logPath, chunk);
    errBuf += chunk;
    const lines = errBuf.split('\n');
    errBuf = lines.pop() ?? '';
    lines.forEach(keep);
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolveReady, reject) => {
    let settled = false;
    let outBuf = '';
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop(2000).then(() => reject(new UserError(message)));
    };
    const timeoutMs = o.startTimeoutMs ?? 15 * 60_000;
    const timer = setTimeout(() => fail(`scoring server \`${commandLine}\` printed no ready line within ${(timeoutMs / 1000).toFixed(0)} s${tail.length ? `; last output:\n${tail.join('\n')}` : ''}`), timeoutMs);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      outBuf += chunk;
      const lines = outBuf.split('\n');
      outBuf = lines.pop() ?? '';
      for (const line of lines) {
        const ready = parseReadyLine(line.trim());
        if (!ready) {
          keep(line);
          continue;
        }
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolveReady({ ...ready, pid: child.pid as number, commandLine, stop });
      }
    });
    child.once('error', (err) => fail(`cannot run the scoring server \`${commandLine}\`: ${err.message}`));
    void exited.then(({ code, signal }) => {
      if (errBuf) keep(errBuf);
      fail(startFailure(commandLine, code, signal, tail));
    });
  });
}

/**
 * Why `python` cannot run the scoring server on a transformers checkpoint (torch, transformers and,
 * for an adapter, peft must import), or null when it can.
 */
export function pythonCannotServe(python: string, withAdapter: boolean): string | null {
  const modules = ['torch', 'transformers', ...(withAdapter ? ['peft'] : [])];
  const r = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) return `${python}: ${r.error.message}`;
  if (r.status !== 0) return `${python} cannot import ${modules.join(', ')}: ${(r.stderr.trim().split('\n').pop() ?? '').trim() || `exit ${r.status}`}`;
  return null;
}
