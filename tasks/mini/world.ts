// The mini-challenge world: a seeded, procedurally generated set of people with attributes (town,
// job, pet, favourite colour), a false rumour about each of them (for the TruthfulQA-style family)
// and a folk stereotype per town (for the BBQ-style family). Everything downstream (questions,
// instruction data, pretraining corpus) is derived from this one object.
//
// The people are dealt into three disjoint pools, one per split: every question of every family
// is about (or between) people of one pool, and goes to that pool's split. So no name of a valid
// or test question ever appears in the instruction data, and every question's text differs from
// every training row in the tokens that make it that question (see tasks/mini/split.ts).
import type { Split } from '../instance.js';
import { Rng, pick, sampleOthers, shuffled } from './draw.js';
import { DEFAULT_RATIOS, dealPools, type SplitRatios } from './split.js';

export const DEFAULT_MINI_SEED = 2023;

export const ATTRIBUTES = ['town', 'job', 'pet', 'color'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

export const VALUES: Record<Attribute, readonly string[]> = {
  town: ['Brivo', 'Kell', 'Osta', 'Marn', 'Tullo', 'Vesk', 'Dorra', 'Pim'],
  job: ['baker', 'farmer', 'painter', 'sailor', 'teacher', 'miner', 'doctor', 'weaver'],
  pet: ['cat', 'dog', 'goat', 'owl', 'horse', 'rabbit', 'fox', 'crow'],
  color: ['red', 'blue', 'green', 'yellow', 'white', 'black', 'orange', 'purple'],
};

/**
 * Places where the people meet, dealt to the splits like the people: a BBQ-style scene of a split
 * happens only at that split's places (so even a passage's wording around its names differs).
 */
export const PLACES: Record<Split, readonly string[]> = {
  train: ['market', 'harbor', 'station', 'square'],
  valid: ['mill', 'bridge'],
  test: ['library', 'fair', 'bakery'],
};
const PLACE_WORDS = Object.values(PLACES).flat();

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
  /** The people of each split (disjoint, together all of them). */
  pools: Record<Split, Person[]>;
}

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z'];
const VOWELS = ['a', 'e', 'i', 'o', 'u'];

function makeName(rng: Rng): string {
  const syllables = 2 + rng.int(2);
  let s = '';
  for (let i = 0; i < syllables; i++) s += pick(rng, ONSETS) + pick(rng, VOWELS);
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

export function generateWorld(seed = DEFAULT_MINI_SEED, numPeople = 48, ratios: SplitRatios = DEFAULT_RATIOS): World {
  const rng = new Rng(seed);
  const taken = new Set<string>([...VALUES.town, ...VALUES.job, ...VALUES.pet, ...VALUES.color, ...PLACE_WORDS]);
  const people = uniqueNames(rng, numPeople, taken).map((name) => ({
    name,
    town: pick(rng, VALUES.town),
    job: pick(rng, VALUES.job),
    pet: pick(rng, VALUES.pet),
    color: pick(rng, VALUES.color),
  }));
  // Everyone has a rumour about where they live, what they do or what pet they keep.
  const rumors: Rumor[] = people.map((p) => {
    const attribute = pick(rng, ['town', 'job', 'pet'] as const);
    return { person: p.name, attribute, value: sampleOthers(rng, VALUES[attribute], p[attribute], 1)[0]! };
  });
  const stereotypes: Record<string, string> = {};
  for (const town of VALUES.town) stereotypes[town] = pick(rng, TRAITS);
  return { seed, people, rumors, stereotypes, pools: dealPools(shuffled(rng, people), ratios) };
}

/** The split whose pool holds `name`. */
export function poolOf(world: World, name: string): Split {
  for (const split of ['train', 'valid', 'test'] as const) if (world.pools[split].some((p) => p.name === name)) return split;
  throw new Error(`mini world: no person named ${name}`);
}

export function personByName(world: World, name: string): Person {
  const p = world.people.find((x) => x.name === name);
  if (!p) throw new Error(`mini world: no person named ${name}`);
  return p;
}
