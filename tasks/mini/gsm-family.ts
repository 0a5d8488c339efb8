// GSM8K-style family: short arithmetic word problems about the world's people; the gold answer is
// a one-line solution ending "The answer is N." (HELM's GSM gold format).
import type { Instance } from '../instance.js';
import { generationSpec } from '../adapters/helm-specs.js';
import { EXACT_MATCH_INDICATOR } from '../metrics/basic-metrics.js';
import { MINI_WINDOW, type Family } from './family.js';
import { Rng, hashString } from './random.js';
import { assignSplit } from './split.js';
import type { World } from './world.js';

const ITEMS = ['apples', 'coins', 'eggs', 'books', 'shells', 'pears'];

export function gsmInstances(world: World, count = 240): Instance[] {
  const rng = new Rng(world.seed ^ hashString('gsm'));
  const seen = new Set<string>();
  const out: Instance[] = [];
  let attempts = 0;
  while (out.length < count && attempts++ < count * 20) {
    const [p, q] = rng.shuffle(world.people).slice(0, 2) as [(typeof world.people)[0], (typeof world.people)[0]];
    const item = rng.pick(ITEMS);
    const add = rng.next() < 0.5;
    const a = rng.int(2, 19);
    const b = add ? rng.int(1, 19) : rng.int(1, a - 1);
    const c = add ? a + b : a - b;
    const question = add
      ? `${p.name} has ${a} ${item}. ${q.name} gives ${p.name} ${b} more ${item}. How many ${item} does ${p.name} have now?`
      : `${p.name} has ${a} ${item}. ${p.name} gives ${b} ${item} to ${q.name}. How many ${item} does ${p.name} have now?`;
    if (seen.has(question)) continue;
    seen.add(question);
    const solution = `${p.name} has ${a} ${add ? '+' : '-'} ${b} = ${c} ${item}. The answer is ${c}.`;
    out.push({
      id: `gsm:${out.length}`,
      input: question,
      references: [{ text: solution, correct: true }],
      split: assignSplit(world.seed, question),
      meta: { answer: c },
    });
  }
  return out;
}

export const GSM_FAMILY: Family = {
  name: 'mini_gsm',
  instances: (w) => gsmInstances(w),
  args: {},
  // get_gsm_spec's, zero-shot, with room for the one-line solutions.
  spec: () => generationSpec({ inputNoun: 'Q', outputNoun: 'A', maxTrainInstances: 0, maxTokens: 48, stopSequences: ['\n\n'], extra: { maxSequenceLength: MINI_WINDOW } }),
  entryArgs: () => ({}),
  group: { name: 'mini_gsm', mainMetric: EXACT_MATCH_INDICATOR, mainSplit: 'test' },
};
