// The zero-shot prompt HELM builds for one eval instance (Prompt.text with no in-context examples):
// instance_prefix.join([instructions block, eval block]); the eval block ends with
// output_prefix.rstrip(). The instruction data uses it so that training rows look like eval requests.
import type { AdapterSpec } from '../adapters/adapter-spec.js';
import type { Instance } from '../instance.js';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function zeroShotPrompt(spec: AdapterSpec, instance: Instance): string {
  let block = spec.inputPrefix + instance.input + spec.inputSuffix;
  if (spec.method === 'multiple_choice_joint') {
    instance.references.forEach((r, i) => {
      block += spec.referencePrefix.replace('A', LETTERS[i]!) + r.text + spec.referenceSuffix;
    });
  }
  block += spec.outputPrefix.trimEnd();
  const blocks = spec.instructions.length > 0 ? [spec.instructions, block] : [block];
  return spec.globalPrefix + blocks.join(spec.instancePrefix);
}

/** The gold output as an in-context example would show it: the letter (MCQ) or the reference text. */
export function goldOutput(spec: AdapterSpec, instance: Instance): string {
  const i = instance.references.findIndex((r) => r.correct);
  if (i < 0) throw new Error(`instance ${instance.id} has no correct reference`);
  return spec.method === 'multiple_choice_joint' ? LETTERS[i]! : instance.references[i]!.text;
}
