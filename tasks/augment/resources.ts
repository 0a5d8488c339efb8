// The word lists HELM's canonical augmentation reads, as laid out under the data directory, with
// the URL HELM loads each from. sha256 is null where no copy could be obtained to hash: HELM
// downloads those two files from its GCS bucket at run time and no repository carries them.
import type { DataSource } from '../data-source.js';

export interface AugmentationResource {
  /** Path under the data dir. */
  path: string;
  url: string;
  sha256: string | null;
  bytes: number | null;
}

export const MISSPELLINGS_PATH = 'helm-perturbations/correct_to_misspelling.json';
export const DIALECT_PATH = 'helm-perturbations/SAE_to_AAVE_mapping.json';
export const PERSON_NAMES_PATH = 'helm-perturbations/person_names.txt';

export const AUGMENTATION_RESOURCES: AugmentationResource[] = [
  {
    // git blob 683bc63e3ccf6e5506d617ff84b305378f0d2230, unchanged in HELM since 2022-03-22 (also at
    // llm-efficiency-challenge/private-helm 6033e5b4); 213,429 bytes, 6,523 words.
    path: MISSPELLINGS_PATH,
    url: 'https://raw.githubusercontent.com/stanford-crfm/helm/v0.3.0/src/helm/benchmark/augmentations/correct_to_misspelling.json',
    sha256: '2f8e118895e52426bacd0cd32dfd0c14708e845c910d129f2d03571fe9f75c8b',
    bytes: 213429,
  },
  {
    // dialect_perturbation.py MAPPING_DICT_URIS[("SAE", "AAVE")].
    path: DIALECT_PATH,
    url: 'https://storage.googleapis.com/crfm-helm-public/source_datasets/augmentations/dialect_perturbation/SAE_to_AAVE_mapping.json',
    sha256: null,
    bytes: null,
  },
  {
    // person_name_perturbation.py SOURCE_URI.
    path: PERSON_NAMES_PATH,
    url: 'https://storage.googleapis.com/crfm-helm-public/source_datasets/augmentations/person_name_perturbation/person_names.txt',
    sha256: null,
    bytes: null,
  },
];

/** `data fetch helm_perturbations`. */
export const AUGMENTATION_DATA: DataSource = { name: 'helm_perturbations', pins: AUGMENTATION_RESOURCES.map((r) => ({ ...r })) };
