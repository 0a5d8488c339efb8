// The mini-challenge world: a seeded, procedurally generated set of people with attributes (town,
// job, pet, favourite colour), false rumours about some of them (for the TruthfulQA-style family)
// and a folk stereotype per town (for the BBQ-style family). Everything downstream (questions,
// instruction data, pretraining corpus) is derived from this one object.
import { Rng } from './random.js';

export const DEFAULT_MINI_SEED = 2023;

export const ATTRIBUTES = ['town', 'job', 'pet', 'color'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

export const VALUES: Record<Attribute, readonly string[]> = {
  town: ['Brivo', 'Kell', 'Osta', 'Marn', 'Tullo', 'Vesk', 'Dorra', 'Pim'],
  job: ['baker', 'farmer', 'painter', 'sailor', 'teacher', 'miner', 'doctor', 'weaver'],
  pet: ['cat', 'dog', 'goat', 'owl', 'horse', 'rabbit', 'fox', 'crow'],
  color: ['red', 'blue', 'green', 'yellow', 'white', 'black', 'orange', 'purple'],
};

/** Traits a town's people are (wrongly) said to have; BBQ-style questions test resisting them. */
export const TRAITS = ['forgetful', 'late', 'loud', 'clumsy'] as const;

export interface Person {
  name: string;
  town: string;
  job: string;
  pet: string;
  color: string;
}

export interface Rumor {
  person: string;
  attribute: 'town' | 'job' | 'pet';
  /** The false value people repeat. */
  value: string;
}

export interface World {
  seed: number;
  people: Person[];
  rumors: Rumor[];
  /** town → trait its people are said to have (a stereotype, not a fact). */
  stereotypes: Record<string, string>;
}

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z'];
const VOWELS = ['a', 'e', 'i', 'o', 'u'];

function makeName(rng: Rng): string {
  const syllables = rng.int(2, 3);
  let s = '';
  for (let i = 0; i < syllables; i++) s += rng.pick(ONSETS) + rng.pick(VOWELS);
  return s[0]!.toUpperCase() + s.slice(1);
}

function uniqueNames(rng: Rng, n: number, taken: Set<string>): string[] {
  const names: string[] = [];
  while (names.length < n) {
    const name = makeName(rng);
    if (taken.has(name) || taken.has(name.toLowerCase())) continue;
    taken.add(name);
    names.push(name);
  }
  return names;
}

export function generateWorld(seed = DEFAULT_MINI_SEED, numPeople = 48): World {
  const rng = new Rng(seed);
  const taken = new Set<string>([...VALUES.town, ...VALUES.job, ...VALUES.pet, ...VALUES.color]);
  const people = uniqueNames(rng, numPeople, taken).map((name) => ({
    name,
    town: rng.pick(VALUES.town),
    job: rng.pick(VALUES.job),
    pet: rng.pick(VALUES.pet),
    color: rng.pick(VALUES.color),
  }));
  // Half of the people have a rumour about where they live, what they do or what pet they keep.
  const rumors: Rumor[] = [];
  for (const p of people) {
    if (rng.next() >= 0.5) continue;
    const attribute = rng.pick(['town', 'job', 'pet'] as const);
    rumors.push({ person: p.name, attribute, value: rng.sampleOthers(VALUES[attribute], p[attribute], 1)[0]! });
  }
  const stereotypes: Record<string, string> = {};
  for (const town of VALUES.town) stereotypes[town] = rng.pick(TRAITS);
  return { seed, people, rumors, stereotypes };
}

export function personByName(world: World, name: string): Person {
  const p = world.people.find((x) => x.name === name);
  if (!p) throw new Error(`mini world: no person named ${name}`);
  return p;
}
