// The unit of evaluation, as HELM models it: an input, its references, and the split it belongs to.

export type Split = 'train' | 'valid' | 'test';

export interface Reference {
  text: string;
  /** HELM's CORRECT_TAG: true for gold references. */
  correct: boolean;
}

export interface Instance {
  /** Stable id within a scenario (e.g. "id42" or "anatomy_test:17"); pairs runs in `compare`. */
  id: string;
  input: string;
  references: Reference[];
  split: Split;
  /** Free-form extras a scenario wants to keep (e.g. BBQ's context condition, a perturbation name). */
  meta?: Record<string, string | number | boolean>;
}

/** The first correct reference, or undefined. */
export function firstCorrect(instance: Instance): Reference | undefined {
  return instance.references.find((r) => r.correct);
}
