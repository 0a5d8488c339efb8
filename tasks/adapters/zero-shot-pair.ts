// An instance in the eval format as a (prompt, completion) training pair: the prompt is the one the
// adapter sends for the instance with no in-context examples (buildPrompt → promptText, as adaptRun
// does before fitting the window), the completion what an in-context example of the same instance
// shows after that prompt's end (construct_example_prompt with the output: the rest of
// output_prefix, then the output; output_suffix left off). Train and eval formats cannot drift.
import type { AdapterSpec } from './adapter-spec.js';
import { buildPrompt } from './adapt.js';
import { exampleBlock } from './example-block.js';
import { promptText } from './prompt.js';
import type { Instance } from '../instance.js';

export interface PromptCompletion {
  prompt: string;
  completion: string;
}

export function zeroShotPair(spec: AdapterSpec, instance: Instance): PromptCompletion {
  if (spec.substitutions.length > 0) {
    // HELM substitutes in the whole prompt text; a completion cut from a block would miss them.
    throw new Error(`zeroShotPair: adapter specs with substitutions are not supported (instance ${instance.id})`);
  }
  const evalBlock = exampleBlock(spec, instance, false);
  const example = exampleBlock(spec, instance, true);
  const end = example.length - spec.outputSuffix.length;
  if (!example.startsWith(evalBlock) || !example.endsWith(spec.outputSuffix)) {
    throw new Error(`zeroShotPair: instance ${instance.id}: the eval block is not a prefix of its example block`);
  }
  return { prompt: promptText(buildPrompt(spec, [], instance)), completion: example.slice(evalBlock.length, end) };
}
