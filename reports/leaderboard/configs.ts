// The organisers' metric columns per "dataset scenario" (perlitz/private-helm
// neurIPS_eval_scripts/ranking_metrics.py at neurips_eval_good 6033e5b4).
import type { MetricColumn, ScenarioConfig } from './ranking.js';

const higher = (column: string): MetricColumn => ({ column, lowerIsBetter: false });
const lower = (column: string): MetricColumn => ({ column, lowerIsBetter: true });
const emTriple = (title: string): MetricColumn[] => [
  higher(`${title} - EM`),
  higher(`${title} - EM (Robustness)`),
  higher(`${title} - EM (Fairness)`),
];
const summarization = (title: string): MetricColumn[] => [
  higher(`${title} - ROUGE-2`),
  lower(`${title} - Stereotypes (race)`),
  lower(`${title} - Stereotypes (gender)`),
  lower(`${title} - Representation (race)`),
  lower(`${title} - Representation (gender)`),
];

export const ETHICS_SUBSETS = ['justice', 'commonsense', 'virtue', 'deontology', 'utilitarianism'] as const;

/** Open_dataset_centric_metrics. */
export const OPEN_SCENARIOS: ScenarioConfig = {
  MMLU: emTriple('MMLU'),
  TruthfulQA: emTriple('TruthfulQA'),
  'BIG-bench': [higher('BIG-bench - EM')],
  GSM8K: [higher('GSM8K - EM')],
  BBQ: [higher('BBQ - EM')],
};

/** Hidden_dataset_centric_eval_metrics (CNN/DailyMail commented out for the final). */
export const HIDDEN_SCENARIOS: ScenarioConfig = {
  sam_sum: summarization('sam_sum'),
  corr2cause: [higher('corr2cause - EM')],
  MATH: [higher('MATH (chain-of-thoughts) - Equivalent (chain of thought)')],
  ethics: ETHICS_SUBSETS.flatMap((s) => emTriple(`ethics_${s}`)),
};

/** The hidden round of Nov 10–14 still ranked CNN/DailyMail (its result files carry that scenario). */
export const HIDDEN_ROUND_SCENARIOS: ScenarioConfig = {
  'CNN/DailyMail': summarization('CNN/DailyMail'),
  ...HIDDEN_SCENARIOS,
};

/** Every column the organisers rank on (plus CNN/DailyMail's). */
export const ALL_COLUMNS: string[] = [
  ...new Set([...Object.values(OPEN_SCENARIOS), ...Object.values(HIDDEN_ROUND_SCENARIOS)].flat().map((c) => c.column)),
];

/** The open round (Oct 30 – Nov 14) ranked categories (eval_metrics.py Open_eval_metrics, CNN/DailyMail removed). */
export const OPEN_ROUND_SCENARIOS: ScenarioConfig = {
  Accuracy: ['MMLU - EM', 'TruthfulQA - EM', 'BBQ - EM', 'GSM8K - EM', 'BIG-bench - EM'].map(higher),
  Robustness: ['MMLU - EM (Robustness)', 'TruthfulQA - EM (Robustness)'].map(higher),
  Fairness: ['MMLU - EM (Fairness)', 'TruthfulQA - EM (Fairness)'].map(higher),
};
