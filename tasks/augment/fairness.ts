// HELM's canonical fairness perturbations (run_expander.FAIRNESS_PERTURBATION_SPECS): dialect SAE → AAVE,
// gender pronouns male → female, and first names white_american → black_american, each with prob 1.0
// (dialect_perturbation.py, gender_perturbation.py, person_name_perturbation.py).
import type { PythonRandom } from '../random/python-random.js';
import type { Instance } from '../instance.js';
import { PY_WORD, escapeRegex, pyLower, pyReplace, pyStrip } from '../text/python-str.js';
import { instanceRng, matchCase, tagged, textPerturbation, type Perturbation } from './perturbation.js';

export type DialectMapping = Record<string, string[]>;

/** DialectPerturbation: [^\w-](word)[^\w-], case-insensitive; the match keeps its surrounding characters. */
export function dialectText(text: string, rng: PythonRandom, mapping: DialectMapping, pattern: RegExp, prob: number): string {
  return text.replace(pattern, (matchStr: string, word: string) => {
    if (rng.uniform(0, 1) < prob) {
      const synonyms = mapping[pyLower(word)];
      if (!synonyms) throw new Error(`dialect mapping has no entry for "${pyLower(word)}" (HELM raises KeyError)`);
      const synonym = matchCase(word, rng.choice(synonyms));
      return pyReplace(matchStr, word, synonym);
    }
    return matchStr;
  });
}

export function dialectPattern(mapping: DialectMapping): RegExp {
  const words = Object.keys(mapping).map(escapeRegex).join('|');
  return new RegExp(`[^${PY_WORD}\\-](${words})[^${PY_WORD}\\-]`, 'giu');
}

export function dialectPerturbation(mapping: DialectMapping, prob = 1.0): Perturbation {
  const pattern = dialectPattern(mapping);
  return textPerturbation('dialect', 'fairness', true, (text, rng) => dialectText(text, rng, mapping, pattern, prob));
}

/** GENDER_PRONOUN_MAPPINGS as (male, female) pairs, in HELM's order (source male, target female). */
export const MALE_TO_FEMALE_PRONOUNS: [string, string][] = [
  ['he', 'she'],
  ['him', 'her'],
  ['his', 'her'],
  ['his', 'hers'],
  ['himself', 'herself'],
];

/** GenderPerturbation.substitute_word: [^\w](word)[^\w], case-insensitive, each match with prob. */
export function substituteWord(text: string, word: string, synonym: string, rng: PythonRandom, prob: number): string {
  const pattern = new RegExp(`[^${PY_WORD}](${escapeRegex(word)})[^${PY_WORD}]`, 'giu');
  return text.replace(pattern, (matchStr: string, matchWord: string) => {
    if (rng.uniform(0, 1) < prob) return pyReplace(matchStr, matchWord, matchCase(matchWord, synonym));
    return matchStr;
  });
}

export function genderPronounText(text: string, rng: PythonRandom, prob = 1.0): string {
  let out = text;
  for (const [word, synonym] of MALE_TO_FEMALE_PRONOUNS) out = substituteWord(out, word, synonym, rng, prob);
  return out;
}

export function genderPerturbation(prob = 1.0): Perturbation {
  return textPerturbation('gender', 'fairness', true, (text, rng) => genderPronounText(text, rng, prob));
}

/** load_name_file restricted to first names: category → value → names (lower-cased, file order). */
export type NameTable = Map<string, Map<string, string[]>>;

/** Parses person_names.txt lines "<name>,<first_name|last_name>[,<category>,<value>]*" (first names only). */
export function parseNameFile(text: string, nameType = 'first_name'): NameTable {
  const table: NameTable = new Map();
  // Python's readlines() keeps "\n"; HELM removes only "\n" (a "\r" would stay in the last field).
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    const [name, type, ...categories] = line.split(',');
    if (type !== nameType || name === undefined) continue;
    for (let i = 0; i + 1 < categories.length; i += 2) {
      const cat = categories[i]!;
      const value = categories[i + 1]!;
      let byValue = table.get(cat);
      if (!byValue) table.set(cat, (byValue = new Map()));
      const list = byValue.get(value) ?? [];
      list.push(pyLower(pyStrip(name))); // name.strip().lower()
      byValue.set(value, list);
    }
  }
  return table;
}

export interface PersonNameConfig {
  table: NameTable;
  sourceNames: string[];
  targetNames: string[];
  prob: number;
}

function namesOf(table: NameTable, category: string, value: string): string[] {
  const names = table.get(category)?.get(value);
  if (!names || names.length === 0) throw new Error(`person names: no ${category}=${value} first names`);
  return names;
}

/** get_name_gender: the first of female, male, neutral whose list holds the name. */
function nameGender(table: NameTable, name: string): string | null {
  const genders = table.get('gender');
  for (const g of ['female', 'male', 'neutral']) if (genders?.get(g)?.includes(name)) return g;
  return null;
}

/** get_substitute_name with preserve_gender=True. */
function substituteName(cfg: PersonNameConfig, token: string, rng: PythonRandom): string | null {
  let options = cfg.targetNames;
  const gender = nameGender(cfg.table, pyLower(token));
  if (gender) {
    const gendered = cfg.table.get('gender')!.get(gender)!;
    options = cfg.targetNames.filter((n) => gendered.includes(n));
    if (options.length === 0) return null;
  }
  return rng.choice(options);
}

/** perturb_with_persistency: split on [^\w] keeping separators; a name maps to one substitute throughout. */
export function personNameText(
  text: string,
  rng: PythonRandom,
  cfg: PersonNameConfig,
  mapping: Map<string, string>,
  skipped: Set<string>,
): string {
  const tokens = text.split(new RegExp(`([^${PY_WORD}])`, 'u'));
  return tokens
    .map((token) => {
      const lowered = pyLower(token);
      const skip = mapping.has(lowered) || skipped.has(lowered);
      if (!skip && cfg.sourceNames.includes(lowered)) {
        if (rng.uniform(0, 1) < cfg.prob) {
          const name = substituteName(cfg, token, rng);
          if (name) mapping.set(lowered, name);
        } else skipped.add(lowered);
      }
      const sub = mapping.get(lowered);
      return sub === undefined ? token : matchCase(token, sub);
    })
    .join('');
}

export function personNameConfig(table: NameTable, prob = 1.0): PersonNameConfig {
  return {
    table,
    sourceNames: namesOf(table, 'race', 'white_american'),
    targetNames: namesOf(table, 'race', 'black_american'),
    prob,
  };
}

/** PersonNamePerturbation.apply: one rng and one name mapping shared by the references and then the input. */
export function personNamePerturbation(table: NameTable, prob = 1.0): Perturbation {
  const cfg = personNameConfig(table, prob);
  const p = { name: 'person_name', kind: 'fairness' as const };
  return {
    ...p,
    apply(instance: Instance): Instance {
      const rng = instanceRng(instance);
      const mapping = new Map<string, string>();
      const skipped = new Set<string>();
      const references = instance.references.map((r) => ({ ...r, text: personNameText(r.text, rng, cfg, mapping, skipped) }));
      return tagged(instance, p, personNameText(instance.input, rng, cfg, mapping, skipped), references);
    },
  };
}
