// What an adaptive evaluation costs in wall time, against one full pass of the same checkpoint:
// the mini suite (380 requests: 291 one-token multiple-choice answers, 89 GSM-style generations of
// up to 48 greedy tokens) through the supervisor's real path (checkpointEvaluator → evaluate() →
// prompt fitting, request cache, journal → Scorer) against a simulated model server with 30 slots:
// a one-token answer takes BASE + PER_TOKEN ms, a generation BASE + PER_TOKEN × its length, the
// lengths spread from a few tokens to the 48-token cap, plus a few very long stragglers.
//
// Compared: the full pass; the adaptive evaluation of an undecided checkpoint (the target set at
// the checkpoint's own full-suite score, so no look settles it) with the next look issued while one
// is judged (lookahead 1) and with every look issued at once (lookahead ∞, the default: scorer.ts,
// shared-requests.ts); the same with the looks taken one after another, each waiting for its slowest
// answer (the peer: how looks were run before); and the three on an early decision, where the
// lookahead costs requests that turn out not to be needed.
import Table from 'cli-table3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend, TokenizeOptions } from '../core/backend.js';
import { RequestError } from '../core/backend.js';
import type { Completion, CompletionRequest } from '../core/request.js';
import type { TrainState } from '../core/train-schema.js';
import { checkpointEvaluator } from '../harness/supervisor/checkpoint-eval.js';
import { adaptivePlan, runAdaptive } from '../harness/supervisor/adaptive.js';
import { Scorer, type EvaluateCheckpoint } from '../harness/supervisor/scorer.js';
import { parseTarget, type TargetExpr } from '../harness/supervisor/target.js';
import { loadSuite } from '../tasks/suites/suite.js';
import { Rng } from '../kernels/rng.js';

const CONCURRENCY = 30;
const BASE_MS = 60;
const PER_TOKEN_MS = 12;
const STRAGGLER_SHARE = 0.04;
const STRAGGLER_FACTOR = 4;
const N0 = 16;
const REPS = 3;

/** Word-ish token ids with a BOS, so prompt fitting has something to count. */
function tokenIds(text: string): number[] {
  const ids = [1];
  for (const m of text.matchAll(/\w+|[^\w\s]|\s+/g)) {
    let h = 7;
    for (let i = 0; i < m[0].length; i++) h = (h * 31 + m[0].charCodeAt(i)) % 30000;
    ids.push(h + 3);
  }
  return ids;
}

function hashOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** A model server with unlimited slots (the scheduler bounds them) and the latencies above. */
function simulatedModel(label: string): Backend & { sent: number } {
  const model = {
    id: `simulated:${label}`,
    maxSequenceLength: 2048,
    sent: 0,
    async complete(request: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
      const h = hashOf(request.prompt);
      const rng = new Rng(h);
      let tokens = 1;
      if (request.maxTokens > 1) tokens = Math.max(2, Math.min(request.maxTokens, Math.round(request.maxTokens * (0.2 + 0.9 * rng.uniform()))));
      let ms = BASE_MS + PER_TOKEN_MS * tokens;
      if (request.maxTokens > 1 && rng.uniform() < STRAGGLER_SHARE) ms *= STRAGGLER_FACTOR;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new RequestError('request aborted', 'simulated', true));
        });
      });
      model.sent++;
      const text = request.maxTokens === 1 ? ' ' + 'ABCD'[h % 4] : ` The answer is ${h % 10}.`;
      return { text, logprob: -1, tokens: [{ text, logprob: -1, topLogprobs: { [text]: -1 } }], requestTime: ms / 1000 };
    },
    async tokenize(text: string, options: TokenizeOptions = {}) {
      const ids = tokenIds(text);
      return options.truncation && options.maxLength !== undefined ? ids.slice(0, options.maxLength) : ids;
    },
    async decode(tokens: number[]) {
      return tokens.map((t) => `w${t}`).join(' ');
    },
  };
  return model;
}

const noTiming = (): TrainState['timing'] => ({ full_eval_s: null, seconds_per_request: null, full_request_count: null, checkpoint_save_s: 0 });

interface Measure {
  seconds: number;
  sent: number;
  looks: string;
}

async function timed(f: () => Promise<{ sent: number; looks: string }>): Promise<Measure> {
  const t0 = performance.now();
  const r = await f();
  return { seconds: (performance.now() - t0) / 1000, ...r };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ef-bench-looks-'));
  try {
    const entries = (await loadSuite('mini')).entries;
    const model = simulatedModel('mini');
    const evaluate: EvaluateCheckpoint = checkpointEvaluator({
      entries,
      suite: 'mini',
      dataDir: join(dir, 'data'),
      runDir: join(dir, 'run'),
      concurrency: CONCURRENCY,
      backendFor: async () => ({ backend: model, via: 'server' }),
    });
    let step = 0;
    const ckpt = () => ({ step: ++step, path: `/sim/checkpoint-${step}` }); // each a fresh checkpoint: nothing cached
    const book = { timing: noTiming() };
    const scorerFor = (target: TargetExpr | null, lookahead = Infinity) => new Scorer(evaluate, { target, alpha: 0.05, adaptive: true, n0: N0, lookahead }, book);
    // Warm-up, and the checkpoint's own full-suite score, which sets the undecided target.
    const warm = await scorerFor(null).score(ckpt(), 'full');
    const task = 'mini_bbq';
    const undecided = parseTarget(`${task} >= ${warm.scores[task]!.mean}`);
    const decided = parseTarget(`${task} >= 0.05`);
    const plan = adaptivePlan(warm.fullPerRun, 0.05, 1, N0);

    const sequential = async (target: TargetExpr) => {
      const c = ckpt();
      let sent = 0;
      const looks = await runAdaptive(target, plan, async (n) => {
        const r = await evaluate(c, n);
        sent += r.requestsSent;
        return r.perTask;
      });
      return { sent, looks: looks.map((l) => `${l.n}:${l.verdict}`).join(' ') };
    };
    const concurrent = async (target: TargetExpr, lookahead: number) => {
      const o = await scorerFor(target, lookahead).score(ckpt(), 'adaptive');
      return { sent: o.requestsSent, looks: o.looks.map((n, i) => `${n}${i === o.looks.length - 1 ? `:${o.verdict}` : ''}`).join(' ') };
    };
    const rows: { name: string; measure: () => Promise<{ sent: number; looks: string }>; m: Measure[] }[] = [
      { name: 'full pass', measure: async () => ({ sent: (await scorerFor(null).score(ckpt(), 'full')).requestsSent, looks: 'full' }), m: [] },
      { name: 'undecided: lookahead 1', measure: () => concurrent(undecided, 1), m: [] },
      { name: 'undecided: every look at once (default)', measure: () => concurrent(undecided, Infinity), m: [] },
      { name: 'undecided: one after another (peer)', measure: () => sequential(undecided), m: [] },
      { name: 'decided early: lookahead 1', measure: () => concurrent(decided, 1), m: [] },
      { name: 'decided early: every look at once (default)', measure: () => concurrent(decided, Infinity), m: [] },
      { name: 'decided early: one after another (peer)', measure: () => sequential(decided), m: [] },
    ];
    for (let rep = 0; rep < REPS; rep++) for (const r of rows) r.m.push(await timed(r.measure));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const full = median(rows[0]!.m.map((x) => x.seconds));
    const table = new Table({ style: { head: [], border: [] }, head: ['procedure', 'wall s (median)', '× full pass', 'requests sent', 'looks (n per run: verdict)'] });
    for (const r of rows) {
      const s = median(r.m.map((x) => x.seconds));
      table.push([r.name, s.toFixed(2), (s / full).toFixed(3), String(r.m[0]!.sent), r.m[0]!.looks]);
    }
    console.log(
      `mini suite, ${warm.requestsTotal} requests (full size ${warm.fullPerRun} per run; looks ${plan.looks.join(', ')}); ${CONCURRENCY} slots; ` +
        `one-token answer ${BASE_MS + PER_TOKEN_MS} ms, generation ${BASE_MS} + ${PER_TOKEN_MS} ms/token (up to 48), ${STRAGGLER_SHARE * 100}% of generations ${STRAGGLER_FACTOR}x longer; ` +
        `${REPS} repetitions; undecided target ${task} >= ${warm.scores[task]!.mean.toFixed(4)} (its own full-suite score)`,
    );
    console.log(table.toString());
    const ratio = (i: number) => (median(rows[i]!.m.map((x) => x.seconds)) / full).toFixed(3);
    console.log(`undecided checkpoint: ${ratio(2)}x a full pass with every look at once (goal: at most ~1.1x), ${ratio(1)}x with lookahead 1; the peer: ${ratio(3)}x`);
    console.log('An early decision leaves the later looks\' answers in the request cache: the full-suite evaluation of a checkpoint that met the target re-uses them.');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
