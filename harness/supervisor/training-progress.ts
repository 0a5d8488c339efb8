// One progress line of a training run, from the trainer's log entries: step of max, loss, tokens/s
// (over the last log interval), and how long until the next checkpoint and the end, e.g.
//   step 120/3000 (4%)  loss 0.8123  lr 2.97e-3  6450 tok/s  checkpoint 250 in 21s  end in 7m40s
// `evalfirst finetune` prints it; the supervisor recognises it in a trainer's output (STEP_LINE),
// as it does a Hugging Face Trainer's log line (`{'loss': 0.69, 'learning_rate': 2e-05, ...}`) and a
// tqdm bar (` 40%|████      | 400/1000 [01:10<01:45,  5.70it/s]`): trainerProgress().
import { formatDuration } from '../../core/duration.js';
import type { LogEntry } from '../../model/train/checkpoint.js';

export interface ProgressPlan {
  maxSteps: number;
  checkpointEvery: number;
}

/** A line the supervisor treats as the trainer's progress (shown in place), not as a log line. */
export const STEP_LINE = /^step \d+/;

export function trainProgressLine(e: LogEntry, prev: LogEntry | null, plan: ProgressPlan): string {
  const dt = prev ? e.elapsed_s - prev.elapsed_s : e.elapsed_s;
  const dSteps = prev ? e.step - prev.step : e.step;
  const tokensPerS = dt > 0 ? (e.tokens - (prev?.tokens ?? 0)) / dt : 0;
  const secondsPerStep = dSteps > 0 && dt > 0 ? dt / dSteps : null;
  const pct = plan.maxSteps > 0 ? ` (${Math.floor((100 * e.step) / plan.maxSteps)}%)` : '';
  const parts = [`step ${e.step}/${plan.maxSteps}${pct}`, `loss ${e.loss.toFixed(4)}`, `lr ${e.learning_rate.toExponential(2)}`, `${Math.round(tokensPerS)} tok/s`];
  if (secondsPerStep !== null) {
    const next = Math.min(plan.maxSteps, (Math.floor(e.step / plan.checkpointEvery) + 1) * plan.checkpointEvery);
    if (next > e.step) parts.push(`checkpoint ${next} in ${formatDuration((next - e.step) * secondsPerStep)}`);
    parts.push(`end in ${formatDuration((plan.maxSteps - e.step) * secondsPerStep)}`);
  }
  return parts.join('  ');
}

const HF_LOG = /^\{.*'loss': ([-+\d.eE]+|'[-+\d.eE]+')/;
const TQDM_BAR = /^\s*\d{1,3}%\|.*\|\s*\d+\/\d+/;

/** A Hugging Face Trainer log dict's number, or null. */
function hfNumber(line: string, key: string): number | null {
  const m = line.match(new RegExp(`'${key}': '?([-+\\d.eE]+)'?`));
  const v = m ? Number(m[1]) : NaN;
  return Number.isFinite(v) ? v : null;
}

/**
 * The progress a line of a trainer's output carries, as shown in the terminal, or null for any other
 * line: evalfirst finetune's step line as it is, a Hugging Face Trainer log as `loss … lr … epoch …`,
 * a tqdm bar trimmed.
 */
export function trainerProgress(line: string): string | null {
  if (STEP_LINE.test(line)) return line.trim();
  if (HF_LOG.test(line)) {
    const [loss, lr, epoch, gradNorm] = ['loss', 'learning_rate', 'epoch', 'grad_norm'].map((k) => hfNumber(line, k));
    const parts = [`loss ${loss!.toFixed(4)}`];
    if (lr !== null) parts.push(`lr ${lr.toExponential(2)}`);
    if (gradNorm !== null) parts.push(`grad_norm ${gradNorm.toFixed(3)}`);
    if (epoch !== null) parts.push(`epoch ${epoch.toFixed(2)}`);
    return parts.join('  ');
  }
  if (TQDM_BAR.test(line)) return line.trim();
  return null;
}
