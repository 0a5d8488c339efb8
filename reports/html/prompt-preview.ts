// The one-line preview of a prompt in the instance browser: the start of the instance's own block
// (its question), not of the instructions or the in-context examples before it, cut at a word.
//
// HELM's prompt (adaptation/prompt.py, tasks/adapters/prompt.ts) is
//   [global_prefix " "] [instructions instance_prefix] (example instance_prefix)* eval_block
// where each in-context example ends with output_prefix + its answer + output_suffix and the eval
// block is input_prefix + input + input_suffix [+ references] + output_prefix.rstrip(). So the eval
// block starts after the last output_suffix + instance_prefix that follows an example's output;
// without examples, after the instructions. Every eval instance of a run shares its examples, so
// the run's common prompt prefix bounds where the block can start.
import { DEFAULT_ADAPTER_SPEC } from '../../tasks/adapters/adapter-spec.js';
import { pyRstrip } from '../../tasks/text/python-str.js';

type PromptShape = Pick<typeof DEFAULT_ADAPTER_SPEC, 'globalPrefix' | 'instructions' | 'inputPrefix' | 'outputPrefix' | 'outputSuffix' | 'instancePrefix'>;

/** The prompt fields of a run's adapter spec (results.json keeps it as a plain record), HELM's defaults for what is absent. */
export function promptShape(adapterSpec: Record<string, unknown> | undefined): PromptShape {
  const field = (k: keyof PromptShape): string => (typeof adapterSpec?.[k] === 'string' ? (adapterSpec[k] as string) : DEFAULT_ADAPTER_SPEC[k]);
  return { globalPrefix: field('globalPrefix'), instructions: field('instructions'), inputPrefix: field('inputPrefix'), outputPrefix: field('outputPrefix'), outputSuffix: field('outputSuffix'), instancePrefix: field('instancePrefix') };
}

/** Where the prompt's head (global prefix, instruction block) ends. */
function headEnd(prompt: string, s: PromptShape): number {
  let at = s.globalPrefix && prompt.startsWith(`${s.globalPrefix} `) ? s.globalPrefix.length + 1 : 0;
  const instructions = s.instructions ? s.instructions + s.instancePrefix : '';
  if (instructions && prompt.startsWith(instructions, at)) at += instructions.length;
  return at;
}

/** How many leading characters all these prompts share (a run's prompts share its in-context examples). */
export function sharedPrefixLength(prompts: string[]): number {
  if (prompts.length < 2) return prompts[0]?.length ?? 0;
  let n = prompts[0].length;
  for (const p of prompts.slice(1)) {
    let i = 0;
    while (i < n && i < p.length && p.charCodeAt(i) === prompts[0].charCodeAt(i)) i++;
    n = i;
  }
  return n;
}

/**
 * [start, end) of the eval instance's block in a HELM prompt: after the last example separator
 * (output_suffix + instance_prefix after an output_prefix) within the first `shared` characters,
 * which the run's other prompts share (the eval block starts there at the latest; without other
 * prompts a question that itself holds a separator can mislead it). Without one: after the head.
 */
export function evalBlockRange(prompt: string, s: PromptShape, shared = prompt.length): [number, number] {
  const head = headEnd(prompt, s);
  const tail = pyRstrip(s.outputPrefix);
  const end = tail && prompt.endsWith(tail) && prompt.length - tail.length >= head ? prompt.length - tail.length : prompt.length;
  const sep = s.outputSuffix + s.instancePrefix;
  const limit = Math.min(shared, end);
  if (!sep || limit - sep.length <= head) return [head, end];
  for (let j = prompt.lastIndexOf(sep, limit - sep.length); j >= head; j = prompt.lastIndexOf(sep, j - 1)) {
    const afterExample = !s.outputPrefix || prompt.lastIndexOf(s.outputPrefix, j - s.outputPrefix.length) >= head;
    if (afterExample) return [j + sep.length, end];
    if (j === 0) break;
  }
  return [head, end];
}

/** The question of the prompt, whitespace folded, at most `max` characters, cut after a whole word. */
export function promptPreview(prompt: string, shape: PromptShape, shared = prompt.length, max = 110): string {
  const [start, end] = evalBlockRange(prompt, shape, shared);
  let block = prompt.slice(start, end);
  const lead = shape.inputPrefix.trim();
  if (lead && block.trimStart().startsWith(lead)) block = block.trimStart().slice(lead.length);
  const text = block.replace(/\s+/g, ' ').trim();
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max);
  return `${text.slice(0, cut > 0 ? cut : max)} …`;
}
