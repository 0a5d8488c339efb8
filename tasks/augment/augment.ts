// HELM's canonical data augmentation (data_augmentation=canonical): each eval instance is followed by
// its perturbed copies — MildMix (robustness), then dialect, gender, person_name (fairness) — each
// kept only when it changed the input (should_skip_unchanged_eval). Train instances are untouched.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Instance } from '../instance.js';
import { UserError } from '../../core/errors.js';
import type { Perturbation } from './perturbation.js';
import { mildMixPerturbation, type MisspellingTable } from './mild-mix.js';
import { dialectPerturbation, genderPerturbation, parseNameFile, personNamePerturbation, type DialectMapping } from './fairness.js';
import { DIALECT_PATH, MISSPELLINGS_PATH, PERSON_NAMES_PATH } from './resources.js';

/** DataAugmenter.generate with include_original=True, skip_unchanged=True, one seed per instance. */
export function augmentWith(instances: Instance[], perturbations: Perturbation[]): Instance[] {
  const train = instances.filter((i) => i.split === 'train');
  const evalOut: Instance[] = [];
  for (const instance of instances) {
    if (instance.split === 'train') continue;
    evalOut.push(instance);
    for (const p of perturbations) {
      const perturbed = p.apply(instance);
      if (perturbed.input !== instance.input) evalOut.push(perturbed);
    }
  }
  return [...train, ...evalOut];
}

async function readResource(dataDir: string, path: string): Promise<string> {
  const file = join(dataDir, path);
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UserError(`${file}: cannot read (${code}); canonical augmentation needs it (evalfirst data fetch helm_perturbations)`);
  }
}

function parseJsonListTable(text: string, file: string): Record<string, string[]> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new UserError(`${file}: expected a JSON object of word → list of words`);
  for (const [k, v] of Object.entries(data)) {
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string')) {
      throw new UserError(`${file}: entry "${k}" must be a non-empty list of strings`);
    }
  }
  return data as Record<string, string[]>;
}

export interface CanonicalPerturbations {
  perturbations: Perturbation[];
  /** Perturbations left out because their word list is missing (only with skipUnavailable). */
  unavailable: { name: string; path: string }[];
}

/** The canonical perturbations in HELM's order, built from the word lists under dataDir. */
export async function canonicalPerturbations(dataDir: string, opts: { skipUnavailable?: boolean } = {}): Promise<CanonicalPerturbations> {
  const unavailable: CanonicalPerturbations['unavailable'] = [];
  const load = async <T>(name: string, path: string, build: (text: string) => T): Promise<T | null> => {
    try {
      return build(await readResource(dataDir, path));
    } catch (e) {
      if (opts.skipUnavailable && e instanceof UserError && /cannot read/.test(e.message)) {
        unavailable.push({ name, path });
        return null;
      }
      throw e;
    }
  };
  const misspellings = await load('mild_mix', MISSPELLINGS_PATH, (t) => parseJsonListTable(t, join(dataDir, MISSPELLINGS_PATH)) as MisspellingTable);
  const dialect = await load('dialect', DIALECT_PATH, (t) => parseJsonListTable(t, join(dataDir, DIALECT_PATH)) as DialectMapping);
  const names = await load('person_name', PERSON_NAMES_PATH, (t) => parseNameFile(t));
  const perturbations: Perturbation[] = [];
  if (misspellings) perturbations.push(mildMixPerturbation(misspellings));
  if (dialect) perturbations.push(dialectPerturbation(dialect));
  perturbations.push(genderPerturbation());
  if (names) perturbations.push(personNamePerturbation(names));
  return { perturbations, unavailable };
}

/**
 * Originals plus their perturbed copies (same id; meta.perturbation = "robustness" | "fairness",
 * meta.perturbationName = HELM's name). A missing word list is an error unless skipUnavailable, which
 * leaves that perturbation out (the worst case is then taken over fewer variants than HELM's).
 */
export async function augmentInstances(
  instances: Instance[],
  dataDir: string,
  opts: { skipUnavailable?: boolean } = {},
): Promise<Instance[]> {
  const { perturbations } = await canonicalPerturbations(dataDir, opts);
  return augmentWith(instances, perturbations);
}
