// HELM's SummarizationMetric ROUGE scores (summarization_metrics.py), which the summarization run
// specs (get_summarization_metric_specs: summarization_cnndm, sam_sum) hold instead of
// BasicMetric's: every reference counts (not only correct ones), completions[0] unsorted, and one
// leading "{" / trailing "}" removed from references and prediction.
import type { Metric, PerRequestScore } from './metric.js';
import type { ScoreFn } from './reference-metrics.js';
import { pyStrip } from '../text/python-str.js';
import { rouge1, rouge2, rougeL } from './rouge.js';

/** SummarizationMetric._remove_braces. */
export function removeBraces(text: string): string {
  let out = text;
  if (out.startsWith('{')) out = out.slice(1);
  if (out.endsWith('}')) out = out.slice(0, -1);
  return out;
}

export function summarizationScore(score: ScoreFn): PerRequestScore {
  return (state, completions) => {
    const first = completions[0];
    if (!first) throw new Error(`request ${state.index} of ${state.runName} has no completion`);
    const pred = removeBraces(pyStrip(first.text));
    return Math.max(...state.instance.references.map((r) => score(removeBraces(r.text), pred)));
  };
}

// SummarizationMetric's ROUGE-1/2/L, under BasicMetric's names and display names.
export const SUMMARIZATION_ROUGE_1: Metric = { name: 'rouge_1', displayName: 'ROUGE-1', perRequest: summarizationScore(rouge1) };
export const SUMMARIZATION_ROUGE_2: Metric = { name: 'rouge_2', displayName: 'ROUGE-2', perRequest: summarizationScore(rouge2) };
export const SUMMARIZATION_ROUGE_L: Metric = { name: 'rouge_l', displayName: 'ROUGE-L', perRequest: summarizationScore(rougeL) };
export const SUMMARIZATION_ROUGE: readonly Metric[] = [SUMMARIZATION_ROUGE_1, SUMMARIZATION_ROUGE_2, SUMMARIZATION_ROUGE_L];
