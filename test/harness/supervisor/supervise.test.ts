import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { supervise } from '../../../harness/supervisor/supervisor.js';
import { supervisorConfig } from '../../helpers/supervisor-config.js';
import type { EvaluateCheckpoint } from '../../../harness/supervisor/scorer.js';
import { parseTarget } from '../../../harness/supervisor/target.js';
import { completeCheckpointKind } from '../../../harness/supervisor/checkpoint-watch.js';
import { newState, saveState } from '../../../harness/supervisor/state.js';
import { processAlive, processStartTicks, startTrainer } from '../../../harness/supervisor/trainer-handle.js';
import { mkdirSync } from 'node:fs';


/** A synthetic evaluation: checkpoint `step` answers a fixed question order with accuracy acc(step). */
function syntheticEvaluate(acc: (step: number) => number, N = 400, delayMs = 0): EvaluateCheckpoint & { calls: { step: number; n: number | null }[] } {
  const calls: { step: number; n: number | null }[] = [];
  const sentUpTo = new Map<number, number>();
  const fn = (async (ckpt: { step: number; path: string }, maxPerRun: number | null) => {
    calls.push({ step: ckpt.step, n: maxPerRun });
    // The checkpoint must be complete when it is scored.
    if (completeCheckpointKind(ckpt.path) === null) throw new Error(`scored an incomplete checkpoint ${ckpt.path}`);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const n = Math.min(maxPerRun ?? N, N);
    const p = acc(ckpt.step);
    let s = ckpt.step * 7919 + 1;
    const answers = Array.from({ length: N }, () => {
      s = (s * 48271) % 2147483647;
      return s / 2147483647 < p ? 1 : 0;
    });
    const before = sentUpTo.get(ckpt.step) ?? 0;
    sentUpTo.set(ckpt.step, Math.max(before, n));
    return { perTask: { task: answers.slice(0, n) }, requestsSent: Math.max(0, n - before), requestsTotal: n, fullPerRun: N };
  }) as unknown as EvaluateCheckpoint & { calls: { step: number; n: number | null }[] };
  fn.calls = calls;
  return fn;
}

const config = supervisorConfig;

const quiet = () => undefined;
const dirs = () => {
  const root = mkdtempSync(join(tmpdir(), 'ef-sup-'));
  return { run: join(root, 'run'), out: join(root, 'out') };
};

describe('supervisor: closed loop with a scripted external trainer', function () {
  this.timeout(60_000);

  it('stops at the score target (control endpoint), answers stop, keeps the best checkpoint', async () => {
    const d = dirs();
    const ev = syntheticEvaluate((step) => Math.min(0.95, 0.2 + 0.1 * step));
    const { state, exitCode } = await supervise(config(d.run, d.out, { target: parseTarget('task >= 0.6') }, '--steps 20 --interval-ms 50 --control'), ev, quiet);
    expect(state.stop?.reason).to.equal('target');
    expect(exitCode).to.equal(0);
    const stopStep = state.stop?.step as number;
    expect(stopStep).to.be.within(5, 12); // true accuracy crosses 0.6 at step 4; the bound needs a margin
    expect(state.checkpoints.at(-1)?.step).to.equal(stopStep); // the trainer stopped when told
    expect(state.best?.step).to.equal(stopStep);
    expect(state.best?.full_eval).to.equal(true);
    expect(state.trainer?.exit_code).to.equal(0);
    const onDisk = JSON.parse(readFileSync(join(d.run, 'train.json'), 'utf8'));
    expect(onDisk.checkpoints.length).to.equal(state.checkpoints.length);
    expect(readFileSync(join(d.run, 'decisions.log'), 'utf8')).to.match(/STOP target/);
    // Adaptive evaluation: later checkpoints needed fewer than the full 400 instances.
    expect(state.checkpoints.slice(1).some((c) => c.scores.task.n < 400)).to.equal(true);
  });

  it('records and prints the aggregate as `pooled` (a `mean` target is its alias)', async () => {
    const d = dirs();
    const ev = syntheticEvaluate((step) => Math.min(0.95, 0.2 + 0.1 * step));
    const lines: string[] = [];
    const { state } = await supervise(config(d.run, d.out, { target: parseTarget('mean >= 0.6') }, '--steps 20 --interval-ms 50 --control'), ev, (l) => lines.push(l));
    expect(state.stop?.reason).to.equal('target');
    expect(state.target).to.equal('pooled >= 0.6');
    for (const c of state.checkpoints) expect(Object.keys(c.scores), `step ${c.step}`).to.deep.equal(['task', 'pooled']);
    expect(Object.keys(state.best!.scores!)).to.deep.equal(['task', 'pooled']);
    const log = readFileSync(join(d.run, 'decisions.log'), 'utf8');
    expect(log).to.match(/checkpoint step \d+: task=[\d.]+ \[[\d.]+, [\d.]+\] n=\d+  pooled=/);
    expect(log).to.not.match(/\bmean=/);
    expect(lines.join('\n')).to.match(/pooled=/).and.not.match(/\bmean=/);
  });

  it('stops on a plateau while watching a directory', async () => {
    const d = dirs();
    const ev = syntheticEvaluate(() => 0.5);
    const { state, exitCode } = await supervise(
      config(d.run, d.out, { watchDir: d.out, patience: 2, minDelta: 0.01, adaptive: false, target: null }, '--steps 50 --interval-ms 150'),
      ev,
      quiet,
    );
    expect(state.stop?.reason).to.equal('plateau');
    expect(exitCode).to.equal(0);
    expect(state.checkpoints.length).to.be.within(3, 6);
    expect(state.trainer?.exit_code === null || state.trainer?.signal !== null || state.trainer?.exit_code !== 0).to.equal(true);
  });

  it('stops for the deadline with room for the final evaluation', async () => {
    const d = dirs();
    const ev = syntheticEvaluate(() => 0.4, 200, 300); // a full evaluation takes ~0.3 s
    const t0 = Date.now();
    const { state } = await supervise(config(d.run, d.out, { watchDir: d.out, deadlineS: 3, target: parseTarget('task >= 0.9') }, '--steps 1000 --interval-ms 100 --every 3'), ev, quiet);
    const elapsed = (Date.now() - t0) / 1000;
    expect(state.stop?.reason).to.equal('deadline');
    expect(state.stop?.time_s as number).to.be.lessThan(3);
    expect(elapsed).to.be.lessThan(3 + 4); // final eval + grace roughly within the budget (slack for a loaded CI machine)
    expect(state.best).to.not.equal(null);
  });

  it('records a trainer crash, keeps the best checkpoint, and says so in the exit code', async () => {
    const d = dirs();
    const ev = syntheticEvaluate((s) => 0.3 + 0.05 * s);
    const { state, exitCode } = await supervise(config(d.run, d.out, { watchDir: d.out }, '--steps 10 --interval-ms 120 --crash-at 4'), ev, quiet);
    expect(state.stop?.reason).to.equal('trainer_crash');
    expect(state.trainer?.exit_code).to.equal(13);
    expect(exitCode).to.equal(3);
    expect(state.checkpoints.map((c) => c.step)).to.deep.equal([1, 2, 3]);
    expect(state.best?.step).to.equal(3);
  });

  it('kills a hung trainer that ignores SIGTERM within grace + 1 s of the deadline stop', async () => {
    const d = dirs();
    const ev = syntheticEvaluate(() => 0.4, 100);
    const { state } = await supervise(
      config(d.run, d.out, { watchDir: d.out, deadlineS: 2, graceS: 0.5, marginFloorS: 0.1 }, '--steps 100 --interval-ms 100 --hang-at 3 --ignore-sigterm'),
      ev,
      quiet,
    );
    const stopAt = state.stop?.time_s as number;
    expect(state.stop?.reason).to.equal('deadline');
    expect(state.trainer?.killed).to.equal(true);
    const pid = Number(readFileSync(join(d.out, 'trainer.pid'), 'utf8'));
    expect(() => process.kill(pid, 0)).to.throw(); // the node trainer itself is gone, not only its shell
    expect((state.trainer?.exited_s as number) - stopAt).to.be.lessThan(0.5 + 1); // killed within grace + 1 s
  });

  it('never scores a half-written checkpoint', async () => {
    const d = dirs();
    const ev = syntheticEvaluate(() => 0.5, 50);
    const { state } = await supervise(config(d.run, d.out, { watchDir: d.out, adaptive: false }, '--steps 3 --interval-ms 150 --half-write 2'), ev, quiet);
    expect(state.checkpoints.map((c) => c.step)).to.deep.equal([1, 2, 3]);
    expect(state.stop?.reason).to.equal('trainer_exit');
  });

  it('resumed after a stop was decided: adopts the trainer still running and stops it, starting none', async () => {
    const d = dirs();
    mkdirSync(d.run, { recursive: true });
    const cfg = config(d.run, d.out, { watchDir: d.out, resume: true, graceS: 2 }, '--steps 1000 --interval-ms 100');
    const orphan = startTrainer(cfg.trainerCommand as string, { cwd: d.run, env: process.env, logDir: d.run });
    const state = newState(120, null, {});
    state.trainer = { pid: orphan.pid, exit_code: null, signal: null, crashed: false, start_ticks: processStartTicks(orphan.pid) };
    state.stop = { reason: 'deadline', step: null, time_s: 10, detail: 'decided by the killed supervisor' };
    saveState(d.run, state);
    const lines: string[] = [];
    const { state: after } = await supervise(cfg, syntheticEvaluate(() => 0.5), (l) => lines.push(l));
    expect(lines.join('\n')).to.match(new RegExp(`trainer pid ${orphan.pid} is still running; adopting it[\\s\\S]*a stop \\(deadline\\) was decided before; stopping the trainer`));
    expect(lines.join('\n')).to.not.match(/trainer started/);
    expect(processAlive(orphan.pid)).to.equal(false);
    expect(after.stop?.reason).to.equal('deadline');
  });

  it('does not adopt a process that reuses the trainer\'s pid (its start time differs)', async () => {
    const d = dirs();
    mkdirSync(d.run, { recursive: true });
    const state = newState(120, null, {});
    state.trainer = { pid: process.pid, exit_code: null, signal: null, crashed: false, start_ticks: '1' }; // alive, but not the trainer
    saveState(d.run, state);
    const lines: string[] = [];
    const { state: after } = await supervise(config(d.run, d.out, { resume: true, maxSteps: 2 }, '--steps 3 --interval-ms 50 --control'), syntheticEvaluate(() => 0.5), (l) => lines.push(l));
    expect(lines.join('\n')).to.not.match(/adopting/);
    expect(lines.join('\n')).to.match(/trainer started again with EVALFIRST_RESUME=1/);
    expect(after.stop?.reason).to.equal('max_steps');
  });

  it('scores the stop candidate on the full suite while the trainer still waits at its control call, then answers stop', async () => {
    const d = dirs();
    const base = syntheticEvaluate((step) => (step >= 4 ? 0.95 : 0.2));
    const fullCalls: { step: number; trainerAlive: boolean; toldStop: boolean }[] = [];
    const ev = (async (ckpt: { step: number; path: string }, n: number | null, look?: unknown) => {
      if (n === null) {
        const pid = Number(readFileSync(join(d.out, 'trainer.pid'), 'utf8'));
        const stdout = readFileSync(join(d.run, 'trainer.stdout.log'), 'utf8');
        fullCalls.push({ step: ckpt.step, trainerAlive: processAlive(pid), toldStop: /: stop/.test(stdout) });
      }
      return base(ckpt as never, n, look as never);
    }) as EvaluateCheckpoint;
    const { state } = await supervise(config(d.run, d.out, { target: parseTarget('task >= 0.6') }, '--steps 20 --interval-ms 50 --control --save-s 0.25'), ev, quiet);
    const stopStep = state.stop?.step as number;
    expect(state.stop?.reason).to.equal('target');
    const last = state.checkpoints.at(-1)!;
    expect(last.step).to.equal(stopStep);
    expect(last.full_eval).to.equal(false); // decided on the adaptive sample...
    expect(last.full_suite?.scores.task.n).to.equal(400); // ...then given the full suite
    expect(fullCalls.at(-1)).to.deep.equal({ step: stopStep, trainerAlive: true, toldStop: false });
    expect(fullCalls.filter((c) => c.step === stopStep)).to.have.length(1); // the final evaluation reused it
    expect(state.best).to.deep.include({ step: stopStep, full_eval: true });
    expect(state.best?.scores?.task.n).to.equal(400);
    expect(state.trainer?.exit_code).to.equal(0);
    expect(state.trainer?.killed ?? false).to.equal(false);
    expect(last.save_s).to.equal(0.25);
    expect(state.timing.checkpoint_save_s).to.equal(0.25);
  });

  it('scores an earlier best from its saved checkpoint with the saved evaluator, and releases it', async () => {
    const d = dirs();
    const checkpointEv = syntheticEvaluate((step) => (step === 2 ? 0.8 : 0.4));
    const savedEv = syntheticEvaluate((step) => (step === 2 ? 0.8 : 0.4));
    let released = 0;
    const { state } = await supervise(
      config(d.run, d.out, { patience: 2, adaptive: false }, '--steps 10 --interval-ms 80 --control'),
      { checkpoint: checkpointEv, saved: { evaluate: savedEv, release: async () => void released++ } },
      quiet,
    );
    expect(state.stop?.reason).to.equal('plateau');
    expect(state.best?.step).to.equal(2);
    expect(state.best?.full_eval).to.equal(true);
    expect(savedEv.calls).to.deep.equal([]); // scored on the full suite at its turn already (no adaptive)
    expect(released).to.equal(1);

    const d2 = dirs();
    const adaptiveCheckpointEv = syntheticEvaluate((step) => (step === 2 ? 0.8 : 0.4));
    const saved2 = syntheticEvaluate((step) => (step === 2 ? 0.8 : 0.4));
    const r2 = await supervise(
      config(d2.run, d2.out, { patience: 2, target: parseTarget('task >= 0.99') }, '--steps 10 --interval-ms 80 --control'),
      { checkpoint: adaptiveCheckpointEv, saved: { evaluate: saved2, release: async () => void released++ } },
      quiet,
    );
    expect(r2.state.stop?.reason).to.equal('plateau');
    // step 1 full (times the reserve); step 2, the best, adaptive; the plateau at step 4 is not the best: scored at the end.
    expect(r2.state.best?.step).to.equal(2);
    expect(saved2.calls).to.deep.equal([{ step: 2, n: null }]);
    expect(r2.state.best?.full_eval).to.equal(true);
    expect(released).to.equal(2);
  });

  it('async: answers at once, skips stale checkpoints when scoring falls behind (logged), and the stop applies at the next save', async () => {
    const d = dirs();
    const ev = syntheticEvaluate((step) => (step >= 4 ? 0.95 : 0.2), 400, 250); // each evaluation ~0.25 s, a checkpoint every 0.06 s
    const { state } = await supervise(
      config(d.run, d.out, { target: parseTarget('task >= 0.6'), scoringMode: 'async', adaptive: false }, '--steps 200 --interval-ms 60 --control'),
      ev,
      quiet,
    );
    expect(state.stop?.reason).to.equal('target');
    expect(state.skipped?.length).to.be.greaterThan(0);
    const log = readFileSync(join(d.run, 'decisions.log'), 'utf8');
    expect(log).to.match(/checkpoint step \d+ skipped \(stale\): step \d+ arrived before scoring reached it/);
    const scored = state.checkpoints.map((c) => c.step);
    for (const s of state.skipped ?? []) expect(scored).to.not.include(s.step);
    // The trainer heard "stop" at a later report and exited by itself.
    expect(readFileSync(join(d.run, 'trainer.stdout.log'), 'utf8')).to.match(/trainer: step (\d+): stop\ntrainer: stopping as told/);
    const told = Number(/trainer: step (\d+): stop/.exec(readFileSync(join(d.run, 'trainer.stdout.log'), 'utf8'))![1]);
    expect(told).to.be.greaterThan(state.stop?.step as number);
    expect(state.trainer).to.deep.include({ exit_code: 0, crashed: false });
    expect(state.trainer?.killed ?? false).to.equal(false);
  });
});
