// An external trainer command, spawned in its own process group and supervised: its output goes
// to log files in the run directory; stopping it is SIGTERM to the whole group, a grace period,
// then SIGKILL, so a hung trainer (or its children) cannot outlive the deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the supervisor asked it to stop (SIGTERM/SIGKILL sent by us). */
  stoppedBySupervisor: boolean;
  killed: boolean;
}

export interface TrainerProcess {
  pid: number;
  exited: Promise<TrainerExit>;
  /** SIGTERM the group, wait `graceS`, then SIGKILL; resolves when the process has exited. */
  stop(graceS: number): Promise<TrainerExit>;
  running(): boolean;
}

export function startTrainer(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv; logDir: string }): TrainerProcess {
  const out = createWriteStream(join(opts.logDir, 'trainer.stdout.log'), { flags: 'a' });
  const err = createWriteStream(join(opts.logDir, 'trainer.stderr.log'), { flags: 'a' });
  const child: ChildProcess = spawn('/bin/sh', ['-c', command], {
    cwd: opts.cwd,
    env: opts.env,
    detached: true, // its own process group: we signal -pid
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(err);
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
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), sig);
    } catch {
      /* already gone */
    }
  };
  return {
    pid: child.pid as number,
    exited,
    running: () => alive,
    async stop(graceS: number) {
      if (!alive) return exited;
      stoppedBySupervisor = true;
      signalGroup('SIGTERM');
      const timer = setTimeout(() => {
        killed = true;
        signalGroup('SIGKILL');
      }, graceS * 1000);
      const r = await exited;
      clearTimeout(timer);
      // Children left in the group after the leader exited.
      signalGroup('SIGKILL');
      return { ...r, stoppedBySupervisor: true, killed };
    },
  };
}
