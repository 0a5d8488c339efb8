// The metric registry and HELM's per-request scoring (basic_metrics.py compute_reference_metrics and
// summarization_metrics.py SummarizationMetric), for the metric names a run spec lists.
import type { RequestState, RunSpec } from '../run-spec.js';
import type { Completion } from '../../core/request.js';
import type { MetricFn } from './metric.js';
import { UserError } from '../../core/errors.js';
import { pyStrip } from '../text/python-str.js';
import {
  type ScoreFn,
  exactMatch,
  exactMatchIndicator,
  f1Score,
  prefixExactMatch,
  quasiExactMatch,
  quasiPrefixExactMatch,
} from './reference-metrics.js';
import { rouge1, rouge2, rougeL } from './rouge.js';
import { isEquiv, mathEquivChainOfThought } from './math-equiv.js';

/** Scores a request from all its completions (HELM keeps every completion of a request). */
type CompletionsMetric = (state: RequestState, completions: Completion[]) => number;

/**
 * HELM's reference metric: predictions are the completions sorted by descending logprob, stripped,
 * mapped through the MCQ output mapping (letter → reference text; anything else → null); the score
 * is the max over gold references of score(gold, best prediction).
 */
export function referenceMetric(score: ScoreFn): CompletionsMetric {
  return (state, completions) => {
    const golds = state.instance.references.filter((r) => r.correct);
    if (golds.length === 0) throw new Error(`instance ${state.instance.id} of ${state.runName} has no correct reference`);
    if (completions.length === 0) throw new Error(`request ${state.index} of ${state.runName} has no completion`);
    const best = [...completions].sort((a, b) => b.logprob - a.logprob)[0]!;
    const text = pyStrip(best.text);
    const pred = state.outputMapping ? (Object.hasOwn(state.outputMapping, text) ? state.outputMapping[text]! : null) : text;
    return Math.max(...golds.map((g) => score(g.text, pred)));
  };
}

/** SummarizationMetric strips one leading "{" and one trailing "}" from references and prediction. */
export function removeBraces(text: string): string {
  let out = text;
  if (out.startsWith('{')) out = out.slice(1);
  if (out.endsWith('}')) out = out.slice(0, -1);
  return out;
}

/** SummarizationMetric's ROUGE: every reference (not only correct ones), completions[0] unsorted. */
export function summarizationMetric(score: ScoreFn): CompletionsMetric {
  return (state, completions) => {
    const first = completions[0];
    if (!first) throw new Error(`request ${state.index} of ${state.runName} has no completion`);
    const pred = removeBraces(pyStrip(first.text));
    return Math.max(...state.instance.references.map((r) => score(removeBraces(r.text), pred)));
  };
}

const REFERENCE_METRICS: Record<string, CompletionsMetric> = {
  exact_match: referenceMetric(exactMatch),
  quasi_exact_match: referenceMetric(quasiExactMatch),
  prefix_exact_match: referenceMetric(prefixExactMatch),
  quasi_prefix_exact_match: referenceMetric(quasiPrefixExactMatch),
  exact_match_indicator: referenceMetric(exactMatchIndicator),
  f1_score: referenceMetric(f1Score),
  rouge_1: referenceMetric(rouge1),
  rouge_2: referenceMetric(rouge2),
  rouge_l: referenceMetric(rougeL),
  math_equiv: referenceMetric(isEquiv),
  math_equiv_chain_of_thought: referenceMetric(mathEquivChainOfThought),
};

/** HELM scenarios whose run specs score with SummarizationMetric rather than BasicMetric. */
const SUMMARIZATION_SCENARIOS = new Set(['summarization_cnndm', 'summarization_xsum', 'summarization_xsum_sampled', 'sam_sum']);
const SUMMARIZATION_METRICS: Record<string, CompletionsMetric> = {
  rouge_1: summarizationMetric(rouge1),
  rouge_2: summarizationMetric(rouge2),
  rouge_l: summarizationMetric(rougeL),
};

/** Every metric, as a function of one completion (HELM's reference-metric flavour). */
export const METRICS: Record<string, MetricFn> = Object.fromEntries(
  Object.entries(REFERENCE_METRICS).map(([name, fn]) => [name, (state: RequestState, c: Completion) => fn(state, [c])]),
);

function metricFor(runSpec: RunSpec, name: string): CompletionsMetric {
  if (SUMMARIZATION_SCENARIOS.has(runSpec.scenario.name) && Object.hasOwn(SUMMARIZATION_METRICS, name)) {
    return SUMMARIZATION_METRICS[name]!;
  }
  if (Object.hasOwn(REFERENCE_METRICS, name)) return REFERENCE_METRICS[name]!;
  throw new UserError(
    `run ${runSpec.name}: unknown metric "${name}" (known: ${Object.keys(REFERENCE_METRICS).join(', ')})`,
  );
}

/** The run spec's metrics for one request's completion(s): metric name → score. */
export function scoreRequest(
  runSpec: RunSpec,
  state: RequestState,
  completion: Completion | Completion[],
): Record<string, number> {
  const completions = Array.isArray(completion) ? completion : [completion];
  const scores: Record<string, number> = {};
  for (const name of runSpec.metrics) scores[name] = metricFor(runSpec, name)(state, completions);
  return scores;
}

/** Throws the same error scoreRequest would, before any request is sent. */
export function checkMetrics(runSpec: RunSpec): void {
  for (const name of runSpec.metrics) metricFor(runSpec, name);
}
