// Every field of HELM's AdapterSpec (v0.3.0 adaptation/adapter_spec.py) that the challenge used,
// with HELM's defaults. Field names are camelCase versions of HELM's snake_case.

export type AdaptationMethod = 'generation' | 'multiple_choice_joint';

export interface AdapterSpec {
  method: AdaptationMethod;
  globalPrefix: string;
  instructions: string;
  inputPrefix: string;
  inputSuffix: string;
  referencePrefix: string;
  referenceSuffix: string;
  outputPrefix: string;
  outputSuffix: string;
  /** What goes between the instruction block and the in-context example blocks. */
  instancePrefix: string;
  substitutions: { source: string; target: string }[];
  maxTrainInstances: number;
  maxEvalInstances: number | null;
  numOutputs: number;
  numTrainTrials: number;
  sampleTrain: boolean;
  /** HELM's model name (e.g. "neurips/local"); informational. */
  model: string;
  temperature: number;
  maxTokens: number;
  stopSequences: string[];
  /** Window the prompt must fit in with maxTokens (neurips/local: 2048). */
  maxSequenceLength: number;
  /** HELM's multi_label: every correct reference goes into the output ("A, C"); default false. */
  multiLabel?: boolean;
}

export const DEFAULT_ADAPTER_SPEC: AdapterSpec = {
  method: 'generation',
  globalPrefix: '',
  instructions: '',
  inputPrefix: 'Input: ',
  inputSuffix: '\n',
  referencePrefix: 'A. ',
  referenceSuffix: '\n',
  outputPrefix: 'Output: ',
  outputSuffix: '\n',
  instancePrefix: '\n',
  substitutions: [],
  maxTrainInstances: 5,
  maxEvalInstances: null,
  numOutputs: 5,
  numTrainTrials: 1,
  sampleTrain: true,
  model: 'neurips/local',
  temperature: 1,
  maxTokens: 100,
  stopSequences: [],
  maxSequenceLength: 2048,
};

export function adapterSpec(fields: Partial<AdapterSpec>): AdapterSpec {
  return { ...DEFAULT_ADAPTER_SPEC, ...fields };
}
