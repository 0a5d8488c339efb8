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
// Where the next additions go. (a) Persisting the control address and token and listening on the
// same ones on resume: RunRecord keeps them in train.json and CheckpointSources.open passes them to
// startControlServer; an adopted trainer then reaches the new supervisor (its stop already honours
// the voluntary wait). (b) Scoring the stop candidate fully before answering `stop`:
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
import type { ControlAnswer } from './control-server.js';
import { DeadlineWatchdog, reserveFromTimings, type ReserveMargin } from './deadline-watchdog.js';
import { finalEvaluation } from './final-eval.js';
import { RunRecord } from './run-record.js';
import { describeScores, recordScores, Scorer, type CheckpointRef, type EvaluateCheckpoint, type ScoreOutcome } from './scorer.js';
import { decide, headlineScore, type StopConfig } from './stop-rules.js';
import type { CheckpointRecord, Decision, StopReason, TrainState } from '../../core/train-schema.js';
import { formatTarget, type TargetExpr } from './target.js';
import { adoptTrainer, processAlive, startTrainer, type StartedTrainer, type TrainerExit, type TrainerHandle } from './trainer-handle.js';

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
    const { record } = this;
    const state = record.state;
    const sources = await CheckpointSources.open(
      { watchDir: this.cfg.watchDir, watchIntervalMs: this.cfg.watchIntervalMs, seen: state.checkpoints.map((c) => c.path) },
      (ref, viaControl) => this.queue.push(ref, viaControl),
      () => ({ time_s: record.nowS(), deadline_s: state.deadline_s, reserve_s: this.reserveS(), checkpoints: state.checkpoints.length, stop: state.stop }),
    );
    await this.scoreBaseline();
    if (!record.stopDecision() && this.cfg.trainerCommand) this.holdTrainer(this.cfg.trainerCommand, sources.trainerEnv());

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
    if (!this.record.recordStop(d, step)) return;
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
    this.record.recordBaseline({ step: baseline.step, path: baseline.path, scores: recordScores(o), eval_s: o.seconds, ...(o.scoredBy ? { scored_by: o.scoredBy } : {}) });
  }

  /** Adopts a trainer still running on resume, else starts it. */
  private holdTrainer(command: string, controlEnv: Record<string, string>): void {
    const { record, cfg } = this;
    const pid = record.state.trainer?.pid;
    if (cfg.resume && processAlive(pid)) {
      this.trainer = adoptTrainer(pid as number);
      record.log(`resume: trainer pid ${pid} is still running; adopting it`);
      return;
    }
    const trainer = startTrainer(command, {
      cwd: cfg.trainerCwd,
      logDir: cfg.runDir,
      env: { ...process.env, ...cfg.trainerEnv, ...controlEnv, EVALFIRST_RUN_DIR: cfg.runDir },
    });
    this.trainer = trainer;
    record.recordTrainer({ pid: trainer.pid, exit_code: null, signal: null, crashed: false });
    record.log(`trainer started (pid ${trainer.pid}): ${command}`);
  }

  /**
   * Waits for the end: a started trainer exits (on its own or stopped); an adopted one is gone or
   * a stop is decided; with no trainer, a stop is decided. The exit status when there is one.
   */
  private async endOfTraining(): Promise<{ trainer: StartedTrainer; exit: TrainerExit; exitedS: number } | null> {
    const trainer = this.trainer;
    if (trainer?.origin === 'started') {
      const exit = await trainer.exited;
      return { trainer, exit, exitedS: this.record.nowS() };
    }
    await Promise.race(trainer ? [this.stopDecided, trainer.gone] : [this.stopDecided]);
    return null;
  }

  /** The trainer's exit in the record; an exit nobody asked for is itself the stop. */
  private recordExit({ trainer, exit, exitedS }: { trainer: StartedTrainer; exit: TrainerExit; exitedS: number }): void {
    const { record } = this;
    const crashed = !exit.stoppedBySupervisor && (exit.code !== 0 || exit.signal !== null);
    record.recordTrainer({ pid: trainer.pid, exit_code: exit.code, signal: exit.signal, crashed, killed: trainer.wasKilled(), exited_s: exitedS });
    if (!record.stopDecision()) {
      const reason: StopReason = crashed ? 'trainer_crash' : 'trainer_exit';
      this.requestStop({ action: 'stop', reason, detail: `trainer exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}` }, record.state.checkpoints.at(-1)?.step ?? null);
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
      ...(outcome.scoredBy ? { scored_by: outcome.scoredBy } : {}),
    };
    const summary = Object.entries(rec.scores)
      .map(([k, v]) => `${k}=${v.mean.toFixed(3)} [${v.ci_low.toFixed(3)}, ${v.ci_high.toFixed(3)}] n=${v.n}`)
      .join('  ');
    record.log(`checkpoint step ${ref.step}: ${summary}; ${outcome.requestsSent} requests in ${outcome.seconds.toFixed(1)}s; decision ${decision.action}${decision.reason ? ` (${decision.reason})` : ''}: ${decision.detail}`);
    record.recordCheckpoint(rec);
    if (decision.action === 'stop') this.requestStop(decision, ref.step, viaControl);
    return { action: decision.action, reason: decision.reason, detail: decision.detail };
  }
}
