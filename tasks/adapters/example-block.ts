// One example block of a prompt, as HELM's adapters write it:
// generation (in_context_learning_adapter.construct_example_prompt) and
// multiple_choice_joint (multiple_choice_joint_adapter.construct_example_prompt).
import type { AdapterSpec } from './adapter-spec.js';
import type { Instance } from '../instance.js';
import { pyRstrip } from '../text/python-str.js';

const NO_CORRECT_REFERENCES = 'n/a';
const LABEL_DELIMITER = ', ';

/** get_reference_prefix: "A" → the i-th letter in the prefix ("A. " → "C. " for i = 2). */
export function referencePrefix(prefix: string, i: number): string {
  return prefix.replaceAll('A', String.fromCharCode('A'.charCodeAt(0) + i));
}

/** The letter of reference i: "A", "B", ... */
export function referenceLetter(i: number): string {
  return referencePrefix('A', i);
}

/** MCQ-joint output mapping: letter → reference text, for every reference of the instance. */
export function outputMapping(instance: Instance): Record<string, string> {
  const mapping: Record<string, string> = {};
  instance.references.forEach((r, i) => {
    mapping[referenceLetter(i)] = r.text;
  });
  return mapping;
}

/** construct_output (generation): the first correct reference text, all of them if multi_label, or "n/a". */
export function generationOutput(spec: AdapterSpec, instance: Instance): string {
  const correct = instance.references.filter((r) => r.correct);
  if (correct.length === 0) return NO_CORRECT_REFERENCES;
  return spec.multiLabel ? correct.map((r) => r.text).join(LABEL_DELIMITER) : correct[0].text;
}

/** The input part, then either the gold output (in-context example) or output_prefix.rstrip() (eval). */
function withOutput(spec: AdapterSpec, head: string, output: string, includeOutput: boolean): string {
  return includeOutput ? head + spec.outputPrefix + output + spec.outputSuffix : head + pyRstrip(spec.outputPrefix);
}

export function generationBlock(spec: AdapterSpec, instance: Instance, includeOutput: boolean): string {
  const head = spec.inputPrefix + instance.input + spec.inputSuffix;
  return withOutput(spec, head, includeOutput ? generationOutput(spec, instance) : '', includeOutput);
}

export function multipleChoiceJointBlock(spec: AdapterSpec, instance: Instance, includeOutput: boolean): string {
  let head = spec.inputPrefix + instance.input + spec.inputSuffix;
  let output = NO_CORRECT_REFERENCES;
  instance.references.forEach((r, i) => {
    head += referencePrefix(spec.referencePrefix, i) + r.text + spec.referenceSuffix;
    if (!r.correct) return;
    if (output === NO_CORRECT_REFERENCES) output = referenceLetter(i);
    else if (spec.multiLabel) output += LABEL_DELIMITER + referenceLetter(i);
  });
  return withOutput(spec, head, output, includeOutput);
}

export function exampleBlock(spec: AdapterSpec, instance: Instance, includeOutput: boolean): string {
  switch (spec.method) {
    case 'generation':
      return generationBlock(spec, instance, includeOutput);
    case 'multiple_choice_joint':
      return multipleChoiceJointBlock(spec, instance, includeOutput);
  }
}
