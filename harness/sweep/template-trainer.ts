// An external trainer behind the Trainer interface: a shell command built from a template, e.g.
//   "python train.py --data {data} --output_dir {out} --seed {seed} --max_steps {steps}"
// run in its own process group (the supervisor's trainer handle: output in OUT/trainer.*.log,
// SIGTERM then SIGKILL past the time limit). Placeholders, each replaced by a shell-quoted value:
//   {data} training JSONL · {out} the candidate's folder (required: it is where the adapter is looked
//   for) · {seed} · {steps} the step to train to · {max_steps} the schedule's length · {resume} the
//   checkpoint to continue from ('' when none) · {name} the candidate's name.
// The adapter is the highest OUT/checkpoint-N (N ≤ {steps}) holding adapter_config.json, or OUT itself.
// A sweep adds one placeholder per grid key ({r}, {lr}, …: the arm's value), gives each run its GPU as
// CUDA_VISIBLE_DEVICES, and may wrap the command in a launcher template ({cmd} {name} {gpu}) for an
// external scheduler: the launcher must block until the job ends, and stopping it signals its group.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { startTrainer } from '../supervisor/trainer-handle.js';
import type { TrainOutcome, TrainRequest, Trainer } from './trainer.js';

export const TEMPLATE_PLACEHOLDERS = ['data', 'out', 'seed', 'steps', 'max_steps', 'resume', 'name'] as const;
type Placeholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

export const LAUNCHER_PLACEHOLDERS = ['cmd', 'name', 'gpu'] as const;

export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{([^{}\s]*)\}/g)].map((m) => m[1]);
}

/**
 * A template must say where the trainer writes ({out}) and use only known placeholders: the
 * built-in ones and `extra` (a sweep's grid keys, each filled with the arm's value).
 */
export function checkTrainerTemplate(template: string, flag = '--trainer-template', extra: readonly string[] = []): void {
  const used = placeholdersOf(template);
  const known = [...TEMPLATE_PLACEHOLDERS, ...extra];
  const unknown = used.filter((u) => !known.includes(u));
  if (unknown.length) throw new UserError(`${flag}: unknown placeholder ${unknown.map((u) => `{${u}}`).join(', ')} (known: ${known.map((p) => `{${p}}`).join(' ')})`);
  if (!used.includes('out')) throw new UserError(`${flag}: the template has no {out}: the trainer must be told where to write its checkpoints`);
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function fillTemplate(template: string, values: Record<Placeholder, string> & Record<string, string>): string {
  return template.replace(/\{([^{}\s]*)\}/g, (_, key: string) => shellQuote(values[key]));
}

/** A launcher template ("sbatch --wait --gpus=1 --wrap {cmd}") must hold {cmd} and only {cmd} {name} {gpu}. */
export function checkLauncherTemplate(template: string): void {
  const used = placeholdersOf(template);
  const unknown = used.filter((u) => !(LAUNCHER_PLACEHOLDERS as readonly string[]).includes(u));
  if (unknown.length) throw new UserError(`--launcher: unknown placeholder ${unknown.map((u) => `{${u}}`).join(', ')} (known: {cmd} {name} {gpu})`);
  if (!used.includes('cmd')) throw new UserError('--launcher: the template has no {cmd}: it must say where the trainer command goes');
}

export interface TemplateTrainerOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Seconds between SIGTERM and SIGKILL when a trainer is stopped. */
  graceS?: number;
  /** Grid keys the template may use as {key} (filled with the arm's value). */
  paramKeys?: readonly string[];
  /** Wraps each trainer command for an external scheduler: {cmd} (the command, shell-quoted), {name}, {gpu}. */
  launcher?: string;
}

/** The adapter a trainer left in `outDir` at or before `toStep`, with its step. */
export function findAdapter(outDir: string, toStep: number): { path: string; step: number } | null {
  if (!existsSync(outDir)) return null;
  const numbered = readdirSync(outDir)
    .map((d) => ({ d, step: Number(/^checkpoint-(\d+)$/.exec(d)?.[1]) }))
    .filter((x) => Number.isInteger(x.step) && x.step <= toStep && existsSync(join(outDir, x.d, 'adapter_config.json')))
    .sort((a, b) => b.step - a.step);
  if (numbered.length) return { path: join(outDir, numbered[0].d), step: numbered[0].step };
  return existsSync(join(outDir, 'adapter_config.json')) ? { path: outDir, step: toStep } : null;
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

export function templateTrainer(template: string, opts: TemplateTrainerOptions): Trainer {
  checkTrainerTemplate(template, '--trainer-template', opts.paramKeys ?? []);
  if (opts.launcher !== undefined) checkLauncherTemplate(opts.launcher);
  return {
    description: { kind: 'template', template, cwd: opts.cwd, ...(opts.launcher !== undefined ? { launcher: opts.launcher } : {}) },
    async train(req: TrainRequest): Promise<TrainOutcome> {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      mkdirSync(req.outDir, { recursive: true });
      const params = Object.fromEntries(Object.entries(req.params ?? {}).map(([k, v]) => [k, String(v)]));
      const inner = fillTemplate(template, { ...params, data: req.data, out: req.outDir, seed: String(req.seed), steps: String(req.toStep), max_steps: String(req.maxSteps), resume: req.resumeFrom ?? '', name: req.name });
      const command = opts.launcher === undefined ? inner : fillTemplate(opts.launcher, { cmd: inner, name: req.name, gpu: req.gpu ?? '' } as never);
      const env = { ...(opts.env ?? process.env), ...(req.gpu !== undefined ? { CUDA_VISIBLE_DEVICES: req.gpu } : {}) };
      const trainer = startTrainer(command, { cwd: opts.cwd, env, logDir: req.outDir });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = req.maxSeconds === undefined ? null : new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), req.maxSeconds! * 1000)));
      const first = await Promise.race([trainer.exited, ...(timedOut ? [timedOut] : [])]);
      clearTimeout(timer);
      const exit = first === 'timeout' ? await trainer.stop(opts.graceS ?? 30) : first;
      const found = findAdapter(req.outDir, req.toStep);
      if (first === 'timeout') return { ok: false, step: found?.step ?? 0, error: `out of time after ${req.maxSeconds}s (stopped${exit.killed ? ', killed' : ''})`, seconds: seconds() };
      if (exit.code !== 0) {
        const why = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
        const err = tail(join(req.outDir, 'trainer.stderr.log'), 5);
        return { ok: false, step: found?.step ?? 0, error: `trainer ${why}${err ? `: ${err}` : ''}`, seconds: seconds() };
      }
      if (!found) return { ok: false, step: 0, error: `trainer exited 0 but left no adapter (adapter_config.json) in ${req.outDir} or its checkpoint-N folders`, seconds: seconds() };
      if (found.step < req.toStep) return { ok: false, step: found.step, error: `trainer exited 0 at step ${found.step}, not ${req.toStep} (last checkpoint ${found.path})`, seconds: seconds() };
      return { ok: true, step: found.step, checkpoint: found.path, seconds: seconds() };
    },
  };
}
