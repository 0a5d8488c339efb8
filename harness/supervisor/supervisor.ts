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
// The final evaluation always happens: when a stop is decided at a checkpoint that is the best so
// far, scoreAndDecide gives it the full suite before answering `stop` (the trainer still serves it,
// and a deadline stop meanwhile waits for that scoring to end); an earlier best is scored at the
// end from its saved checkpoint by the `saved` evaluator (for a trainer's serving_url, a scoring
// server the supervisor starts on it, or the embedded runtime). Two queue policies: `pause` (one
// GPU: the trainer waits at its control call while it serves the checkpoint) and `async` (scoring
// beside training: answers at once, stale checkpoints skipped, a stop applies at the next save).
//
// Where the next additions go. (e) A sweep of several arms: one Supervisor per arm (its own RunRecord in a sub-directory,
// trainer handle and queue), sharing the scoring backend and one deadline watchdog above them.
import { CheckpointQueue, type QueuePolicy } from './checkpoint-queue.js';
import { CheckpointSources } from './checkpoint-sources.js';
import { RESUME_ENV, type ControlAnswer } from './control-server.js';
import { DeadlineWatchdog, reserveFromTimings, type ReserveMargin } from './deadline-watchdog.js';
import { bestCheckpoint, finalEvaluation } from './final-eval.js';
import { RunRecord } from './run-record.js';
import { describeScores, recordScores, Scorer, type CheckpointRef, type EvaluateCheckpoint, type ScoreOutcome } from './scorer.js';
import { decide, headlineScore, type StopConfig } from './stop-rules.js';
import type { CheckpointRecord, Decision, StopReason, TrainState } from '../../core/train-schema.js';
import { formatTarget, type TargetExpr } from './target.js';
import { adoptTrainer, processStartTicks, sameProcessAlive, startTrainer, TRAINER_LOGS, type StartedTrainer, type TrainerExit, type TrainerHandle } from './trainer-handle.js';
import { followOutput, type OutputFollower, type TrainerStream } from './trainer-output.js';
import { join } from 'node:path';

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
  /** pause (default): score while the trainer waits at its control call; async: score beside training. */
  scoringMode?: QueuePolicy;
  /** Each line the trainer writes (read back from its log files while it runs), e.g. to show its progress. */
  onTrainerLine?: (line: string, stream: TrainerStream) => void;
}

/**
 * The evaluations a run needs: `checkpoint` scores each checkpoint as it is reported (at its
 * serving_url, if any); `saved` scores a saved checkpoint nothing serves any more (the baseline, an
 * earlier best at the end), default `checkpoint`; its `release` frees what it holds (a server).
 */
export interface Evaluators {
  checkpoint: EvaluateCheckpoint;
  saved?: { evaluate: EvaluateCheckpoint; release(): Promise<void> };
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

export async function supervise(cfg: SupervisorConfig, evaluate: EvaluateCheckpoint | Evaluators, say: (line: string) => void): Promise<SupervisorResult> {
  const evaluators: Evaluators = typeof evaluate === 'function' ? { checkpoint: evaluate } : evaluate;
  const target = cfg.target ? formatTarget(cfg.target) : null;
  const record = RunRecord.open({ runDir: cfg.runDir, resume: cfg.resume, deadlineS: cfg.deadlineS, target, config: { ...cfg, target, ...cfg.record } }, say);
  const options = { target: cfg.target, alpha: cfg.alpha, adaptive: cfg.adaptive, n0: cfg.n0 };
  const scorer = new Scorer(evaluators.checkpoint, options, record.state);
  const saved = evaluators.saved ? { scorer: new Scorer(evaluators.saved.evaluate, options, record.state), release: evaluators.saved.release } : { scorer, release: async () => undefined };
  let state: TrainState;
  try {
    state = await new Supervisor(cfg, record, scorer, saved).run();
  } finally {
    await saved.release();
  }
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
  /** While the stop candidate is scored on the full suite at the trainer's control call: a stop waits for it. */
  private servingHold: Promise<unknown> | null = null;
  /** When the trainer's control reports arrived (async: how long until it hears a stop). */
  private readonly reportTimesS: number[] = [];
  /** The trainer's log files, followed for cfg.onTrainerLine while it runs. */
  private output: OutputFollower | null = null;

  constructor(
    private readonly cfg: SupervisorConfig,
    private readonly record: RunRecord,
    private readonly scorer: Scorer,
    private readonly saved: { scorer: Scorer; release(): Promise<void> },
  ) {
    this.stopRules = { target: cfg.target, patience: cfg.patience, minDelta: cfg.minDelta, deadlineS: cfg.deadlineS, maxSteps: cfg.maxSteps };
    this.margin = { fraction: cfg.marginFraction, floorS: cfg.marginFloorS };
    this.queue = new CheckpointQueue({
      isScored: (ref) => record.hasCheckpoint(ref),
      stopDecision: () => record.stopDecision(),
      score: (ref, viaControl) => this.scoreAndDecide(ref, viaControl),
      policy: cfg.scoringMode ?? 'pause',
      onSkip: (stale, newer) => this.recordSkip(stale, newer),
    });
    this.stopDecided = new Promise((resolve) => (this.markStopDecided = resolve));
    if (record.stopDecision()) this.markStopDecided();
  }

  async run(): Promise<TrainState> {
    try {
      return await this.supervise();
    } finally {
      this.output?.stop();
    }
  }

  private async supervise(): Promise<TrainState> {
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
      (ref, viaControl) => {
        if (viaControl) this.reportTimesS.push(record.nowS());
        return this.queue.push(ref, viaControl);
      },
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
    this.output?.stop(); // the trainer's last lines come before the final evaluation's
    watchdog.stop();
    await sources.lastLook();
    await this.queue.drained();
    await sources.close();
    if (ended) this.recordExit(ended);

    const best = await finalEvaluation({ finalEval: this.cfg.finalEval }, state.checkpoints, this.saved.scorer, (l) => record.log(l));
    if (best) record.recordBest(best);
    else record.save();
    return state;
  }

  private reserveS(): number {
    return reserveFromTimings(this.record.state.timing, this.margin);
  }

  /**
   * Records the first stop decision and stops the trainer. A trainer told at its control call may
   * first exit by itself; so may one held at its control call while its checkpoint is scored on the
   * full suite (the stop waits for that), and, in async mode, one that reports checkpoints and
   * hears the stop at its next save (waited for about one checkpoint interval, within the deadline).
   */
  private requestStop(d: Decision, step: number | null, toldAtControlCall = false): void {
    if (this.record.recordStop(d, step)) this.actOnStop(toldAtControlCall);
  }

  /** Stops the trainer once a stop is recorded. */
  private actOnStop(toldAtControlCall: boolean): void {
    this.markStopDecided();
    const { graceS } = this.cfg;
    const trainer = this.trainer;
    if (!trainer?.running()) {
      this.stopping = Promise.resolve();
      return;
    }
    const hold = this.servingHold;
    const voluntaryS = toldAtControlCall || hold ? graceS : this.untilNextReportS();
    const stop = async (): Promise<unknown> => trainer.stop(graceS, voluntaryS);
    this.stopping = hold ? hold.then(stop, stop) : stop();
  }

  /** async: how long a trainer that reports its checkpoints may take to hear a stop at its next save. */
  private untilNextReportS(): number {
    const t = this.reportTimesS;
    if (this.cfg.scoringMode !== 'async' || t.length < 2) return 0;
    const longest = Math.max(...t.slice(1).map((x, i) => x - t[i]!));
    const left = this.record.state.deadline_s - this.record.nowS() - this.reserveS();
    return Math.max(0, Math.min(1.5 * longest + this.cfg.graceS, left));
  }

  private recordSkip(stale: CheckpointRef, newer: CheckpointRef): void {
    const state = this.record.state;
    const reason = `step ${newer.step} arrived before scoring reached it`;
    (state.skipped ??= []).push({ step: stale.step, path: stale.path, time_s: this.record.nowS(), reason });
    this.record.save();
    this.record.log(`checkpoint step ${stale.step} skipped (stale): ${reason}; ${stale.path}`);
  }

  /** The model before training, on the full suite: it also times the final evaluation. */
  private async scoreBaseline(): Promise<void> {
    const { baseline } = this.cfg;
    if (!baseline || this.record.state.baseline || this.record.stopDecision()) return;
    this.record.log(`baseline: scoring ${baseline.path} on the full suite`);
    let o: ScoreOutcome;
    try {
      o = await this.saved.scorer.score(baseline, 'full');
    } finally {
      await this.saved.release(); // the trainer gets the GPU
    }
    this.record.log(`baseline: ${describeScores(o.scores)} in ${o.seconds.toFixed(1)}s`);
    this.record.recordBaseline({ step: baseline.step, path: baseline.path, scores: recordScores(o), eval_s: o.seconds, ...(o.scoredBy ? { scored_by: o.scoredBy } : {}) });
  }

  /** Holds the trainer a killed supervisor left running; stops it at once when that supervisor had decided to stop. */
  private adopt(pid: number): void {
    const { record } = this;
    this.followTrainerOutput();
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
    this.followTrainerOutput(); // from the files' current ends: what this trainer writes
    const trainer = startTrainer(command, {
      cwd: cfg.trainerCwd,
      logDir: cfg.runDir,
      env: { ...process.env, ...cfg.trainerEnv, ...controlEnv, EVALFIRST_RUN_DIR: cfg.runDir, ...(cfg.resume ? { [RESUME_ENV]: '1' } : {}) },
    });
    this.trainer = trainer;
    record.recordTrainer({ pid: trainer.pid, exit_code: null, signal: null, crashed: false, start_ticks: processStartTicks(trainer.pid) });
    record.log(`trainer ${cfg.resume ? `started again with ${RESUME_ENV}=1` : 'started'} (pid ${trainer.pid}): ${command}`);
  }

  /** Passes each new line of the trainer's log files to cfg.onTrainerLine (when given). */
  private followTrainerOutput(): void {
    const { onTrainerLine, runDir } = this.cfg;
    if (!onTrainerLine || this.output) return;
    const files = (['stdout', 'stderr'] as const).map((stream) => ({ stream, path: join(runDir, TRAINER_LOGS[stream]) }));
    this.output = followOutput(files, onTrainerLine);
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
    if (ref.saveS !== undefined) record.state.timing.checkpoint_save_s = Math.max(record.state.timing.checkpoint_save_s, ref.saveS);
    const mode = this.scorer.nextMode();
    this.output?.poll(); // what the trainer said up to this checkpoint comes before its scoring
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
      ...(ref.saveS !== undefined ? { save_s: ref.saveS } : {}),
    };
    const summary = Object.entries(rec.scores)
      .map(([k, v]) => `${k}=${v.mean.toFixed(3)} [${v.ci_low.toFixed(3)}, ${v.ci_high.toFixed(3)}] n=${v.n}`)
      .join('  ');
    record.log(`checkpoint step ${ref.step}: ${summary}; ${outcome.requestsSent} requests in ${outcome.seconds.toFixed(1)}s; decision ${decision.action}${decision.reason ? ` (${decision.reason})` : ''}: ${decision.detail}`);
    if (decision.action === 'stop' && this.cfg.finalEval && !outcome.full && bestCheckpoint([...record.state.checkpoints, rec]) === rec) await this.scoreStopCandidate(ref, rec);
    if (record.recordCheckpoint(rec)) this.actOnStop(viaControl);
    return { action: decision.action, reason: decision.reason, detail: decision.detail };
  }

  /**
   * The final evaluation of the stop candidate, the best so far, while whatever scored it still
   * can (the trainer serving it waits at its control call): the full suite into `full_suite`.
   */
  private async scoreStopCandidate(ref: CheckpointRef, rec: CheckpointRecord): Promise<void> {
    const { record } = this;
    record.log(`checkpoint step ${ref.step}: the stop candidate is the best checkpoint; scoring it on the full suite before answering stop`);
    const scoring = this.scorer.score(ref, 'full');
    this.servingHold = scoring;
    try {
      const o = await scoring;
      rec.full_suite = { scores: recordScores(o), eval_s: o.seconds, requests_sent: o.requestsSent, ...(o.scoredBy ? { scored_by: o.scoredBy } : {}) };
      record.log(`checkpoint step ${ref.step} on the full suite: ${describeScores(o.scores)}; ${o.requestsSent} requests in ${o.seconds.toFixed(1)}s`);
    } catch (e) {
      record.log(`checkpoint step ${ref.step}: the full-suite evaluation failed: ${(e as Error).message} (the final evaluation will score it from its saved checkpoint)`);
    } finally {
      this.servingHold = null;
    }
  }
}
