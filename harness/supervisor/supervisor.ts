// The supervisor owns the training loop: it starts (or adopts) the trainer, learns of each
// checkpoint (control endpoint or directory watch), scores it, applies the stop rules, stops the
// trainer when they say so or when the deadline leaves only the reserve, and finally gives the
// best checkpoint the full suite. It is the only part of evalfirst that knows about time.
//
// It is composed of narrow parts, each with the configuration it needs: the run record
// (run-record.ts: train.json + decisions.log + the clock), the checkpoint sources
// (checkpoint-sources.ts: control endpoint + watch), the checkpoint queue (checkpoint-queue.ts),
// the scorer (scorer.ts: full/adaptive, timings), the stop rules (stop-rules.ts, pure), the
// trainer handle (trainer-handle.ts), the deadline watchdog (deadline-watchdog.ts) and the final
// evaluation (final-eval.ts). This file only wires them and says what happens when.
//
// Surviving its own death: the control address and token are in the run record, and a resumed
// supervisor listens on the same ones, so a trainer that outlived it (its control client retries
// until a supervisor is back) is adopted and carries on; a trainer that died too is started again
// with EVALFIRST_RESUME=1, and `evalfirst finetune` then continues from its last complete
// checkpoint (reporting that one again, in case it was never scored).
//
// Where the next additions go. (b) Scoring the stop candidate fully before answering `stop`:
// scoreAndDecide, while the trainer still serves it at its control call, calls
// scorer.score(ref, 'full') when the decision is stop and the outcome is not full; the final
// evaluation then finds it full. (c) Scoring an earlier best checkpoint from its saved adapter
// through a scoring server the supervisor starts: finalEvaluation takes its own Scorer, built on
// an EvaluateCheckpoint whose backend is that server. (d) An async mode: CheckpointQueue gains a
// policy that answers `continue` at once and drops a waiting checkpoint when a newer one arrives.
// (e) A sweep of several arms: one Supervisor per arm (its own RunRecord in a sub-directory,
// trainer handle and queue), sharing the scoring backend and one deadline watchdog above them.
import { CheckpointQueue } from './checkpoint-queue.js';
import { CheckpointSources } from './checkpoint-sources.js';
import { RESUME_ENV, type ControlAnswer } from './control-server.js';
import { DeadlineWatchdog, reserveFromTimings, type ReserveMargin } from './deadline-watchdog.js';
import { finalEvaluation } from './final-eval.js';
import { RunRecord } from './run-record.js';
import { describeScores, recordScores, Scorer, type CheckpointRef, type EvaluateCheckpoint, type ScoreOutcome } from './scorer.js';
import { decide, headlineScore, type StopConfig } from './stop-rules.js';
import type { CheckpointRecord, Decision, StopReason, TrainState } from '../../core/train-schema.js';
import { formatTarget, type TargetExpr } from './target.js';
import { adoptTrainer, processStartTicks, sameProcessAlive, startTrainer, type StartedTrainer, type TrainerExit, type TrainerHandle } from './trainer-handle.js';

export interface SupervisorConfig {
  runDir: string;
  /** Shell command of the trainer; null when the trainer runs elsewhere (watch / control only). */
  trainerCommand: string | null;
  trainerCwd: string;
  trainerEnv?: NodeJS.ProcessEnv;
  watchDir: string | null;
  watchIntervalMs: number;
  /** Directories besides the run, watch and trainer directories where reported checkpoints may lie. */
  checkpointRoots?: string[];
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

/** A crashed trainer first; then, with a target, whether any checkpoint met it. */
export function trainExitCode(state: TrainState, hasTarget: boolean): number {
  if (state.trainer?.crashed ?? false) return TRAIN_EXIT.trainerCrash;
  return hasTarget && !state.checkpoints.some((c) => c.decision.verdict === 'met') ? TRAIN_EXIT.targetNotMet : TRAIN_EXIT.ok;
}

export async function supervise(cfg: SupervisorConfig, evaluate: EvaluateCheckpoint, say: (line: string) => void): Promise<SupervisorResult> {
  const target = cfg.target ? formatTarget(cfg.target) : null;
  const record = RunRecord.open({ runDir: cfg.runDir, resume: cfg.resume, deadlineS: cfg.deadlineS, target, config: { ...cfg, target, ...cfg.record } }, say);
  const scorer = new Scorer(evaluate, { target: cfg.target, alpha: cfg.alpha, adaptive: cfg.adaptive, n0: cfg.n0 }, record.state);
  const state = await new Supervisor(cfg, record, scorer).run();
  return { state, exitCode: trainExitCode(state, cfg.target !== null) };
}

/** How the trainer ended: a started one's exit status, or only that an adopted one is gone. */
type TrainerEnd = { trainer: StartedTrainer; exit: TrainerExit; exitedS: number } | { adoptedPid: number };

/** One training run under supervision: the parts, and the order in which they act. */
class Supervisor {
  private readonly queue: CheckpointQueue;
  private readonly stopRules: StopConfig;
  private readonly margin: ReserveMargin;
  private trainer: TrainerHandle | null = null;
  private stopping: Promise<unknown> | null = null;
  private readonly stopDecided: Promise<void>;
  private markStopDecided!: () => void;

  constructor(
    private readonly cfg: SupervisorConfig,
    private readonly record: RunRecord,
    private readonly scorer: Scorer,
  ) {
    this.stopRules = { target: cfg.target, patience: cfg.patience, minDelta: cfg.minDelta, deadlineS: cfg.deadlineS, maxSteps: cfg.maxSteps };
    this.margin = { fraction: cfg.marginFraction, floorS: cfg.marginFloorS };
    this.queue = new CheckpointQueue({
      isScored: (ref) => record.hasCheckpoint(ref),
      stopDecision: () => record.stopDecision(),
      score: (ref, viaControl) => this.scoreAndDecide(ref, viaControl),
    });
    this.stopDecided = new Promise((resolve) => (this.markStopDecided = resolve));
    if (record.stopDecision()) this.markStopDecided();
  }

  async run(): Promise<TrainState> {
    const { record, cfg } = this;
    const state = record.state;
    // A trainer that outlived the killed supervisor keeps reporting to the recorded address.
    const survivor = cfg.resume && sameProcessAlive(state.trainer?.pid, state.trainer?.start_ticks) ? (state.trainer?.pid as number) : null;
    const sources = await CheckpointSources.open(
      {
        watchDir: cfg.watchDir,
        watchIntervalMs: cfg.watchIntervalMs,
        seen: state.checkpoints.map((c) => c.path),
        roots: [cfg.runDir, ...(cfg.watchDir ? [cfg.watchDir] : []), ...(cfg.trainerCommand ? [cfg.trainerCwd] : []), ...(cfg.checkpointRoots ?? [])],
        baseDir: cfg.trainerCwd,
        notBeforeMs: Date.parse(state.startedAt),
        address: cfg.resume ? record.controlAddress() : null,
        addressRequired: survivor !== null,
      },
      (ref, viaControl) => this.queue.push(ref, viaControl),
      () => ({ time_s: record.nowS(), deadline_s: state.deadline_s, reserve_s: this.reserveS(), checkpoints: state.checkpoints.length, stop: state.stop }),
      (line) => record.log(line),
    );
    record.recordControl(sources.url, sources.port, sources.token);
    if (cfg.resume) record.log(`resume: control endpoint on ${sources.url}`);
    if (survivor !== null) this.adopt(survivor);
    await this.scoreBaseline();
    if (!this.trainer && !record.stopDecision() && cfg.trainerCommand) this.startTrainer(cfg.trainerCommand, sources.trainerEnv());

    // Holds even when the trainer hangs or never reports.
    const watchdog = new DeadlineWatchdog({
      deadlineS: state.deadline_s,
      nowS: () => record.nowS(),
      reserveS: () => this.reserveS(),
      onDeadline: (detail) => this.requestStop({ action: 'stop', reason: 'deadline', detail }, null),
    });
    watchdog.start();
    const ended = await this.endOfTraining();
    if (this.stopping) await this.stopping;
    watchdog.stop();
    await sources.lastLook();
    await this.queue.drained();
    await sources.close();
    if (ended) this.recordExit(ended);

    const best = await finalEvaluation({ finalEval: this.cfg.finalEval }, state.checkpoints, this.scorer, (l) => record.log(l));
    if (best) record.recordBest(best);
    else record.save();
    return state;
  }

  private reserveS(): number {
    return reserveFromTimings(this.record.state.timing, this.margin);
  }

  /** Records the first stop decision and stops the trainer (a trainer told at its control call may first exit by itself). */
  private requestStop(d: Decision, step: number | null, toldAtControlCall = false): void {
    if (this.record.recordStop(d, step)) this.actOnStop(toldAtControlCall);
  }

  /** Stops the trainer once a stop is recorded. */
  private actOnStop(toldAtControlCall: boolean): void {
    this.markStopDecided();
    const { graceS } = this.cfg;
    const trainer = this.trainer;
    this.stopping = trainer?.running() ? trainer.stop(graceS, toldAtControlCall ? graceS : 0) : Promise.resolve();
  }

  /** The model before training, on the full suite: it also times the final evaluation. */
  private async scoreBaseline(): Promise<void> {
    const { baseline } = this.cfg;
    if (!baseline || this.record.state.baseline || this.record.stopDecision()) return;
    this.record.log(`baseline: scoring ${baseline.path} on the full suite`);
    const o = await this.scorer.score(baseline, 'full');
    this.record.log(`baseline: ${describeScores(o.scores)} in ${o.seconds.toFixed(1)}s`);
    this.record.recordBaseline({ step: baseline.step, path: baseline.path, scores: recordScores(o), eval_s: o.seconds });
  }

  /** Holds the trainer a killed supervisor left running; stops it at once when that supervisor had decided to stop. */
  private adopt(pid: number): void {
    const { record } = this;
    this.trainer = adoptTrainer(pid);
    record.log(`resume: trainer pid ${pid} is still running; adopting it`);
    const stop = record.stopDecision();
    if (stop) {
      record.log(`resume: a stop (${stop.reason}) was decided before; stopping the trainer`);
      this.stopping = this.trainer.stop(this.cfg.graceS, this.cfg.graceS);
    }
  }

  /** Starts the trainer; on --resume with EVALFIRST_RESUME=1, so it continues from its last checkpoint. */
  private startTrainer(command: string, controlEnv: Record<string, string>): void {
    const { record, cfg } = this;
    const trainer = startTrainer(command, {
      cwd: cfg.trainerCwd,
      logDir: cfg.runDir,
      env: { ...process.env, ...cfg.trainerEnv, ...controlEnv, EVALFIRST_RUN_DIR: cfg.runDir, ...(cfg.resume ? { [RESUME_ENV]: '1' } : {}) },
    });
    this.trainer = trainer;
    record.recordTrainer({ pid: trainer.pid, exit_code: null, signal: null, crashed: false, start_ticks: processStartTicks(trainer.pid) });
    record.log(`trainer ${cfg.resume ? `started again with ${RESUME_ENV}=1` : 'started'} (pid ${trainer.pid}): ${command}`);
  }

  /**
   * Waits for the end: a started trainer exits (on its own or stopped); an adopted one is gone or
   * a stop is decided; with no trainer, a stop is decided. How the trainer ended, when it did.
   */
  private async endOfTraining(): Promise<TrainerEnd | null> {
    const trainer = this.trainer;
    if (trainer?.origin === 'started') {
      const exit = await trainer.exited;
      return { trainer, exit, exitedS: this.record.nowS() };
    }
    await Promise.race(trainer ? [this.stopDecided, trainer.gone] : [this.stopDecided]);
    return trainer && !trainer.running() ? { adoptedPid: trainer.pid } : null;
  }

  /** The trainer's exit in the record; an exit nobody asked for is itself the stop. */
  private recordExit(end: TrainerEnd): void {
    const { record } = this;
    const lastStep = record.state.checkpoints.at(-1)?.step ?? null;
    if ('adoptedPid' in end) {
      // Not our child: its exit status is unknown to us.
      if (!record.stopDecision()) this.requestStop({ action: 'stop', reason: 'trainer_exit', detail: `the adopted trainer (pid ${end.adoptedPid}) exited; a resumed supervisor cannot read its exit status` }, lastStep);
      return;
    }
    const { trainer, exit, exitedS } = end;
    const crashed = !exit.stoppedBySupervisor && (exit.code !== 0 || exit.signal !== null);
    record.recordTrainer({ pid: trainer.pid, exit_code: exit.code, signal: exit.signal, crashed, killed: trainer.wasKilled(), exited_s: exitedS, start_ticks: record.state.trainer?.start_ticks ?? null });
    if (!record.stopDecision()) {
      const reason: StopReason = crashed ? 'trainer_crash' : 'trainer_exit';
      this.requestStop({ action: 'stop', reason, detail: `trainer exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}` }, lastStep);
    }
  }

  /** One checkpoint's turn in the queue: score it, apply the stop rules, record, answer. */
  private async scoreAndDecide(ref: CheckpointRef, viaControl: boolean): Promise<ControlAnswer> {
    const { record } = this;
    const mode = this.scorer.nextMode();
    record.log(`checkpoint step ${ref.step} at ${record.nowS().toFixed(1)}s: scoring (${mode}) ${ref.path}`);
    let outcome: ScoreOutcome;
    try {
      outcome = await this.scorer.score(ref, mode);
    } catch (e) {
      record.log(`checkpoint step ${ref.step}: scoring failed: ${(e as Error).message}`);
      return { action: 'continue', detail: `scoring failed: ${(e as Error).message}` };
    }
    const history = [...record.state.checkpoints.map((c) => ({ step: c.step, headline: headlineScore(c.scores) })), { step: ref.step, headline: headlineScore(outcome.scores) }];
    const decision = decide(this.stopRules, ref.step, outcome.verdict, history, { nowS: record.nowS(), reserveS: this.reserveS() });
    const rec: CheckpointRecord = {
      step: ref.step,
      path: ref.path,
      time_s: record.nowS(),
      scores: recordScores(outcome),
      decision,
      full_eval: outcome.full,
      requests_sent: outcome.requestsSent,
      eval_s: outcome.seconds,
      looks: outcome.looks,
    };
    const summary = Object.entries(rec.scores)
      .map(([k, v]) => `${k}=${v.mean.toFixed(3)} [${v.ci_low.toFixed(3)}, ${v.ci_high.toFixed(3)}] n=${v.n}`)
      .join('  ');
    record.log(`checkpoint step ${ref.step}: ${summary}; ${outcome.requestsSent} requests in ${outcome.seconds.toFixed(1)}s; decision ${decision.action}${decision.reason ? ` (${decision.reason})` : ''}: ${decision.detail}`);
    if (record.recordCheckpoint(rec)) this.actOnStop(viaControl);
    return { action: decision.action, reason: decision.reason, detail: decision.detail };
  }
}
