// HELM's BasicMetric reference metrics (basic_metrics.py compute_reference_metrics), as metric
// values: the prediction is the completion with the highest logprob, stripped, mapped through the
// MCQ output mapping (letter → reference text; anything else → None); the score is the max over
// the correct references of score(gold, prediction). Display names from HELM's schema.yaml.
import type { Metric, PerRequestScore } from './metric.js';
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

export function referenceScore(score: ScoreFn): PerRequestScore {
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

const basic = (name: string, displayName: string, shortDisplayName: string | undefined, score: ScoreFn): Metric => ({
  name,
  displayName,
  ...(shortDisplayName ? { shortDisplayName } : {}),
  perRequest: referenceScore(score),
});

export const EXACT_MATCH = basic('exact_match', 'Exact match', 'EM', exactMatch);
export const QUASI_EXACT_MATCH = basic('quasi_exact_match', 'Quasi-exact match', 'EM', quasiExactMatch);
export const PREFIX_EXACT_MATCH = basic('prefix_exact_match', 'Prefix exact match', 'PEM', prefixExactMatch);
export const QUASI_PREFIX_EXACT_MATCH = basic('quasi_prefix_exact_match', 'Prefix quasi-exact match', 'PEM', quasiPrefixExactMatch);
export const EXACT_MATCH_INDICATOR = basic('exact_match_indicator', 'Exact match (up to specified indicator)', 'EM', exactMatchIndicator);
export const F1_SCORE = basic('f1_score', 'F1', undefined, f1Score);
export const ROUGE_1 = basic('rouge_1', 'ROUGE-1', undefined, rouge1);
export const ROUGE_2 = basic('rouge_2', 'ROUGE-2', undefined, rouge2);
export const ROUGE_L = basic('rouge_l', 'ROUGE-L', undefined, rougeL);
export const MATH_EQUIV = basic('math_equiv', 'Equivalent', undefined, isEquiv);
export const MATH_EQUIV_CHAIN_OF_THOUGHT = basic('math_equiv_chain_of_thought', 'Equivalent (chain of thought)', undefined, mathEquivChainOfThought);

/** get_exact_match_metric_specs. */
export const EXACT_MATCH_METRICS: readonly Metric[] = [EXACT_MATCH, QUASI_EXACT_MATCH, PREFIX_EXACT_MATCH, QUASI_PREFIX_EXACT_MATCH];
