// `evalfirst train`: wrap a training loop. Every checkpoint is scored as soon as it exists and
// training stops on the score target (decided on confidence bounds), a plateau, max steps, or the
// deadline minus the reserve for the final evaluation. Every field of --config is also a flag.
// --resume restores every option from train.json; a flag given with it wins and is said so.
import { Command, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveDataDir } from '../../core/paths.js';
import { UserError } from '../../core/errors.js';
import { parseNumber } from '../../core/number-flag.js';
import { parseDuration, formatDuration } from '../../core/duration.js';
import { checkTargetTasks, parseTarget } from '../supervisor/target.js';
import { supervise, type Evaluators, type SupervisorConfig } from '../supervisor/supervisor.js';
import { checkpointEvalDir, checkpointEvaluator, scoredTasks, type CheckpointEvalOptions } from '../supervisor/checkpoint-eval.js';
import { embeddedScoring, openaiLoraScoring, savedScoring, servedScoring, type FinalEvalWith, type ScoringBackendFor } from '../supervisor/scoring-backends.js';
import { defaultPython } from '../supervisor/scoring-server-process.js';
import { loadState, logDecision } from '../supervisor/state.js';
import { parseProtocol, parseServerList } from '../../model/backends/factory.js';
import { writeReport } from '../../reports/html/write-report.js';
import { defaultRunDir } from '../../core/run-dir.js';
import { loadSuite } from '../../tasks/suites/suite.js';
import { trainConsole, type TrainConsole } from '../../reports/train-console.js';

export interface TrainOptions {
  config?: string;
  trainer?: string;
  trainerCwd?: string;
  watch?: string;
  out?: string;
  suite?: string;
  entries?: string[];
  dataDir?: string;
  target?: string;
  alpha?: string | number;
  adaptive?: boolean;
  n0?: string | number;
  patience?: string | number;
  minDelta?: string | number;
  deadline?: string;
  grace?: string;
  maxSteps?: string | number;
  margin?: string | number;
  marginFloor?: string;
  scoreWith?: 'embedded' | 'server' | 'openai-lora';
  base?: string;
  quant?: 'nf4' | 'none';
  server?: string;
  protocol?: string;
  tokenizer?: string;
  concurrency?: string | number;
  finalEval?: boolean;
  finalEvalWith?: FinalEvalWith;
  python?: string;
  scoringServerCmd?: string;
  scoringMode?: 'pause' | 'async';
  report?: boolean;
  /** false: no trainer progress or eval bar on stderr (supervisor lines still print). */
  progress?: boolean;
  resume?: string;
  baseline?: string;
  /** Directories (besides the run, watch and trainer directories) where reported checkpoints may lie. */
  checkpointRoot?: string[];
}

const num = (v: string | number | undefined, name: string, def: number): number => (v === undefined ? def : parseNumber(`--${name}`, v));

/** Flags override the config file; the config file overrides defaults. */
export function mergeTrainOptions(flags: TrainOptions): TrainOptions {
  if (!flags.config) return flags;
  let file: TrainOptions;
  try {
    file = JSON.parse(readFileSync(flags.config, 'utf8')) as TrainOptions;
  } catch (e) {
    throw new UserError(`--config ${flags.config}: ${(e as Error).message}`);
  }
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  return { ...file, ...defined };
}

type ScoreWith = NonNullable<TrainOptions['scoreWith']>;

function scoreWithOf(o: TrainOptions): ScoreWith {
  return o.scoreWith ?? (o.base ? 'embedded' : 'server');
}

function scoringBackend(o: TrainOptions): ScoringBackendFor {
  const kind = scoreWithOf(o);
  if (kind === 'embedded') {
    if (!o.base) throw new UserError('--score-with embedded needs --base DIR (the base model the adapters apply to)');
    return embeddedScoring({ base: o.base, quant: o.quant ?? 'none' });
  }
  if (kind === 'openai-lora') {
    if (!o.server) throw new UserError('--score-with openai-lora needs --server URL (a vLLM server started with --enable-lora)');
    return openaiLoraScoring({ urls: parseServerList(o.server), tokenizerPath: o.tokenizer });
  }
  return servedScoring({ protocol: parseProtocol(o.protocol ?? 'neurips'), urls: o.server ? parseServerList(o.server) : null, tokenizerPath: o.tokenizer });
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The options of a resumed run: train.json's, with `given` (flags and --config: only what the user
 * set) on top; each given option that changes a recorded one is said.
 */
export function resumedOptions(saved: TrainOptions, given: TrainOptions, runDir: string, say: (l: string) => void): TrainOptions {
  const defined = Object.fromEntries(Object.entries(given).filter(([k, v]) => v !== undefined && k !== 'resume' && k !== 'config')) as TrainOptions;
  for (const [k, v] of Object.entries(defined)) {
    const before = (saved as Record<string, unknown>)[k];
    if (JSON.stringify(before) !== JSON.stringify(v)) say(`resume: --${kebab(k)} ${JSON.stringify(v)} given, in place of ${before === undefined ? 'the default' : `${JSON.stringify(before)} from train.json`}`);
  }
  return { ...saved, ...defined, out: runDir };
}

/** pause on one GPU (the trainer serves while it waits); async by default for a vLLM fleet. */
export function scoringModeOf(o: TrainOptions): 'pause' | 'async' {
  const kind = scoreWithOf(o);
  const mode = o.scoringMode ?? (kind === 'openai-lora' ? 'async' : 'pause');
  if (mode === 'async' && kind === 'server') {
    throw new UserError("--scoring-mode async scores beside training, but --score-with server scores at the trainer's serving_url, which exists only while the trainer waits; use --score-with openai-lora (vLLM) or embedded, or --scoring-mode pause");
  }
  return mode;
}

/**
 * How saved checkpoints nothing serves any more are scored (an earlier best at the end, the
 * baseline): embedded and openai-lora scoring score them as they score any checkpoint; `server`
 * scoring (the trainer's serving_url) starts a scoring server on the saved checkpoint, or uses the
 * embedded runtime (--final-eval-with; auto: see savedScoring), both over --base; with a fixed
 * --server and no --base, that server scores them as it scores checkpoints without a serving_url.
 */
function savedEvaluator(o: TrainOptions, needed: boolean, evalOptions: Omit<CheckpointEvalOptions, 'backendFor'>, log: (line: string) => void): Evaluators['saved'] {
  const kind = scoreWithOf(o);
  const mode = o.finalEvalWith ?? 'auto';
  if (!needed || (mode === 'auto' && kind !== 'server')) return undefined;
  // A fixed --server and no --base: the server is taken to serve what it is asked for, as for any checkpoint without a serving_url.
  if (mode === 'auto' && o.server && !o.base) return undefined;
  if (!o.base) {
    const why = kind === 'server' ? "--score-with server scores each checkpoint where it is served; the best one, when it is an earlier checkpoint, and --baseline are scored from their saved checkpoint" : `--final-eval-with ${mode} scores the final evaluation from the saved checkpoint`;
    throw new UserError(`${why}, which needs --base DIR (the base model its adapter applies to); or pass --no-final-eval`);
  }
  const saved = savedScoring({ with: mode, base: o.base, quant: o.quant ?? 'none', python: o.python ?? defaultPython(), command: o.scoringServerCmd, runDir: evalOptions.runDir, log });
  return { evaluate: checkpointEvaluator({ ...evalOptions, backendFor: saved.backendFor }), release: saved.release };
}

/**
 * Runs `evalfirst train`; its exit code. Supervisor lines go to `say` (default: stdout, above the
 * trainer's progress line and the eval bar, which reports/train-console.ts draws on stderr).
 */
export async function runTrain(flags: TrainOptions, say?: (l: string) => void): Promise<number> {
  let ui: TrainConsole | null = null;
  try {
    return await supervisedRun(flags, say ?? ((l) => (ui ? ui.say(l) : console.log(l))), (c) => (ui = c));
  } finally {
    (ui as TrainConsole | null)?.done();
  }
}

async function supervisedRun(flags: TrainOptions, say: (l: string) => void, shown: (ui: TrainConsole) => void): Promise<number> {
  let o = mergeTrainOptions(flags);
  let resume = false;
  let startedAtMs = Date.now();
  if (o.resume) {
    const before = loadState(o.resume);
    const saved = ((before.config as { options?: TrainOptions }).options ?? {}) as TrainOptions;
    o = resumedOptions(saved, o, o.resume, say);
    resume = true;
    startedAtMs = Date.parse(before.startedAt);
  }
  const entries = o.entries ?? [];
  if (!o.suite && entries.length === 0) throw new UserError('give the evaluation: --suite NAME|FILE or run entries');
  if (!o.trainer && !o.watch) throw new UserError('give a trainer (--trainer "CMD") or a directory to watch (--watch DIR), or both');
  let suiteEntries = entries;
  if (o.suite) {
    suiteEntries = [...(await loadSuite(o.suite)).entries, ...entries];
  }
  const dataDir = resolveDataDir(o.dataDir);
  const target = o.target ? parseTarget(o.target) : null;
  // A task the evaluation never scores would leave the target undecided at every checkpoint.
  if (target) checkTargetTasks(target, await scoredTasks(suiteEntries, dataDir), o.suite ? `suite ${o.suite}${entries.length ? ' with the given entries' : ''}` : 'the given entries');
  const runDir = resolve(o.out ?? defaultRunDir(new Date(), 'runs', 'train'));
  const deadlineS = parseDuration(o.deadline ?? '24h');
  // The trainer's progress and the eval bar (stderr), unless --no-progress.
  const ui = o.progress === false ? null : trainConsole({ deadlineAtMs: startedAtMs + deadlineS * 1000 });
  if (ui) shown(ui);
  const cfg: SupervisorConfig = {
    runDir,
    trainerCommand: o.trainer ?? null,
    trainerCwd: resolve(o.trainerCwd ?? process.cwd()),
    watchDir: o.watch ? resolve(o.watch) : null,
    watchIntervalMs: 1000,
    checkpointRoots: (o.checkpointRoot ?? []).map((d) => resolve(d)),
    target,
    alpha: num(o.alpha, 'alpha', 0.05),
    adaptive: o.adaptive !== false,
    n0: num(o.n0, 'n0', 16),
    patience: o.patience === undefined ? null : num(o.patience, 'patience', 0),
    minDelta: num(o.minDelta, 'min-delta', 0),
    deadlineS,
    graceS: parseDuration(o.grace ?? '30s'),
    maxSteps: o.maxSteps === undefined ? null : num(o.maxSteps, 'max-steps', 0),
    marginFraction: num(o.margin, 'margin', 0.1),
    marginFloorS: parseDuration(o.marginFloor ?? '5s'),
    finalEval: o.finalEval !== false,
    resume,
    baseline: o.baseline ? { step: 0, path: resolve(o.baseline) } : undefined,
    record: { options: { ...o, out: runDir } },
    scoringMode: scoringModeOf(o),
    onTrainerLine: ui ? (line, stream) => ui.trainerLine(line, stream) : undefined,
  };
  const evalOptions = {
    entries: suiteEntries,
    suite: o.suite,
    dataDir,
    runDir,
    concurrency: num(o.concurrency, 'concurrency', 30),
    progress: ui?.scoring,
    onResults: o.report === false ? undefined : async () => writeTrainReport(runDir),
  };
  const log = (line: string) => {
    logDecision(runDir, line);
    say(line);
  };
  const evaluators: Evaluators = {
    checkpoint: checkpointEvaluator({ ...evalOptions, backendFor: scoringBackend(o) }),
    saved: savedEvaluator(o, cfg.finalEval || cfg.baseline !== undefined, evalOptions, log),
  };
  say(`evalfirst train: run dir ${runDir}; deadline ${formatDuration(deadlineS)}${o.target ? `; target ${o.target}` : ''}; scoring ${cfg.scoringMode}`);
  const { state, exitCode } = await supervise(cfg, evaluators, say);
  if (o.report !== false) await writeTrainReport(runDir);
  say(`stopped: ${state.stop?.reason ?? 'n/a'}; best: ${state.best ? `step ${state.best.step} (${state.best.path})` : 'none'}; train.json in ${runDir}`);
  return exitCode;
}

/**
 * Rewrites report.html: the training view from train.json, plus the full-suite evaluations of the
 * baseline (step 0) and of the best checkpoint, whose instances the report's browser lists.
 */
async function writeTrainReport(runDir: string): Promise<void> {
  try {
    if (!existsSync(join(runDir, 'train.json'))) return;
    // The report finds the baseline's and best checkpoint's full evaluations from train.json itself.
    await writeReport([runDir], join(runDir, 'report.html'));
  } catch (e) {
    console.error(`report: ${(e as Error).message}`);
  }
}

export function command(): Command {
  return new Command('train')
    .description('wrap a training loop: score every checkpoint, stop on a score target, plateau, max steps or the deadline')
    .argument('[entries...]', 'HELM run entries to score each checkpoint on (in addition to --suite)')
    .option('--config <file>', 'run.json with any of the options below (flags win)')
    .option('--trainer <command>', 'external trainer command, run in its own process group with EVALFIRST_CONTROL_URL/TOKEN set (and EVALFIRST_RESUME=1 when --resume starts it again)')
    .option('--trainer-cwd <dir>', 'working directory of the trainer')
    .option('--watch <dir>', "watch this directory for new checkpoint directories (trainers that don't call the control endpoint)")
    .option('--out <dir>', 'run directory (train.json, decisions.log, evals/, report.html)')
    .option('--suite <name|file>', 'suite to score checkpoints on')
    .option('--data-dir <dir>', 'benchmark data directory (default $EVALFIRST_DATA or the user cache)')
    .option('--target <expr>', 'stop when met on the lower confidence bound, e.g. "mmlu >= 0.62 && gsm8k >= 0.35" (task `pooled` = all instances of all tasks in one sample; `mean` is an alias)')
    .option('--alpha <p>', 'error probability of a target decision per checkpoint (default 0.05)')
    .option('--no-adaptive', 'score every checkpoint on the full suite instead of a growing sample')
    .option('--n0 <n>', 'first adaptive look: instances per run entry (default 16)')
    .option('--patience <n>', 'stop after n checkpoints without improvement (plateau)')
    .option('--min-delta <x>', 'improvement that resets patience (default 0)')
    .option('--deadline <duration>', 'wall-clock budget from the start, e.g. 24h, 90s (default 24h)')
    .option('--grace <duration>', 'SIGTERM → SIGKILL grace period (default 30s)')
    .option('--max-steps <n>', 'stop at this training step')
    .option('--margin <fraction>', 'safety margin added to the reserve, as a fraction of it (default 0.1)')
    .option('--margin-floor <duration>', 'minimum safety margin (default 5s)')
    .addOption(new Option('--score-with <kind>', 'where checkpoints are scored').choices(['embedded', 'server', 'openai-lora']))
    .option('--base <dir>', 'base model the adapters apply to: embedded scoring loads it once; with --score-with server, the final evaluation of an earlier best checkpoint loads it')
    .addOption(new Option('--quant <kind>', 'quantize the base on load').choices(['nf4', 'none']))
    .option('--server <url[,url...]>', 'scoring server when the trainer reports no serving_url')
    .option('--protocol <p>', 'neurips (challenge protocol) or openai', 'neurips')
    .option('--tokenizer <file>', 'tokenizer.json for servers without /tokenize')
    .option('--concurrency <n>', 'requests in flight while scoring (default 30)')
    .option('--no-final-eval', 'skip the full-suite evaluation of the best checkpoint')
    .addOption(
      new Option('--final-eval-with <kind>', 'what scores a saved checkpoint nothing serves any more (an earlier best, --baseline): server = integrations/scoring_server.py on --base + the adapter, embedded = the embedded runtime; auto (default): the checkpoint scorer for embedded and openai-lora, else server when --python imports torch, transformers and peft, else embedded for a base of at most 1 GiB').choices(['auto', 'server', 'embedded']),
    )
    .option('--python <exe>', 'interpreter for integrations/scoring_server.py (default $EVALFIRST_PYTHON or python3)')
    .option('--scoring-server-cmd <command>', 'command that starts a scoring server instead of `PYTHON integrations/scoring_server.py` (gets --base DIR [--adapter DIR] --host 127.0.0.1 --port 0 appended), e.g. "python3 integrations/scoring_server.py --device cpu --dtype float32"')
    .addOption(new Option('--scoring-mode <mode>', 'pause: the trainer waits at each checkpoint while it is scored (one GPU); async: scoring beside training, stale checkpoints skipped, a stop applies at the next save (default for openai-lora)').choices(['pause', 'async']))
    .option('--no-report', 'do not write report.html')
    .option('--no-progress', "no trainer progress line or eval bar on stderr (the trainer's output is in trainer.stdout.log / trainer.stderr.log either way)")
    .option('--baseline <dir>', 'score this model (e.g. the base, or an adapter) on the full suite before training, as step 0')
    .option('--checkpoint-root <dir>', 'a directory reported checkpoints may lie in, besides the run dir, the --watch dir and the trainer\'s working directory (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--resume <run_dir>', 'continue a supervisor that was killed, without re-scoring finished checkpoints: options come from its train.json (flags given win), a trainer still running is adopted, one that is gone is started again')
    .action(async function (this: Command, entries: string[], opts: TrainOptions) {
      process.exitCode = await runTrain({ ...givenOptions(this, opts), entries: entries.length ? entries : undefined });
    });
}

/** The options the user set (command line or environment), without commander's defaults: --resume must not take those over train.json's. */
function givenOptions(cmd: Command, opts: TrainOptions): TrainOptions {
  return Object.fromEntries(Object.entries(opts).filter(([k]) => cmd.getOptionValueSource(k) !== 'default' && cmd.getOptionValueSource(k) !== undefined)) as TrainOptions;
}
