// HELM's get_summarization_adapter_spec (v0.3.0 run_specs.py), used by summarization_cnndm and
// sam_sum. Not among the shared factories in tasks/adapters/helm-specs.ts, so built here from
// HELM's AdapterSpec defaults.
import { adapterSpec, type AdapterSpec } from '../../adapters/adapter-spec.js';

export function summarizationSpec(o: { numSents: number | null; maxTokens: number; temperature: number; maxTrainInstances?: number }): AdapterSpec {
  const outputPrefix =
    o.numSents === 1
      ? 'Summarize the above article in 1 sentence.\n'
      : o.numSents === null
        ? 'Summarize the above article.\n'
        : `Summarize the above article in ${o.numSents} sentences.\n`;
  return adapterSpec({
    method: 'generation',
    instructions: '',
    inputPrefix: '###\nArticle: ',
    inputSuffix: '\n\n',
    outputPrefix,
    outputSuffix: '\n',
    maxTrainInstances: o.maxTrainInstances ?? 5,
    numOutputs: 1,
    stopSequences: ['###'],
    maxTokens: o.maxTokens,
    temperature: o.temperature,
  });
}
