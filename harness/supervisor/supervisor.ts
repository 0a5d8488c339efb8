// The supervisor owns the training loop: it starts (or adopts) the trainer, learns of each
// checkpoint (control endpoint or directory watch), scores it, applies the stop rules, stops the
// trainer when they say so or when the deadline leaves only the reserve, and finally gives the
// best checkpoint the full suite. It is the only part of evalfirst that knows about time.
import { mkdirSync } from 'node:fs';
import { CheckpointWatcher } from './checkpoint-watch.js';
import { CONTROL_ENV, startControlServer, type ControlAnswer, type ControlServer } from './control-server.js';
import { scoreCheckpoint, type CheckpointRef, type EvaluateCheckpoint, type ScoreOutcome } from './scorer.js';
import { decide, estimateReserve, headlineScore } from './stop-rules.js';
import { loadState, logDecision, newState, saveState } from './state.js';
import type { CheckpointRecord, Decision, StopReason, TrainState } from '../../core/train-schema.js';
import { formatTarget, type TargetExpr } from './target.js';
import { startTrainer, type TrainerExit, type TrainerProcess } from './trainer-process.js';

export interface SupervisorConfig {
  runDir: string;
  /** Shell command of the trainer; null when the trainer runs elsewhere (watch / control only). */
  trainerCommand: string | null;
  trainerCwd: string;
  trainerEnv?: NodeJS.ProcessEnv;
  watchDir: string | null;
  watchIntervalMs: number;
  target: TargetExpr | null;
  alpha: number;
  adaptive: boolean;
  n0: number;
  patience: number | null;
  minDelta: number;
  deadlineS: number;
  graceS: number;
  maxSteps: number | null;
  marginFraction: number;
  marginFloorS: number;
  finalEval: boolean;
  resume: boolean;
  /** Score this model (e.g. the base before fine-tuning) on the full suite before training starts. */
  baseline?: CheckpointRef;
  /** Extra configuration recorded in train.json. */
  record?: Record<string, unknown>;
}

export interface SupervisorResult {
  state: TrainState;
  exitCode: number;
}

/** Exit codes of `evalfirst train`. */
export const TRAIN_EXIT = { ok: 0, targetNotMet: 1, usage: 2, trainerCrash: 3 } as const;

function processAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function supervise(cfg: SupervisorConfig, evaluate: EvaluateCheckpoint, say: (line: string) => void): Promise<SupervisorResult> {
  mkdirSync(cfg.runDir, { recursive: true });
  const state: TrainState = cfg.resume
    ? loadState(cfg.runDir)
    : newState(cfg.deadlineS, cfg.target ? formatTarget(cfg.target) : null, { ...cfg, target: cfg.target ? formatTarget(cfg.target) : null, ...cfg.record });
  const startMs = Date.parse(state.startedAt);
  const nowS = () => (Date.now() - startMs) / 1000;
  const deadlineS = state.deadline_s;
  const log = (line: string) => {
    logDecision(cfg.runDir, line);
    say(line);
  };
  const save = () => saveState(cfg.runDir, state);
  save();

  const reserveS = () =>
    estimateReserve({
      fullEvalSeconds: state.timing.full_eval_s,
      secondsPerRequest: state.timing.seconds_per_request,
      fullRequestCount: state.timing.full_request_count ?? 0,
      checkpointSaveSeconds: state.timing.checkpoint_save_s,
      marginFraction: cfg.marginFraction,
      marginFloorS: cfg.marginFloorS,
    });

  let stopDecision: Decision | null = state.stop ? { action: 'stop', reason: state.stop.reason, detail: state.stop.detail } : null;
  let trainer: TrainerProcess | null = null;
  let adoptedPid: number | null = null;
  let stopping: Promise<unknown> | null = null;

  const requestStop = (d: Decision, step: number | null, toldAtControlCall = false) => {
    if (stopDecision) return;
    stopDecision = d;
    state.stop = { reason: d.reason as StopReason, step, time_s: nowS(), detail: d.detail };
    save();
    log(`STOP ${d.reason} at ${nowS().toFixed(1)}s${step !== null ? ` (step ${step})` : ''}: ${d.detail}`);
    stopping = stopTrainer(toldAtControlCall ? cfg.graceS : 0);
  };

  const stopTrainer = async (voluntaryS: number) => {
    if (trainer?.running()) await trainer.stop(cfg.graceS, voluntaryS);
    else if (processAlive(adoptedPid)) {
      try {
        process.kill(-(adoptedPid as number), 'SIGTERM');
      } catch {
        /* gone */
      }
      const t0 = Date.now();
      while (processAlive(adoptedPid) && Date.now() - t0 < cfg.graceS * 1000) await new Promise((r) => setTimeout(r, 100));
      if (processAlive(adoptedPid)) {
        try {
          process.kill(-(adoptedPid as number), 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
  };

  const recordTimings = (o: ScoreOutcome) => {
    if (o.full) {
      state.timing.full_eval_s = o.seconds;
      state.timing.full_request_count = o.requestsTotal;
    }
    if (o.requestsSent > 0) state.timing.seconds_per_request = o.seconds / o.requestsSent;
    if (!state.timing.full_request_count || o.full) state.timing.full_request_count = Math.max(state.timing.full_request_count ?? 0, o.requestsTotal);
  };

  const toRecordScores = (o: ScoreOutcome): CheckpointRecord['scores'] =>
    Object.fromEntries(Object.entries(o.scores).map(([k, v]) => [k, { mean: v.mean, ci_low: v.ciLow, ci_high: v.ciHigh, n: v.n }]));

  // Checkpoints are handled one at a time, in arrival order.
  let queue: Promise<unknown> = Promise.resolve();
  const handleCheckpoint = (ref: CheckpointRef, viaControl: boolean): Promise<ControlAnswer> => {
    const job = queue.then(async (): Promise<ControlAnswer> => {
      if (state.checkpoints.some((c) => c.path === ref.path && c.step === ref.step)) {
        return { action: stopDecision ? 'stop' : 'continue', detail: 'already scored' };
      }
      if (stopDecision) return { action: 'stop', reason: stopDecision.reason, detail: stopDecision.detail };
      // The first checkpoint gets the full suite: that measures the final evaluation's duration
      // (the deadline reserve); later ones are scored adaptively.
      const mode = state.timing.full_eval_s === null ? 'full' : 'adaptive';
      log(`checkpoint step ${ref.step} at ${nowS().toFixed(1)}s: scoring (${mode}) ${ref.path}`);
      let outcome: ScoreOutcome;
      try {
        outcome = await scoreCheckpoint(evaluate, ref, cfg, mode);
      } catch (e) {
        log(`checkpoint step ${ref.step}: scoring failed: ${(e as Error).message}`);
        return { action: 'continue', detail: `scoring failed: ${(e as Error).message}` };
      }
      recordTimings(outcome);
      const history = [...state.checkpoints.map((c) => ({ step: c.step, headline: headlineScore(c.scores) })), { step: ref.step, headline: headlineScore(outcome.scores) }];
      const decision = decide(cfg, ref.step, outcome.verdict, history, { nowS: nowS(), reserveS: reserveS() });
      const rec: CheckpointRecord = {
        step: ref.step,
        path: ref.path,
        time_s: nowS(),
        scores: toRecordScores(outcome),
        decision,
        full_eval: outcome.full,
        requests_sent: outcome.requestsSent,
        eval_s: outcome.seconds,
        looks: outcome.looks,
      };
      state.checkpoints.push(rec);
      const summary = Object.entries(rec.scores)
        .map(([k, v]) => `${k}=${v.mean.toFixed(3)} [${v.ci_low.toFixed(3)}, ${v.ci_high.toFixed(3)}] n=${v.n}`)
        .join('  ');
      log(`checkpoint step ${ref.step}: ${summary}; ${outcome.requestsSent} requests in ${outcome.seconds.toFixed(1)}s; decision ${decision.action}${decision.reason ? ` (${decision.reason})` : ''}: ${decision.detail}`);
      save();
      if (decision.action === 'stop') requestStop(decision, ref.step, viaControl);
      return { action: decision.action, reason: decision.reason, detail: decision.detail };
    });
    queue = job.catch(() => undefined);
    return job;
  };

  // Control endpoint.
  const control: ControlServer = await startControlServer({
    onCheckpoint: (r) => handleCheckpoint({ step: r.step, path: r.path, servingUrl: r.serving_url }, true),
    status: () => ({ time_s: nowS(), deadline_s: deadlineS, reserve_s: reserveS(), checkpoints: state.checkpoints.length, stop: state.stop }),
  });

  // Directory watch.
  const seen = new Set(state.checkpoints.map((c) => c.path));
  const watcher = cfg.watchDir ? new CheckpointWatcher(cfg.watchDir, seen, async (c) => void (await handleCheckpoint({ step: c.step, path: c.path }, false)), cfg.watchIntervalMs) : null;
  watcher?.start();

  // Baseline (the model before training), on the full suite: it also times the final evaluation.
  if (cfg.baseline && !state.baseline && !stopDecision) {
    log(`baseline: scoring ${cfg.baseline.path} on the full suite`);
    const o = await scoreCheckpoint(evaluate, cfg.baseline, cfg, 'full');
    recordTimings(o);
    state.baseline = { step: cfg.baseline.step, path: cfg.baseline.path, scores: toRecordScores(o), eval_s: o.seconds };
    log(`baseline: ${Object.entries(o.scores).map(([k, v]) => `${k}=${v.mean.toFixed(3)} [${v.ciLow.toFixed(3)}, ${v.ciHigh.toFixed(3)}]`).join('  ')} in ${o.seconds.toFixed(1)}s`);
    save();
  }

  // Trainer: adopt a still-running one on resume, else start it.
  let exit: TrainerExit | null = null;
  if (!stopDecision && cfg.trainerCommand) {
    if (cfg.resume && processAlive(state.trainer?.pid)) {
      adoptedPid = state.trainer?.pid ?? null;
      log(`resume: trainer pid ${adoptedPid} is still running; adopting it`);
    } else {
      trainer = startTrainer(cfg.trainerCommand, {
        cwd: cfg.trainerCwd,
        logDir: cfg.runDir,
        env: { ...process.env, ...cfg.trainerEnv, [CONTROL_ENV.url]: control.url, [CONTROL_ENV.token]: control.token, EVALFIRST_RUN_DIR: cfg.runDir },
      });
      state.trainer = { pid: trainer.pid, exit_code: null, signal: null, crashed: false };
      save();
      log(`trainer started (pid ${trainer.pid}): ${cfg.trainerCommand}`);
    }
  }

  // Deadline watchdog: holds even when the trainer hangs or never reports.
  const watchdog = setInterval(() => {
    if (!stopDecision && deadlineS - nowS() <= reserveS()) {
      requestStop({ action: 'stop', reason: 'deadline', detail: `${(deadlineS - nowS()).toFixed(1)}s left, reserve ${reserveS().toFixed(1)}s (no checkpoint decision pending)` }, null);
    }
  }, 200);

  // Wait for the end: the trainer exits (on its own or stopped), or, with no trainer, a stop decision.
  let exitedS: number | null = null;
  if (trainer) {
    exit = await trainer.exited;
    exitedS = nowS();
  } else {
    while (!stopDecision && (adoptedPid === null || processAlive(adoptedPid))) await new Promise((r) => setTimeout(r, 200));
  }
  if (stopping) await stopping;
  if (exit && trainer) exit = { ...exit, killed: trainer.wasKilled() };
  clearInterval(watchdog);
  // Checkpoints written just before the trainer exited.
  if (watcher) {
    watcher.stop();
    await new Promise((r) => setTimeout(r, cfg.watchIntervalMs));
    await watcher.pollOnce();
    await new Promise((r) => setTimeout(r, cfg.watchIntervalMs));
    await watcher.pollOnce();
  }
  await queue;
  await control.close();

  if (exit) {
    const crashed = !exit.stoppedBySupervisor && (exit.code !== 0 || exit.signal !== null);
    state.trainer = { pid: trainer?.pid ?? null, exit_code: exit.code, signal: exit.signal, crashed, killed: exit.killed, exited_s: exitedS };
    if (!stopDecision) {
      const reason: StopReason = crashed ? 'trainer_crash' : 'trainer_exit';
      requestStop({ action: 'stop', reason, detail: `trainer exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}` }, state.checkpoints.at(-1)?.step ?? null);
    }
  }
  save();

  // Best checkpoint: among those meeting the target (if any), the highest headline score; then the full suite.
  const ranked = [...state.checkpoints].sort((a, b) => {
    const am = a.decision.verdict === 'met' ? 1 : 0;
    const bm = b.decision.verdict === 'met' ? 1 : 0;
    return bm - am || headlineScore(b.scores) - headlineScore(a.scores) || a.step - b.step;
  });
  const best = ranked[0];
  if (best) {
    state.best = { step: best.step, path: best.path, scores: best.scores, full_eval: best.full_eval ?? false };
    if (cfg.finalEval && !state.best.full_eval) {
      log(`final evaluation of the best checkpoint (step ${best.step}) on the full suite`);
      try {
        const o = await scoreCheckpoint(evaluate, { step: best.step, path: best.path }, cfg, 'full');
        state.best = { step: best.step, path: best.path, scores: toRecordScores(o), full_eval: true };
        recordTimings(o);
        log(`final: ${Object.entries(o.scores).map(([k, v]) => `${k}=${v.mean.toFixed(3)} [${v.ciLow.toFixed(3)}, ${v.ciHigh.toFixed(3)}]`).join('  ')} in ${o.seconds.toFixed(1)}s`);
      } catch (e) {
        log(`final evaluation failed: ${(e as Error).message} (best checkpoint kept with its intermediate scores)`);
      }
    }
    log(`best checkpoint: step ${best.step} ${best.path}`);
  } else {
    log('no checkpoint was scored');
  }
  save();

  const crashed = state.trainer?.crashed ?? false;
  const metSomewhere = state.checkpoints.some((c) => c.decision.verdict === 'met');
  const exitCode = crashed ? TRAIN_EXIT.trainerCrash : cfg.target && !metSomewhere ? TRAIN_EXIT.targetNotMet : TRAIN_EXIT.ok;
  return { state, exitCode };
}
