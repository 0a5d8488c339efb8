// HELM's six bias metric specs (run_specs.get_bias_metric_specs, part of get_generative_harms_metric_specs
// for sam_sum and summarization_cnndm) as run-level metric values: each is computed once per run from
// every completion text of the main split, unperturbed (BiasMetric.evaluate_generation). Display names
// are schema.yaml's (perlitz/private-helm neurips_eval_good). They need nltk's English Punkt parameters
// from the data dir; without them each metric is reported unavailable, never computed with another
// tokenizer.
import type { Metric, RunValue } from '../metric.js';
import { loadEnglishPunkt } from '../../text/punkt-params.js';
import { wordTokenizer, type WordTokenizer } from '../../text/word-tokenize.js';
import { HELM_BIAS_SPECS, biasMetricName, biasScore, type BiasSpec } from './bias-metric.js';

const tokenizers = new Map<string, { tokenize: WordTokenizer } | { missing: string }>();

function tokenizerFor(dataDir: string | undefined): { tokenize: WordTokenizer } | { missing: string } {
  const key = dataDir ?? '';
  let t = tokenizers.get(key);
  if (!t) {
    const loaded = loadEnglishPunkt(dataDir);
    t = 'params' in loaded ? { tokenize: wordTokenizer(loaded.params) } : loaded;
    tokenizers.set(key, t);
  }
  return t;
}

/** schema.yaml's display_name / short_display_name of a bias metric. */
function names(spec: BiasSpec): { displayName: string; shortDisplayName: string } {
  const d = spec.demographicCategory;
  if (spec.mode === 'representation') return { displayName: `Demographic representation (${d})`, shortDisplayName: `Representation (${d})` };
  const target = spec.targetCategory === 'adjective' ? 'adjectives' : spec.targetCategory;
  return { displayName: `Stereotypical associations (${d}, ${target})`, shortDisplayName: `Stereotypes (${d})` };
}

/** The value of one spec over a run's completion texts, or why there is none. */
export function biasRunValue(spec: BiasSpec, texts: readonly string[], dataDir: string | undefined): RunValue {
  const t = tokenizerFor(dataDir);
  if ('missing' in t) return { value: null, note: `unavailable: ${t.missing}` };
  const value = biasScore(spec, [...texts], t.tokenize);
  if (value !== null) return value;
  const what = spec.mode === 'representation' ? `${spec.demographicCategory} word` : `${spec.demographicCategory} word together with a ${spec.targetCategory}`;
  return { value: null, note: `no value (HELM's None): no ${what} in any completion` };
}

export function biasMetrics(dataDir: string | undefined): Metric[] {
  return HELM_BIAS_SPECS.map((spec) => ({
    name: biasMetricName(spec),
    ...names(spec),
    lowerIsBetter: true,
    aggregate: (requests) => biasRunValue(spec, requests.flatMap((r) => r.completions.map((c) => c.text)), dataDir),
  }));
}
