// HELM's in-context example sampling (in_context_learning_adapter.sample_examples, identical in
// v0.3.0 and the organisers' fork), on the CPython `random` replica so the same examples come out.
import { PythonRandom } from '../random/python-random.js';
import { firstCorrect, type Instance } from '../instance.js';
import { comparePythonStrings } from '../text/python-str.js';

/**
 * Picks min(len(train), k) in-context examples:
 * 1. random.seed(seed); group train instances by the text of their first correct reference;
 * 2. order labels by group size (descending; labels sorted, ties shuffled with random.shuffle);
 * 3. cycle through the labels popping `instances.pop(random.randrange(len(instances)))`;
 * 4. fill the rest from unlabeled instances with random.sample.
 * With sampleTrain = false: train[k*seed : k*(seed+1)].
 * `random` stands for CPython's global generator: it is seeded and advanced exactly as HELM's call
 * leaves the process's state (what the next unseeded shuffle starts from; tasks/suites/process-order.ts).
 */
export function sampleExamples(train: readonly Instance[], seed: number, k: number, sampleTrain = true, random = new PythonRandom()): Instance[] {
  random.seed(seed);
  let toSample = Math.min(train.length, k);
  if (!sampleTrain) return train.slice(toSample * seed, toSample * (seed + 1));

  const unlabeled: Instance[] = [];
  const byLabel = new Map<string, Instance[]>();
  for (const inst of train) {
    const gold = firstCorrect(inst);
    if (!gold) {
      unlabeled.push(inst);
      continue;
    }
    const group = byLabel.get(gold.text);
    if (group) group.push(inst);
    else byLabel.set(gold.text, [inst]);
  }

  const countsToLabels = new Map<number, string[]>();
  for (const label of [...byLabel.keys()].sort(comparePythonStrings)) {
    const n = byLabel.get(label)!.length;
    const labels = countsToLabels.get(n);
    if (labels) labels.push(label);
    else countsToLabels.set(n, [label]);
  }
  const sortedLabels: string[] = [];
  for (const count of [...countsToLabels.keys()].sort((a, b) => b - a)) {
    const labels = countsToLabels.get(count)!;
    random.shuffle(labels); // break ties at random
    sortedLabels.push(...labels);
  }

  const examples: Instance[] = [];
  let remainingLabeled = [...byLabel.values()].reduce((s, g) => s + g.length, 0);
  for (let i = 0; toSample > 0 && sortedLabels.length > 0; i = (i + 1) % sortedLabels.length) {
    const label = sortedLabels[i];
    // HELM stops at a falsy label (`if not next_label: break`): an empty-string label ends the cycle.
    if (label === '') break;
    // HELM would cycle forever here when the labeled pool runs dry before k; go on to the unlabeled fill.
    if (remainingLabeled === 0) break;
    const group = byLabel.get(label)!;
    if (group.length === 0) continue;
    examples.push(group.splice(random.randrange(group.length), 1)[0]);
    remainingLabeled--;
    toSample--;
  }
  if (toSample > unlabeled.length) {
    throw new Error(`sample_examples: need ${toSample} more examples but only ${unlabeled.length} unlabeled train instances remain`);
  }
  return examples.concat(random.sample(unlabeled, toSample));
}
