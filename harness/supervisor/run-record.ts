// The run record: train.json's state (files: state.ts) and the decisions log, held for one
// training run. It owns the run's clock (seconds since train.json's startedAt, which --resume
// keeps) and writes each change at the moment the supervisor has always written it. It also keeps
// the control endpoint's address (train.json) and token (control.token, readable by the owner
// only), so a resumed supervisor listens where a surviving trainer keeps reporting.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { escapeControl } from '../../core/safe-text.js';
import type { CheckpointRecord, Decision, StopReason, TrainState } from '../../core/train-schema.js';
import type { ControlAddress } from './control-server.js';
import type { CheckpointRef } from './scorer.js';
import { loadState, logDecision, newState, saveState } from './state.js';
import { formatDuration } from '../../core/duration.js';

export interface RunRecordConfig {
  runDir: string;
  /** Continue the train.json in runDir instead of starting a new one. */
  resume: boolean;
  /** For a new record: the deadline, the target as text, and the configuration to record. */
  deadlineS: number;
  target: string | null;
  config: Record<string, unknown>;
}

export class RunRecord {
  private readonly startMs: number;

  private constructor(
    readonly runDir: string,
    readonly state: TrainState,
    private readonly say: (line: string) => void,
  ) {
    this.startMs = Date.parse(state.startedAt);
  }

  /** Creates the run directory and train.json, or loads it to resume. */
  static open(cfg: RunRecordConfig, say: (line: string) => void): RunRecord {
    mkdirSync(cfg.runDir, { recursive: true });
    const state = cfg.resume ? loadState(cfg.runDir) : newState(cfg.deadlineS, cfg.target, cfg.config);
    const record = new RunRecord(cfg.runDir, state, say);
    if (cfg.resume && state.deadline_s !== cfg.deadlineS) {
      record.log(`resume: deadline ${formatDuration(cfg.deadlineS)} from the start (train.json had ${formatDuration(state.deadline_s)})`);
      state.deadline_s = cfg.deadlineS;
    }
    if (cfg.resume) state.config = { ...state.config, ...cfg.config };
    record.save();
    return record;
  }

  private get tokenPath(): string {
    return join(this.runDir, 'control.token');
  }

  /** The control address and token recorded by an earlier supervisor of this run, or null. */
  controlAddress(): ControlAddress | null {
    const c = this.state.control;
    if (!c || !existsSync(this.tokenPath)) return null;
    const token = readFileSync(this.tokenPath, 'utf8').trim();
    return token ? { port: c.port, token } : null;
  }

  /** Records where the control endpoint listens (the token beside train.json, mode 0600). */
  recordControl(url: string, port: number, token: string): void {
    writeFileAtomic(this.tokenPath, `${token}\n`, 0o600);
    this.state.control = { url, port };
    this.save();
  }

  /** Seconds since the run started. */
  nowS(): number {
    return (Date.now() - this.startMs) / 1000;
  }

  /** One line to decisions.log and to the user; control characters (from paths, messages) are shown escaped. */
  log(line: string): void {
    const safe = escapeControl(line);
    logDecision(this.runDir, safe);
    this.say(safe);
  }

  save(): void {
    saveState(this.runDir, this.state);
  }

  /** The stop decided so far (restored on --resume), as a decision. */
  stopDecision(): Decision | null {
    const s = this.state.stop;
    return s ? { action: 'stop', reason: s.reason, detail: s.detail } : null;
  }

  hasCheckpoint(ref: CheckpointRef): boolean {
    return this.state.checkpoints.some((c) => c.path === ref.path && c.step === ref.step);
  }

  /** Records the first stop decision (saved and logged); false when one was recorded already. */
  recordStop(d: Decision, step: number | null): boolean {
    if (!this.setStop(d, step)) return false;
    this.save();
    return true;
  }

  private setStop(d: Decision, step: number | null): boolean {
    if (this.state.stop) return false;
    const timeS = this.nowS();
    this.state.stop = { reason: d.reason as StopReason, step, time_s: timeS, detail: d.detail };
    this.log(`STOP ${d.reason} at ${timeS.toFixed(1)}s${step !== null ? ` (step ${step})` : ''}: ${d.detail}`);
    return true;
  }

  /**
   * Records a scored checkpoint, and with it (in the same write of train.json) the stop it decided,
   * so a supervisor killed in between cannot leave a stop checkpoint without the stop. Whether this
   * is the run's first stop.
   */
  recordCheckpoint(rec: CheckpointRecord): boolean {
    this.state.checkpoints.push(rec);
    const stopped = rec.decision.action === 'stop' && this.setStop(rec.decision, rec.step);
    this.save();
    return stopped;
  }

  recordBaseline(baseline: NonNullable<TrainState['baseline']>): void {
    this.state.baseline = baseline;
    this.save();
  }

  recordTrainer(trainer: NonNullable<TrainState['trainer']>): void {
    this.state.trainer = trainer;
    this.save();
  }

  recordBest(best: TrainState['best']): void {
    this.state.best = best;
    this.save();
  }
}
