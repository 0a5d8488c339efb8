// Synthetic GSM8K-shaped data and a scripted answer for runner tests: question i asks for i+i.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function writeSyntheticGsm(n: number, dir = mkdtempSync(join(tmpdir(), 'evalfirst-data-'))): string {
  const row = (i: number) => JSON.stringify({ question: `What is ${i} plus ${i}?`, answer: `${i}+${i}=${2 * i}\n#### ${2 * i}` });
  mkdirSync(join(dir, 'gsm8k'), { recursive: true });
  writeFileSync(join(dir, 'gsm8k', 'train.jsonl'), Array.from({ length: 5 }, (_, i) => row(1000 + i)).join('\n') + '\n');
  writeFileSync(join(dir, 'gsm8k', 'test.jsonl'), Array.from({ length: n }, (_, i) => row(i)).join('\n') + '\n');
  return dir;
}

/** The question number of the eval block (the last "Q: ..." of the prompt), or null. */
export function questionNumber(prompt: string): number | null {
  const all = [...prompt.matchAll(/Q: What is (\d+) plus \d+\?\nA:/g)];
  return all.length ? Number(all[all.length - 1][1]) : null;
}

/** A right answer, then text past the "\n\n" stop that a well-behaved server cuts. `wrong` → off by one. */
export function gsmAnswer(prompt: string, wrong: (i: number) => boolean = () => false): string {
  const i = questionNumber(prompt) ?? 0;
  const sum = 2 * i + (wrong(i) ? 1 : 0);
  return ` ${i}+${i}=${sum} The answer is ${sum}.\n\nQ: What is 7 plus 7?`;
}
