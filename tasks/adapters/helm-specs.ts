// HELM v0.3.0 run_specs.py adapter-spec factories (identical in the organisers' fork for these).
import { adapterSpec, type AdapterSpec } from './adapter-spec.js';

/** format_instructions: appends "\n" to non-empty instructions. */
export function formatInstructions(instructions: string): string {
  return instructions.length > 0 ? `${instructions}\n` : instructions;
}

/**
 * get_multiple_choice_adapter_spec(method=multiple_choice_joint) → get_multiple_choice_joint_adapter_spec
 * (num_outputs=5, max_tokens=1, temperature 0, stop ["\n"]; no input noun → no input prefix/suffix).
 * Checked against HELM v0.3.0 run_specs.py.
 */
export function multipleChoiceJointSpec(o: {
  instructions: string;
  inputNoun: string | null;
  outputNoun: string;
  maxTrainInstances?: number;
  numOutputs?: number;
  maxTokens?: number;
  sampleTrain?: boolean;
  extra?: Partial<AdapterSpec>;
}): AdapterSpec {
  return adapterSpec({
    method: 'multiple_choice_joint',
    instructions: formatInstructions(o.instructions),
    inputPrefix: o.inputNoun !== null ? `${o.inputNoun}: ` : '',
    inputSuffix: o.inputNoun !== null ? '\n' : '',
    outputPrefix: `${o.outputNoun}: `,
    outputSuffix: '\n',
    maxTrainInstances: o.maxTrainInstances ?? 5,
    numOutputs: o.numOutputs ?? 5,
    maxTokens: o.maxTokens ?? 1,
    temperature: 0,
    stopSequences: ['\n'],
    sampleTrain: o.sampleTrain ?? true,
    ...o.extra,
  });
}

/** get_generation_adapter_spec (HELM v0.3.0: max_tokens 5, stop ["\n"] when none given, temperature 0). */
export function generationSpec(o: {
  instructions?: string;
  inputNoun?: string | null;
  newlineAfterInputNoun?: boolean;
  outputNoun?: string | null;
  newlineAfterOutputNoun?: boolean;
  maxTrainInstances?: number;
  numOutputs?: number;
  maxTokens?: number;
  stopSequences?: string[];
  temperature?: number;
  multiLabel?: boolean;
  extra?: Partial<AdapterSpec>;
}): AdapterSpec {
  const nounPrefix = (noun: string | null | undefined, newline: boolean | undefined) =>
    noun !== undefined && noun !== null ? `${noun}:${newline ? '\n' : ' '}` : '';
  return adapterSpec({
    method: 'generation',
    instructions: formatInstructions(o.instructions ?? ''),
    inputPrefix: nounPrefix(o.inputNoun, o.newlineAfterInputNoun),
    inputSuffix: '\n',
    outputPrefix: nounPrefix(o.outputNoun, o.newlineAfterOutputNoun),
    outputSuffix: '\n',
    maxTrainInstances: o.maxTrainInstances ?? 5,
    numOutputs: o.numOutputs ?? 1,
    maxTokens: o.maxTokens ?? 5,
    stopSequences: o.stopSequences ?? ['\n'],
    temperature: o.temperature ?? 0,
    multiLabel: o.multiLabel ?? false,
    ...o.extra,
  });
}
