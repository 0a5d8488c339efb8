// A sha256 over a scenario's instances in order ([input, [[text, correct]...], split] per line, as
// compact JSON), to compare with the same digest computed by HELM's Python loaders.
import { createHash } from 'node:crypto';
import type { Instance } from '../../../tasks/instance.js';

export function instanceDigest(instances: Pick<Instance, 'input' | 'references' | 'split'>[]): string {
  const h = createHash('sha256');
  for (const i of instances) {
    h.update(JSON.stringify([i.input, i.references.map((r) => [r.text, r.correct]), i.split]) + '\n');
  }
  return h.digest('hex');
}

export function splitCounts(instances: Pick<Instance, 'split'>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of instances) out[i.split] = (out[i.split] ?? 0) + 1;
  return out;
}
