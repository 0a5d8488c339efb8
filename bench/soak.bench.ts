// A bounded soak of the supervisor (issue 14): one `npm start`-sized run (the shipped tiny base,
// QLoRA on the mini-challenge, the mini suite scored by the embedded runtime, target
// mini_bbq >= 0.7; the same recipe and flags as harness/commands/start.ts) whose supervisor is
// killed with SIGKILL 20 times at random moments (seeded) and resumed with `train --resume` each
// time, beside the same run left alone. It counts checkpoints lost (written by the trainer but
// never scored, or rewritten after being scored), steps trained twice, trainer restarts and
// adoptions, and compares the end with the run left alone: best checkpoint, stop, final scores,
// the best adapter's bytes. Target: 0 lost, steps retrained <= one checkpoint interval per kill.
//   npm run bench soak          (EVALFIRST_SOAK_KILLS, EVALFIRST_SOAK_SEED to vary it)
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TINY_BASE_PATH } from '../model/assets/shipped.js';
import { MINI_FINETUNE_RECIPE } from '../model/train/finetune.js';
import { writeMiniData } from '../tasks/mini/write-data.js';
import { uniforms } from '../kernels/rng.js';
import type { TrainState } from '../core/train-schema.js';

const CLI = fileURLToPath(new URL('../harness/cli.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function cli(args: string[], logFile: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  child.once('close', () => appendFileSync(logFile, out));
  return child;
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));

function readState(runDir: string): TrainState | null {
  try {
    return JSON.parse(readFileSync(join(runDir, 'train.json'), 'utf8')) as TrainState;
  } catch {
    return null;
  }
}

/** `train` with the options `evalfirst start` passes (harness/commands/start.ts). */
function trainArgs(runDir: string, data: string): string[] {
  const r = MINI_FINETUNE_RECIPE;
  const trainer = [process.execPath, '--import', 'tsx', CLI, 'finetune', '--base', TINY_BASE_PATH, '--data', data, '--out', join(runDir, 'checkpoints'), '--quant', r.quant,
    '--lr', String(r.lr), '--batch-size', String(r.batchSize), '--lora-r', String(r.loraR), '--lora-alpha', String(r.loraAlpha), '--lora-dropout', String(r.loraDropout),
    '--max-steps', String(r.maxSteps), '--checkpoint-every', String(r.checkpointEvery), '--seed', '0'].map(q).join(' ');
  return ['train', '--trainer', trainer, '--out', runDir, '--suite', 'mini', '--target', 'mini_bbq >= 0.7', '--deadline', '6m', '--grace', '10s', '--margin-floor', '10s',
    '--score-with', 'embedded', '--base', TINY_BASE_PATH, '--quant', 'nf4', '--baseline', TINY_BASE_PATH, '--concurrency', '1'];
}

/** Every `step N` the trainer logged (every 10 steps), per trainer process (a new one after each "resume:" line or start). */
function trainerSegments(runDir: string): { resumedFrom: number; steps: number[] }[] {
  const log = existsSync(join(runDir, 'trainer.stdout.log')) ? readFileSync(join(runDir, 'trainer.stdout.log'), 'utf8') : '';
  const segments: { resumedFrom: number; steps: number[] }[] = [{ resumedFrom: 0, steps: [] }];
  for (const line of log.split('\n')) {
    const resumed = /^resume: continuing from .*checkpoint-(\d+)$/.exec(line);
    if (resumed) segments.push({ resumedFrom: Number(resumed[1]), steps: [] });
    else if (/^resume: no complete checkpoint/.test(line)) segments.push({ resumedFrom: 0, steps: [] });
    const step = /^step (\d+)\/\d+ .* {2}loss/.exec(line);
    if (step) segments[segments.length - 1]!.steps.push(Number(step[1]));
  }
  return segments;
}

interface Outcome {
  state: TrainState;
  adapter: Buffer | null;
  wallS: number;
}

function outcomeOf(runDir: string, wallS: number): Outcome {
  const state = readState(runDir) as TrainState;
  const best = state.best ? join(state.best.path, 'adapter_model.safetensors') : null;
  return { state, adapter: best && existsSync(best) ? readFileSync(best) : null, wallS };
}

const summary = (s: TrainState) => ({
  checkpoints: s.checkpoints.map((c) => `${c.step}:${c.decision.action}${c.decision.reason ? `/${c.decision.reason}` : ''}`).join(' '),
  stop: `${s.stop?.reason} at step ${s.stop?.step}`,
  best: s.best ? `step ${s.best.step} ${Object.entries(s.best.scores ?? {}).map(([k, v]) => `${k}=${v.mean.toFixed(3)}`).join(' ')}` : 'none',
});

export async function run(): Promise<void> {
  const kills = Number(process.env.EVALFIRST_SOAK_KILLS ?? 20);
  const seed = Number(process.env.EVALFIRST_SOAK_SEED ?? 14);
  const root = mkdtempSync(join(tmpdir(), 'evalfirst-soak-'));
  const files = await writeMiniData(join(root, 'data'));
  const data = files.find((f) => f.endsWith('train.jsonl')) as string;
  console.log(`soak: ${kills} supervisor kills (seed ${seed}) over one npm start-sized run; work in ${root}`);

  // The run left alone.
  const aloneDir = join(root, 'alone');
  let t0 = performance.now();
  const alone = cli(trainArgs(aloneDir, data), join(root, 'alone.log'));
  const aloneCode = await exited(alone);
  const reference = outcomeOf(aloneDir, (performance.now() - t0) / 1000);
  console.log(`alone:  exit ${aloneCode} in ${reference.wallS.toFixed(1)} s; ${JSON.stringify(summary(reference.state))}`);

  // The same run, killed and resumed.
  const dir = join(root, 'killed');
  const ckptDir = join(dir, 'checkpoints');
  const rand = uniforms(seed);
  const firstSeen = new Map<string, string>(); // checkpoint -> adapter ino:mtime when first seen
  const watch = setInterval(() => {
    if (!existsSync(ckptDir)) return;
    for (const n of readdirSync(ckptDir)) {
      const f = join(ckptDir, n, 'adapter_model.safetensors');
      if (!n.startsWith('checkpoint-') || firstSeen.has(n) || !existsSync(f)) continue;
      const st = statSync(f);
      firstSeen.set(n, `${st.ino}:${st.mtimeMs}`);
    }
  }, 50);
  t0 = performance.now();
  const when: string[] = [];
  const decisionLines = () => (existsSync(join(dir, 'decisions.log')) ? readFileSync(join(dir, 'decisions.log'), 'utf8').trim().split('\n') : []);
  let linesAtSpawn = 0;
  let child = cli(trainArgs(dir, data), join(root, 'killed.log'));
  // the first kill only once train.json exists: before it there is no run to resume
  while (readState(dir) === null) await sleep(20);
  let finishedEarly = 0;
  for (let k = 0; k < kills; k++) {
    // a supervisor takes about 2 s to start (tsx, the embedded base): some die starting, most later
    const delay = 1500 + rand() * 4500;
    const done = await Promise.race([sleep(delay).then(() => false), exited(child).then(() => true)]);
    if (done) {
      finishedEarly++;
      break;
    }
    const s = readState(dir);
    const lines = decisionLines();
    const doing = lines.length > linesAtSpawn ? `after "${(lines.at(-1) ?? '').replace(/^\S+ /, '').slice(0, 60)}"` : 'starting up (nothing logged yet)';
    when.push(`${(delay / 1000).toFixed(2)} s after it started, ${s?.checkpoints.length ?? 0} checkpoint(s) scored, ${doing}`);
    child.kill('SIGKILL');
    await exited(child);
    await sleep(rand() * 500);
    linesAtSpawn = decisionLines().length;
    child = cli(['train', '--resume', dir], join(root, 'killed.log'));
  }
  const code = await exited(child);
  clearInterval(watch);
  const killed = outcomeOf(dir, (performance.now() - t0) / 1000);

  // What was lost or done twice.
  const state = killed.state;
  const scored = new Set(state.checkpoints.map((c) => c.path));
  const written = readdirSync(ckptDir).filter((n) => n.startsWith('checkpoint-'));
  const stopStep = state.stop?.step ?? Number.POSITIVE_INFINITY;
  const unscored = written.filter((n) => !scored.has(join(ckptDir, n)) && Number(n.slice(11)) <= stopStep);
  const rewritten = [...firstSeen].filter(([n, id]) => {
    const st = statSync(join(ckptDir, n, 'adapter_model.safetensors'));
    return `${st.ino}:${st.mtimeMs}` !== id;
  }).map(([n]) => n);
  const segments = trainerSegments(dir);
  let retrained = 0;
  for (let i = 1; i < segments.length; i++) {
    const before = Math.max(0, ...segments.slice(0, i).flatMap((s) => s.steps));
    retrained += Math.max(0, before - segments[i]!.resumedFrom);
  }
  const decisions = readFileSync(join(dir, 'decisions.log'), 'utf8');
  const adoptions = (decisions.match(/adopting it/g) ?? []).length;
  const starts = (decisions.match(/trainer started/g) ?? []).length;
  const scoredTwice = state.checkpoints.length - new Set(state.checkpoints.map((c) => c.step)).size;
  const interval = MINI_FINETUNE_RECIPE.checkpointEvery;
  const done = kills - finishedEarly;

  console.log(`killed: exit ${code} in ${killed.wallS.toFixed(1)} s; ${JSON.stringify(summary(state))}`);
  for (const [i, w] of when.entries()) console.log(`  kill ${String(i + 1).padStart(2)}: ${w}`);
  console.log(`kills: ${done}${finishedEarly ? ` (the run ended before the last ${kills - done})` : ''}; the trainer was started ${starts} time(s) and adopted by a resumed supervisor ${adoptions} times`);
  console.log(`checkpoints written ${written.length}, scored ${state.checkpoints.length} (${scoredTwice} twice); lost: ${unscored.length} never scored${unscored.length ? ` (${unscored.join(', ')})` : ''}, ${rewritten.length} rewritten${rewritten.length ? ` (${rewritten.join(', ')})` : ''}`);
  console.log(`steps retrained: ${retrained} (logged every 10 steps; budget ${interval} per kill = ${interval * done})`);
  const same = JSON.stringify(summary(state)) === JSON.stringify(summary(reference.state));
  const sameAdapter = killed.adapter !== null && reference.adapter !== null && killed.adapter.equals(reference.adapter);
  console.log(`same end as the run left alone: ${same ? 'yes' : 'NO'} (best, stop, decisions, final scores); best adapter bit-identical: ${sameAdapter ? 'yes' : 'NO'}`);
  const ok = unscored.length === 0 && rewritten.length === 0 && retrained <= interval * done && same && sameAdapter && code === aloneCode;
  console.log(`soak: ${ok ? 'PASS' : 'FAIL'} (target: 0 checkpoints lost, steps retrained <= one checkpoint interval per kill, the same result)`);
  if (!ok) process.exitCode = 1;
}
