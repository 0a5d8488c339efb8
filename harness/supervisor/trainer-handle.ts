// An external trainer command, spawned in its own process group and supervised: its output goes
// to log files in the run directory; stopping it is SIGTERM to the whole group, a grace period,
// then SIGKILL, so a hung trainer (or its children) cannot outlive the deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
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
  /** Optionally wait `voluntaryS` for it to exit, then SIGTERM the group, wait `graceS`, then SIGKILL the group. */
  stop(graceS: number, voluntaryS?: number): Promise<TrainerExit>;
  running(): boolean;
  /** Whether SIGKILL was needed (known once stop() has resolved). */
  wasKilled(): boolean;
}

export function startTrainer(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv; logDir: string }): TrainerProcess {
  // Files, not pipes: the trainer's output must survive the supervisor being killed.
  const out = openSync(join(opts.logDir, 'trainer.stdout.log'), 'a');
  const err = openSync(join(opts.logDir, 'trainer.stderr.log'), 'a');
  const child: ChildProcess = spawn('/bin/sh', ['-c', command], {
    cwd: opts.cwd,
    env: opts.env,
    detached: true, // its own process group: we signal -pid
    stdio: ['ignore', out, err],
  });
  closeSync(out);
  closeSync(err);
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
  const signalGroup = (sig: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-(child.pid as number), sig);
      return true;
    } catch {
      return false; // ESRCH: nobody left in the group
    }
  };
  const groupAlive = () => signalGroup(0);
  const waitGroupGone = async (ms: number) => {
    const t0 = Date.now();
    while (groupAlive() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 50));
    return !groupAlive();
  };
  return {
    pid: child.pid as number,
    exited,
    running: () => alive,
    wasKilled: () => killed,
    async stop(graceS: number, voluntaryS = 0) {
      // A trainer told "stop" at its control call gets voluntaryS to exit by itself.
      if (voluntaryS > 0 && (await waitGroupGone(voluntaryS * 1000)) && !alive) return exited;
      stoppedBySupervisor = true;
      signalGroup('SIGTERM');
      // The whole group, not just the shell leader: a child ignoring SIGTERM is still a trainer.
      if (!(await waitGroupGone(graceS * 1000))) {
        killed = true;
        signalGroup('SIGKILL');
        await waitGroupGone(5000);
      }
      const r = await exited;
      return { ...r, stoppedBySupervisor: true, killed };
    },
  };
}
