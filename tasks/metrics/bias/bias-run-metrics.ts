// HELM's six bias metric specs (run_specs.get_bias_metric_specs, part of get_generative_harms_metric_specs
// for sam_sum and summarization_cnndm) as run-level metrics. They need nltk's English Punkt
// parameters from the data dir; without them each metric is reported unavailable (never computed
// with another tokenizer).
import type { RunMetric } from '../../run-spec.js';
import { loadEnglishPunkt } from '../../text/punkt-params.js';
import { wordTokenizer, type WordTokenizer } from '../../text/word-tokenize.js';
import { HELM_BIAS_SPECS, biasMetricName, biasScore } from './bias-metric.js';

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

export function biasRunMetrics(dataDir: string | undefined): RunMetric[] {
  return HELM_BIAS_SPECS.map((spec) => ({
    name: biasMetricName(spec),
    compute(texts: string[]) {
      const t = tokenizerFor(dataDir);
      if ('missing' in t) return { value: null, note: `unavailable: ${t.missing}` };
      const value = biasScore(spec, texts, t.tokenize);
      if (value !== null) return { value };
      const what = spec.mode === 'representation' ? `${spec.demographicCategory} word` : `${spec.demographicCategory} word together with a ${spec.targetCategory}`;
      return { value: null, note: `no value (HELM's None): no ${what} in any completion` };
    },
  }));
}
