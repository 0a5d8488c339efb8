// MMLU-style family: 4-way multiple choice about the world's facts, one question per
// (person, attribute). Subjects group the attributes the way MMLU groups questions by subject.
// A question's split is its person's pool (tasks/mini/split.ts): the facts of valid and test people
// are never asked or answered in the instruction data (the base read them all in pretraining, as a
// web-trained model reads the facts MMLU asks about).
import type { Instance } from '../instance.js';
import { multipleChoiceJointSpec } from '../adapters/helm-specs.js';
import type { AdapterSpec } from '../adapters/adapter-spec.js';
import { EXACT_MATCH } from '../metrics/basic-metrics.js';
import { MINI_WINDOW, type Family } from './family.js';
import { keyedRng, sampleOthers, shuffled } from './draw.js';
import { ATTRIBUTES, VALUES, poolOf, type Attribute, type Person, type World } from './world.js';

export const MMLU_SUBJECTS: Record<string, Attribute> = {
  geography: 'town',
  occupations: 'job',
  animals: 'pet',
  colors: 'color',
};

export function subjectOf(attribute: Attribute): string {
  return Object.entries(MMLU_SUBJECTS).find(([, a]) => a === attribute)![0];
}

export function factQuestion(p: Person, attribute: Attribute): string {
  switch (attribute) {
    case 'town':
      return `In which town does ${p.name} live?`;
    case 'job':
      return `What is the job of ${p.name}?`;
    case 'pet':
      return `What pet does ${p.name} have?`;
    case 'color':
      return `What is the favorite color of ${p.name}?`;
  }
}

export function mmluInstances(world: World): Instance[] {
  const out: Instance[] = [];
  for (const p of world.people) {
    for (const attribute of ATTRIBUTES) {
      const key = `mmlu:${p.name}:${attribute}`;
      const rng = keyedRng(world.seed, key);
      const options = shuffled(rng, [p[attribute], ...sampleOthers(rng, VALUES[attribute], p[attribute], 3)]);
      out.push({
        id: key,
        input: factQuestion(p, attribute),
        references: options.map((text) => ({ text, correct: text === p[attribute] })),
        split: poolOf(world, p.name),
        meta: { subject: subjectOf(attribute), person: p.name, attribute },
      });
    }
  }
  return out;
}

/** get_mmlu_spec's adapter spec with the mini world's subject, zero-shot in the mini window. */
export function miniMmluSpec(subject: string): AdapterSpec {
  return multipleChoiceJointSpec({
    instructions: `The following are multiple choice questions (with answers) about ${subject.replace(/_/g, ' ')}.`,
    inputNoun: 'Question',
    outputNoun: 'Answer',
    maxTrainInstances: 0,
    extra: { maxSequenceLength: MINI_WINDOW },
  });
}

export const MMLU_FAMILY: Family = {
  name: 'mini_mmlu',
  instances: mmluInstances,
  args: { subject: ['all', ...Object.keys(MMLU_SUBJECTS)] },
  // An entry without a subject is about the whole world (mini.conf names one subject per entry).
  spec: (args) => miniMmluSpec(args.subject ?? 'the mini world'),
  keep: (args) => {
    const subject = args.subject ?? 'all';
    return (i) => subject === 'all' || i.meta?.subject === subject;
  },
  entryArgs: (i) => ({ subject: String(i.meta?.subject) }),
  group: { name: 'mini_mmlu', mainMetric: EXACT_MATCH, mainSplit: 'test' },
};
