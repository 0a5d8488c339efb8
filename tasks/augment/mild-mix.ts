// HELM's canonical robustness perturbation MildMixPerturbation: lowercase → contractions →
// misspellings (p = 0.1) → 1..3 spaces for every run of spaces (mild_mix_perturbation.py and the
// lowercase, contraction_expansion, misspelling and space perturbations it composes).
import type { PythonRandom } from '../random/python-random.js';
import { PY_WORD, pyLower } from '../text/python-str.js';
import { matchCase, textPerturbation, type Perturbation } from './perturbation.js';

/** contraction_expansion_perturbation.CONTRACTION_MAP, in HELM's order. */
export const CONTRACTION_MAP: [string, string][] = [
  ["ain't", 'is not'], ["aren't", 'are not'], ["can't", 'cannot'], ["can't've", 'cannot have'],
  ["could've", 'could have'], ["couldn't", 'could not'], ["didn't", 'did not'], ["doesn't", 'does not'],
  ["don't", 'do not'], ["hadn't", 'had not'], ["hasn't", 'has not'], ["haven't", 'have not'],
  ["he'd", 'he would'], ["he'd've", 'he would have'], ["he'll", 'he will'], ["he's", 'he is'],
  ["how'd", 'how did'], ["how'd'y", 'how do you'], ["how'll", 'how will'], ["how's", 'how is'],
  ["I'd", 'I would'], ["I'll", 'I will'], ["I'm", 'I am'], ["I've", 'I have'],
  ["i'd", 'i would'], ["i'll", 'i will'], ["i'm", 'i am'], ["i've", 'i have'],
  ["isn't", 'is not'], ["it'd", 'it would'], ["it'll", 'it will'], ["it's", 'it is'],
  ["ma'am", 'madam'], ["might've", 'might have'], ["mightn't", 'might not'], ["must've", 'must have'],
  ["mustn't", 'must not'], ["needn't", 'need not'], ["oughtn't", 'ought not'], ["shan't", 'shall not'],
  ["she'd", 'she would'], ["she'll", 'she will'], ["she's", 'she is'], ["should've", 'should have'],
  ["shouldn't", 'should not'], ["that'd", 'that would'], ["that's", 'that is'], ["there'd", 'there would'],
  ["there's", 'there is'], ["they'd", 'they would'], ["they'll", 'they will'], ["they're", 'they are'],
  ["they've", 'they have'], ["wasn't", 'was not'], ["we'd", 'we would'], ["we'll", 'we will'],
  ["we're", 'we are'], ["we've", 'we have'], ["weren't", 'were not'], ["what're", 'what are'],
  ["what's", 'what is'], ["when's", 'when is'], ["where'd", 'where did'], ["where's", 'where is'],
  ["where've", 'where have'], ["who'll", 'who will'], ["who's", 'who is'], ["who've", 'who have'],
  ["why's", 'why is'], ["won't", 'will not'], ["would've", 'would have'], ["wouldn't", 'would not'],
  ["you'd", 'you would'], ["you'd've", 'you would have'], ["you'll", 'you will'], ["you're", 'you are'],
  ["you've", 'you have'],
];

/**
 * {expansion: contraction} built like Python's dict comprehension: a repeated expansion keeps the
 * position of its first occurrence and the contraction of its last ("is not" → "isn't").
 */
export const REVERSE_CONTRACTIONS: Map<string, string> = (() => {
  const m = new Map<string, string>();
  for (const [contraction, expansion] of CONTRACTION_MAP) m.set(expansion, contraction);
  return m;
})();

// \b(alternatives)\b followed by a space, case-insensitive. Each alternative starts and ends with a
// word character, so Python's \b equals "no word character before" here.
const CONTRACTION_RE = new RegExp(`(?<![${PY_WORD}])(${[...REVERSE_CONTRACTIONS.keys()].join('|')})(?![${PY_WORD}]) `, 'giu');

/** ContractionPerturbation.perturb: "I am " → "I'm ". */
export function contract(text: string): string {
  return text.replace(CONTRACTION_RE, (_m, match: string) => {
    const contraction = REVERSE_CONTRACTIONS.get(match) ?? REVERSE_CONTRACTIONS.get(pyLower(match))!;
    return `${matchCase(match, contraction)} `;
  });
}

export type MisspellingTable = Record<string, string[]>;

export interface Misspeller {
  table: MisspellingTable;
  pattern: RegExp;
}

/** \b(word1|word2|...)\b over the table's keys in file order (ordered alternation, as Python's re). */
export function misspeller(table: MisspellingTable): Misspeller {
  const keys = Object.keys(table);
  for (const k of keys) {
    if (/[\\^$.*+?()[\]{}|]/.test(k)) throw new Error(`misspelling key ${JSON.stringify(k)} contains regex syntax`);
  }
  return { table, pattern: new RegExp(`(?<![${PY_WORD}])(${keys.join('|')})(?![${PY_WORD}])`, 'gu') };
}

/** MisspellingPerturbation.perturb: each listed word, with probability prob, becomes a random misspelling. */
export function misspell(text: string, rng: PythonRandom, m: Misspeller, prob: number): string {
  return text.replace(m.pattern, (word: string) => {
    if (rng.random() < prob) return matchCase(word, String(rng.choice(m.table[word]!)));
    return word;
  });
}

/** SpacePerturbation.perturb: every run of spaces becomes randint(1, maxSpaces) spaces. */
export function respace(text: string, rng: PythonRandom, maxSpaces: number): string {
  return text.replace(/ +/g, () => ' '.repeat(rng.randint(1, maxSpaces)));
}

export function mildMixText(text: string, rng: PythonRandom, m: Misspeller): string {
  let out = pyLower(text);
  out = contract(out);
  out = misspell(out, rng, m, 0.1);
  return respace(out, rng, 3);
}

/** MildMixPerturbation: robustness, input only (references are not perturbed). */
export function mildMixPerturbation(table: MisspellingTable): Perturbation {
  const m = misspeller(table);
  return textPerturbation('mild_mix', 'robustness', false, (text, rng) => mildMixText(text, rng, m));
}
