// HELM's canonical data augmentation: the entry points the runner and the data fetcher use.
export { augmentInstances, augmentWith, canonicalPerturbations, type CanonicalPerturbations } from './augment.js';
export { AUGMENTATION_RESOURCES, type AugmentationResource } from './resources.js';
export type { Perturbation, PerturbationKind } from './perturbation.js';
