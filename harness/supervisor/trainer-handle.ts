// The trainer as the supervisor holds it: a command it started, spawned in its own process group
// with its output in log files in the run directory, or a still-running one it adopted by pid on
// --resume. Stopping escalates: an optional wait for the trainer to exit by itself (it was told
// "stop" at its control call), SIGTERM to the whole group, a grace period, then SIGKILL, so a hung
// trainer (or its children) cannot outlive the deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the supervisor asked it to stop (SIGTERM/SIGKILL sent by us). */
  stoppedBySupervisor: boolean;
  killed: boolean;
}

interface Stoppable {
  readonly pid: number;
  running(): boolean;
  /** Optionally wait `voluntaryS` for it to exit, then SIGTERM the group, wait `graceS`, then SIGKILL the group. */
  stop(graceS: number, voluntaryS?: number): Promise<unknown>;
  /** Whether SIGKILL was needed (known once stop() has resolved). */
  wasKilled(): boolean;
}

/** A trainer this supervisor started: its exit status is ours to read. */
export interface StartedTrainer extends Stoppable {
  readonly origin: 'started';
  readonly exited: Promise<TrainerExit>;
  stop(graceS: number, voluntaryS?: number): Promise<TrainerExit>;
}

/** A trainer a previous supervisor started (found alive on --resume): only its liveness is known. */
export interface AdoptedTrainer extends Stoppable {
  readonly origin: 'adopted';
  /** Resolves once the process is gone. */
  readonly gone: Promise<void>;
  stop(graceS: number, voluntaryS?: number): Promise<void>;
}

export type TrainerHandle = StartedTrainer | AdoptedTrainer;

/** Whether a process with this pid exists (and may be signalled by us). */
export function processAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * When a process started, as /proc/PID/stat's starttime (clock ticks since boot, field 22), or null
 * where there is no /proc. With the pid it names one process for good: a pid reused later differs.
 */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) is in parentheses and may hold spaces: count the fields after its last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the trainer a record names is still that same process (alive, and not a stranger reusing its pid). */
export function sameProcessAlive(pid: number | null | undefined, startTicks: string | null | undefined): boolean {
  if (!processAlive(pid)) return false;
  if (!startTicks) return true;
  const now = processStartTicks(pid as number);
  return now === null || now === startTicks;
}

/** Sends a signal to the process group led by `pid`; false when nobody is left in it. */
function signalGroup(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, sig);
    return true;
  } catch {
    return false; // ESRCH: nobody left in the group
  }
}

/** Polls `gone` every `pollMs` for at most `ms`; whether it came true. */
async function waitUntil(gone: () => boolean, ms: number, pollMs: number): Promise<boolean> {
  const t0 = Date.now();
  while (!gone() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, pollMs));
  return gone();
}

/** The trainer's output files in the run directory (trainer-output.ts follows them for the terminal). */
export const TRAINER_LOGS = { stdout: 'trainer.stdout.log', stderr: 'trainer.stderr.log' } as const;

export function startTrainer(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv; logDir: string }): StartedTrainer {
  // Files, not pipes: the trainer's output must survive the supervisor being killed.
  const out = openSync(join(opts.logDir, TRAINER_LOGS.stdout), 'a');
  const err = openSync(join(opts.logDir, TRAINER_LOGS.stderr), 'a');
  const child: ChildProcess = spawn('/bin/sh', ['-c', command], {
    cwd: opts.cwd,
    env: opts.env,
    detached: true, // its own process group: we signal -pid
    stdio: ['ignore', out, err],
  });
  closeSync(out);
  closeSync(err);
  const pid = child.pid as number;
  let stoppedBySupervisor = false;
  let killed = false;
  let alive = true;
  const exited = new Promise<TrainerExit>((resolve) => {
    child.on('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal, stoppedBySupervisor, killed });
    });
    child.on('error', () => {
      alive = false;
      resolve({ code: 127, signal: null, stoppedBySupervisor, killed });
    });
  });
  // The whole group, not just the shell leader: a child ignoring SIGTERM is still a trainer.
  const groupGone = () => !signalGroup(pid, 0);
  return {
    origin: 'started',
    pid,
    exited,
    running: () => alive,
    wasKilled: () => killed,
    async stop(graceS: number, voluntaryS = 0) {
      if (voluntaryS > 0 && (await waitUntil(groupGone, voluntaryS * 1000, 50)) && !alive) return exited;
      stoppedBySupervisor = true;
      signalGroup(pid, 'SIGTERM');
      if (!(await waitUntil(groupGone, graceS * 1000, 50))) {
        killed = true;
        signalGroup(pid, 'SIGKILL');
        await waitUntil(groupGone, 5000, 50);
      }
      const r = await exited;
      return { ...r, stoppedBySupervisor: true, killed };
    },
  };
}

/** Holds a running trainer by pid (the leader of its process group, as startTrainer made it). */
export function adoptTrainer(pid: number, pollMs = 200): AdoptedTrainer {
  let killed = false;
  const running = () => processAlive(pid);
  const gone = new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (running()) return;
      clearInterval(timer);
      resolve();
    }, pollMs);
    timer.unref(); // an unkillable stranger must not keep the supervisor alive
  });
  return {
    origin: 'adopted',
    pid,
    gone,
    running,
    wasKilled: () => killed,
    async stop(graceS: number, voluntaryS = 0) {
      if (voluntaryS > 0 && (await waitUntil(() => !running(), voluntaryS * 1000, 100))) return;
      signalGroup(pid, 'SIGTERM');
      if (!(await waitUntil(() => !running(), graceS * 1000, 100))) {
        killed = true;
        signalGroup(pid, 'SIGKILL');
      }
    },
  };
}
