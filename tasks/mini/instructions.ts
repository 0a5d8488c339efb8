// The instruction-tuning set: rows drawn only from train-split instances (never valid/test), so only
// about people of the train pool (tasks/mini/split.ts), in the
// eval prompt format ({"prompt","completion"}: the adapter's zero-shot prompt of the instance under
// its run entry's adapter spec, tasks/adapters/zero-shot-pair.ts) plus free-form fact answers in the
// Alpaca shape ({"instruction","input","output"}). Multiple-choice rows are repeated with
// re-shuffled options so that the letter, not its position, is learned.
import type { Instance } from '../instance.js';
import { zeroShotPair } from '../adapters/zero-shot-pair.js';
import { instanceSpec, type Family } from './family.js';
import { FAMILIES } from './families.js';
import { MMLU_FAMILY, factQuestion } from './mmlu-family.js';
import { TRUTHFUL_QA_FAMILY, truthQuestion } from './truthful-qa-family.js';
import { keyedRng, shuffled, type Rng } from './draw.js';
import { personByName, type Attribute, type World } from './world.js';

export type InstructionRow =
  | { prompt: string; completion: string }
  | { instruction: string; input: string; output: string };

const FACT_INSTRUCTION = 'Answer the question about the people of the mini world.';

function factAnswer(world: World, person: string, attribute: Attribute): string {
  const p = personByName(world, person);
  return {
    town: `${p.name} lives in ${p.town}.`,
    job: `${p.name} works as a ${p.job}.`,
    pet: `${p.name} has a pet ${p.pet}.`,
    color: `The favorite color of ${p.name} is ${p.color}.`,
  }[attribute];
}

function reshuffled(instance: Instance, rng: Rng): Instance {
  return { ...instance, references: shuffled(rng, instance.references) };
}

/** A train instance of a family as a training row in its eval format. */
export function evalFormatRow(family: Family, instance: Instance): InstructionRow {
  return zeroShotPair(instanceSpec(family, instance), instance);
}

export function instructionRows(world: World, mcRepeats = 5): InstructionRow[] {
  const rng = keyedRng(world.seed, 'instructions');
  const rows: InstructionRow[] = [];
  for (const family of FAMILIES) {
    for (const inst of family.instances(world)) {
      if (inst.split !== 'train') continue;
      const repeats = instanceSpec(family, inst).method === 'multiple_choice_joint' ? mcRepeats : 1;
      for (let k = 0; k < repeats; k++) rows.push(evalFormatRow(family, k === 0 ? inst : reshuffled(inst, rng)));
      if (family === MMLU_FAMILY) {
        const person = String(inst.meta!.person);
        const attribute = inst.meta!.attribute as Attribute;
        rows.push({ instruction: FACT_INSTRUCTION, input: factQuestion(personByName(world, person), attribute), output: factAnswer(world, person, attribute) });
        // TruthfulQA-format practice on facts without a rumour (disjoint from the TruthfulQA questions).
        if (attribute !== 'color' && !world.rumors.some((r) => r.person === person && r.attribute === attribute)) {
          const p = personByName(world, person);
          const wrongs = inst.references.filter((r) => !r.correct).map((r) => ({ text: statementFor(p.name, attribute, r.text), correct: false }));
          const q: Instance = {
            id: `${inst.id}:tqa`,
            input: truthQuestion(p, attribute),
            references: shuffled(rng, [...wrongs, { text: statementFor(p.name, attribute, p[attribute]), correct: true }]),
            split: 'train',
          };
          rows.push(evalFormatRow(TRUTHFUL_QA_FAMILY, q));
        }
      }
    }
  }
  return shuffled(rng, rows);
}

function statementFor(name: string, attribute: 'town' | 'job' | 'pet', value: string): string {
  return { town: `${name} lives in ${value}.`, job: `${name} works as a ${value}.`, pet: `${name} has a pet ${value}.` }[attribute];
}
