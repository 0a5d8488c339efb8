// A HELM perturbation (augmentations/perturbation.py): a seeded rewrite of an instance's input (and,
// for fairness perturbations, its references), keeping the instance id.
import type { Instance } from '../instance.js';
import { pythonRandomFromString, type PythonRandom } from '../random/python-random.js';
import { isLowerChar, isUpperChar, pyCapitalize, pyLower, pyUpper } from '../text/python-str.js';

export type PerturbationKind = 'robustness' | 'fairness';

export interface Perturbation {
  /** HELM's perturbation name ("mild_mix", "dialect", "gender", "person_name"). */
  readonly name: string;
  readonly kind: PerturbationKind;
  /** Returns the perturbed copy (meta.perturbation = kind, meta.perturbationName = name). */
  apply(instance: Instance): Instance;
}

/** Perturbation.get_rng with seed None (seeds_per_instance = 1): Random(instance.id). */
export function instanceRng(instance: Instance): PythonRandom {
  return pythonRandomFromString(instance.id);
}

/** helm.common.general.match_case: the target word in the case pattern of the source word. */
export function matchCase(source: string, target: string): string {
  const chars = Array.from(source);
  if (chars.every(isLowerChar)) return pyLower(target); // all(letter.islower() for letter in source_word)
  if (chars.every(isUpperChar)) return pyUpper(target);
  if (chars.length > 0 && isUpperChar(chars[0]!)) return pyCapitalize(target);
  return target;
}

export function tagged(instance: Instance, p: { name: string; kind: PerturbationKind }, input: string, references = instance.references): Instance {
  return { ...instance, input, references, meta: { ...instance.meta, perturbation: p.kind, perturbationName: p.name } };
}

/**
 * Perturbation.apply: one rng from the instance id; references first (when perturbed), in order,
 * then the input, all drawing from that same rng.
 */
export function textPerturbation(
  name: string,
  kind: PerturbationKind,
  perturbReferences: boolean,
  perturb: (text: string, rng: PythonRandom) => string,
): Perturbation {
  return {
    name,
    kind,
    apply(instance) {
      const rng = instanceRng(instance);
      const references = perturbReferences
        ? instance.references.map((r) => ({ ...r, text: perturb(r.text, rng) }))
        : instance.references;
      return tagged(instance, { name, kind }, perturb(instance.input, rng), references);
    },
  };
}
