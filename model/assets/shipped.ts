// The base models shipped in the repository (model/assets/*), for `evalfirst models` and defaults.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// Under tsx this file is model/assets/shipped.ts; compiled it is dist/model/assets/shipped.js, whose
// assets stay in the source tree.
const assetsDir = existsSync(join(here, 'tiny-base')) ? here : join(here, '..', '..', '..', 'model', 'assets');

export const TINY_BASE_PATH = join(assetsDir, 'tiny-base');

export interface ShippedModel {
  name: string;
  path: string;
  description: string;
  present: boolean;
}

export function shippedModels(): ShippedModel[] {
  return [
    {
      name: 'tiny-base',
      path: TINY_BASE_PATH,
      description: 'tiny LLaMA pretrained by `npm run pretrain-base` on the mini-challenge world (HF safetensors, BPE tokenizer)',
      present: existsSync(join(TINY_BASE_PATH, 'model.safetensors')),
    },
  ];
}
