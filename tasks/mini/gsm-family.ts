// GSM8K-style family: short arithmetic word problems about the world's people; the gold answer is
// a one-line solution ending "The answer is N." (HELM's GSM gold format). A split's problems are
// between people of that split's pool (tasks/mini/split.ts): every 13 words of a problem or of its
// solution hold a name, so no valid or test problem shares a 13-gram with a training row.
import type { Instance, Split } from '../instance.js';
import { generationSpec } from '../adapters/helm-specs.js';
import { EXACT_MATCH_INDICATOR } from '../metrics/basic-metrics.js';
import { MINI_WINDOW, type Family } from './family.js';
import { chance, intBetween, keyedRng, pick, shuffled } from './draw.js';
import { SPLITS } from './split.js';
import type { Person, World } from './world.js';

const ITEMS = ['apples', 'coins', 'eggs', 'books', 'shells', 'pears'];

export const GSM_COUNTS: Record<Split, number> = { train: 144, valid: 48, test: 48 };

function splitInstances(world: World, split: Split, count: number): Instance[] {
  const rng = keyedRng(world.seed, `gsm:${split}`);
  const seen = new Set<string>();
  const out: Instance[] = [];
  let attempts = 0;
  while (out.length < count && attempts++ < count * 20) {
    const [p, q] = shuffled(rng, world.pools[split]).slice(0, 2) as [Person, Person];
    const item = pick(rng, ITEMS);
    const add = chance(rng, 0.5);
    const a = intBetween(rng, 2, 19);
    const b = add ? intBetween(rng, 1, 19) : intBetween(rng, 1, a - 1);
    const c = add ? a + b : a - b;
    const question = add
      ? `${p.name} has ${a} ${item}. ${q.name} gives ${p.name} ${b} more ${item}. How many ${item} does ${p.name} have now?`
      : `${p.name} has ${a} ${item}. ${p.name} gives ${b} ${item} to ${q.name}. How many ${item} does ${p.name} have now?`;
    if (seen.has(question)) continue;
    seen.add(question);
    const solution = `${p.name} has ${a} ${add ? '+' : '-'} ${b} = ${c} ${item}. The answer is ${c}.`;
    out.push({
      id: `gsm:${split}:${out.length}`,
      input: question,
      references: [{ text: solution, correct: true }],
      split,
      meta: { answer: c },
    });
  }
  if (out.length < count) throw new Error(`mini_gsm: the ${split} pool gives only ${out.length} distinct problems (${count} wanted)`);
  return out;
}

export function gsmInstances(world: World, counts: Record<Split, number> = GSM_COUNTS): Instance[] {
  return SPLITS.flatMap((split) => splitInstances(world, split, counts[split]));
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
