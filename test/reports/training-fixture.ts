// A training run directory as `evalfirst train` leaves it: train.json (its scores computed by the
// supervisor's own functions from the evaluations) and the full-suite evaluations of the baseline
// and of the best checkpoint under evals/step-N-full, with MMLU-shaped prompts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeRunDir, scoresWith } from '../harness/compare-fixtures.js';
import { loadRunDir } from '../../core/run-dir.js';
import { checkpointEvalDir, taskScoresFrom } from '../../harness/supervisor/checkpoint-eval.js';
import { withAggregate } from '../../harness/supervisor/adaptive.js';
import { scoreInterval } from '../../harness/stats/exact-intervals.js';
import { buildPrompt } from '../../tasks/adapters/adapt.js';
import { exampleBlock } from '../../tasks/adapters/example-block.js';
import { promptText } from '../../tasks/adapters/prompt.js';
import { multipleChoiceJointSpec } from '../../tasks/adapters/helm-specs.js';
import type { CheckpointRecord, TrainState } from '../../core/train-schema.js';
import type { Instance } from '../../tasks/instance.js';

export const HOSTILE_COMPLETION = '<img src=x onerror="window.__pwned=6">';
export const MMLU_SPEC = multipleChoiceJointSpec({ instructions: 'The following are multiple choice questions (with answers) about anatomy.', inputNoun: 'Question', outputNoun: 'Answer', maxTrainInstances: 2 });

const mcq = (id: string, input: string): Instance => ({ id, input, split: 'test', references: ['bone', 'muscle', 'nerve', 'skin'].map((text, i) => ({ text, correct: i === 1 })) });
const EXAMPLES = [mcq('t1', 'Which tissue contracts?'), mcq('t2', 'Which tissue carries signals, and how fast does it do so?')].map((e) => exampleBlock(MMLU_SPEC, e, true));

/** The question of instance `id` (what the report's preview must start with). */
export const question = (id: string) => `Which tissue is entry ${id} of the muscle atlas?`;
export const mmluPrompt = (id: string) => promptText(buildPrompt(MMLU_SPEC, EXAMPLES, mcq(id, question(id))));

function writeEval(dir: string, right: (task: string, i: number) => boolean, completion?: (id: string) => string): void {
  writeRunDir(dir, {
    runs: [
      // Two MMLU subjects of different sizes and a GSM run, so pooled and macro differ.
      { name: 'mmlu:subject=anatomy', groups: ['mmlu'], scores: scoresWith(8, (i) => right('anatomy', i), 'anat'), prompt: mmluPrompt, adapterSpec: { ...MMLU_SPEC }, completion },
      { name: 'mmlu:subject=virology', groups: ['mmlu'], scores: scoresWith(40, (i) => right('virology', i), 'vir'), prompt: mmluPrompt, adapterSpec: { ...MMLU_SPEC } },
      { name: 'gsm:', groups: ['gsm'], scores: scoresWith(10, (i) => right('gsm', i), 'gsm') },
    ],
  });
}

async function supervisorScores(dir: string): Promise<CheckpointRecord['scores']> {
  const { results, instances } = await loadRunDir(dir);
  const perTask = taskScoresFrom(results, instances);
  const est = withAggregate(Object.fromEntries(Object.entries(perTask).map(([t, s]) => [t, scoreInterval(s, 0.05)])), perTask, 0.05);
  return Object.fromEntries(Object.entries(est).map(([k, v]) => [k, { mean: v.mean, ci_low: v.ciLow, ci_high: v.ciHigh, n: v.n }]));
}

export interface TrainingRun {
  dir: string;
  baselineDir: string;
  bestDir: string;
  state: Partial<TrainState>;
}

/** Writes the run; `bestFull: false` leaves train.json's best without its full-suite scores (a run mid-way). */
export async function writeTrainingRun(dir: string, o: { bestFull?: boolean } = {}): Promise<TrainingRun> {
  const baselineDir = checkpointEvalDir(dir, 0, null);
  const bestDir = checkpointEvalDir(dir, 400, null);
  writeEval(baselineDir, (t, i) => (t === 'anatomy' ? i < 2 : t === 'virology' ? i < 3 : i < 1));
  writeEval(bestDir, (t, i) => (t === 'anatomy' ? i < 7 : t === 'virology' ? i < 6 : i < 2), (id) => (id === 'anat3' ? HOSTILE_COMPLETION : ' B'));
  const [baseline, best] = await Promise.all([supervisorScores(baselineDir), supervisorScores(bestDir)]);
  const sample = (m: number, n: number) => ({ mean: m, ci_low: Math.max(0, m - 0.2), ci_high: Math.min(1, m + 0.2), n });
  const checkpoints: CheckpointRecord[] = [
    { step: 200, path: join(dir, 'checkpoints/checkpoint-200'), time_s: 40, scores: { mmlu: sample(0.3, 16), gsm: sample(0.1, 10) }, decision: { action: 'continue', verdict: 'undecided', detail: 'verdict undecided' }, full_eval: false },
    { step: 400, path: join(dir, 'checkpoints/checkpoint-400'), time_s: 70, scores: { mmlu: sample(0.4, 16), gsm: sample(0.2, 10) }, decision: { action: 'stop', reason: 'max_steps', detail: 'max steps reached' }, full_eval: false },
  ];
  const state: Partial<TrainState> = {
    version: 1,
    startedAt: '2026-11-28T10:00:00Z',
    deadline_s: 600,
    target: 'mean >= 0.9',
    config: {},
    checkpoints,
    stop: { reason: 'max_steps', step: 400, time_s: 71, detail: 'max steps reached' },
    best: o.bestFull === false ? { step: 400, path: checkpoints[1].path, scores: checkpoints[1].scores, full_eval: false } : { step: 400, path: checkpoints[1].path, scores: best, full_eval: true },
    baseline: { step: 0, path: '/models/base', scores: baseline, eval_s: 12 },
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train.json'), JSON.stringify(state, null, 2));
  return { dir, baselineDir, bestDir, state };
}
