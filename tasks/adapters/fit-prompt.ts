// Making a prompt fit the context window (HELM in_context_learning_adapter._make_prompt_fit and
// LocalWindowService.truncate_from_right): drop the last in-context example while
// tokens(prompt) + max_tokens > window; with no example left, cut from the right through the
// tokenizer, then one character at a time until it fits.
import { UserError } from '../../core/errors.js';
import { promptText, type Prompt } from './prompt.js';
import type { PromptWindow } from './window.js';
import { dropLastCodePoint, pyLen } from '../text/python-str.js';

async function fits(window: PromptWindow, text: string, maxTokens: number, windowSize: number): Promise<boolean> {
  return (await window.countTokens(text)) + maxTokens <= windowSize;
}

/** truncate_from_right(text, max_tokens). */
export async function truncateFromRight(window: PromptWindow, text: string, maxTokens: number, windowSize: number): Promise<string> {
  let result = await window.truncate(text, windowSize - maxTokens);
  while (!(await fits(window, result, maxTokens, windowSize))) {
    // HELM would spin forever here; the window cannot hold even an empty prompt plus max_tokens.
    if (result === '') {
      const empty = await window.countTokens('');
      throw new UserError(
        `the request cannot fit: max_tokens=${maxTokens} plus an empty prompt (${empty} token${empty === 1 ? '' : 's'}) exceeds the ${windowSize}-token window ` +
          `(${window.origin ?? "the model's context"}; a model with a longer context, or a run entry asking for fewer tokens, is needed)`,
      );
    }
    result = dropLastCodePoint(result);
  }
  return result;
}

/** _make_prompt_fit. */
export async function makePromptFit(prompt: Prompt, window: PromptWindow, maxTokens: number, windowSize: number): Promise<Prompt> {
  let p = prompt;
  while (p.trainInstanceBlocks.length > 0) {
    if (await fits(window, promptText(p), maxTokens, windowSize)) return p;
    p = { ...p, trainInstanceBlocks: p.trainInstanceBlocks.slice(0, -1) };
  }
  // HELM goes through the tokenizer here even when the example-free prompt already fits.
  const text = promptText(p);
  const truncated = await truncateFromRight(window, text, maxTokens, windowSize);
  return pyLen(truncated) < pyLen(text) ? { ...p, truncatedText: truncated } : p;
}
