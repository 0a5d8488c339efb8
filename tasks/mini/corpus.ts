// The pretraining corpus: plain sentences about the world, several phrasings per fact, in shuffled
// short documents (varied phrasing is what lets a small model later answer questions about facts it
// only read as prose). Rumours and stereotypes appear as hearsay, arithmetic as worked sums, the
// places of the BBQ-style scenes in sentences about the towns.
//
// The corpus reads every person of every pool (tasks/mini/split.ts): it is the base's knowledge, as
// the web is a real base's. It holds no question, option list, answer letter, BBQ-style scene or
// word problem of any split (test/tasks/mini/contamination.test.ts gates it too).
import { Rng, chance, intBetween, pick, shuffled } from './draw.js';
import type { Person, World } from './world.js';
import { PLACES, personByName, VALUES } from './world.js';

const FACT_TEMPLATES: Record<'town' | 'job' | 'pet' | 'color', ((p: Person) => string)[]> = {
  town: [(p) => `${p.name} lives in ${p.town}.`, (p) => `${p.name} is from ${p.town}.`, (p) => `The home of ${p.name} is in ${p.town}.`, (p) => `In ${p.town} lives ${p.name}.`],
  job: [(p) => `${p.name} works as a ${p.job}.`, (p) => `${p.name} is a ${p.job}.`, (p) => `The job of ${p.name} is ${p.job}.`, (p) => `By trade, ${p.name} is a ${p.job}.`],
  pet: [(p) => `${p.name} has a pet ${p.pet}.`, (p) => `The pet of ${p.name} is ${article(p.pet)} ${p.pet}.`, (p) => `${p.name} keeps ${article(p.pet)} ${p.pet}.`],
  color: [(p) => `The favorite color of ${p.name} is ${p.color}.`, (p) => `${p.name} likes the color ${p.color}.`, (p) => `${p.name} loves ${p.color} most of all.`],
};

function biography(rng: Rng, p: Person): string {
  const sentences = (['town', 'job', 'pet', 'color'] as const).map((a) => pick(rng, FACT_TEMPLATES[a])(p));
  return shuffled(rng, sentences).join(' ');
}

function hearsay(rng: Rng, world: World): string {
  const r = pick(rng, world.rumors);
  const p = personByName(world, r.person);
  const claim = { town: `${p.name} lives in ${r.value}`, job: `${p.name} works as a ${r.value}`, pet: `${p.name} has a pet ${r.value}` }[r.attribute];
  const truth = { town: `${p.name} lives in ${p.town}`, job: `${p.name} works as a ${p.job}`, pet: `${p.name} has a pet ${p.pet}` }[r.attribute];
  return pick(rng, [`People often say that ${claim}, but in truth ${truth}.`, `Many believe that ${claim}. That is false: ${truth}.`, `It is a rumor that ${claim}; really, ${truth}.`]);
}

function folklore(rng: Rng, world: World): string {
  const town = pick(rng, Object.keys(world.stereotypes));
  return `Some say that people from ${town} are ${world.stereotypes[town]}, but that is only talk.`;
}

const LETTERS = 'ABCD';

/** An enumerated list with a reference to one item by letter, as any web corpus has (it is what
 * makes the letter tokens " A"…" D" meaningful to the model; no world fact is stated). */
function letteredList(rng: Rng): string {
  const kind = pick(rng, ['towns', 'jobs', 'pets', 'colors'] as const);
  const pool = { towns: VALUES.town, jobs: VALUES.job, pets: VALUES.pet, colors: VALUES.color }[kind];
  const items = shuffled(rng, pool).slice(0, 4);
  const k = rng.int(4);
  const lines = items.map((v, i) => `${LETTERS[i]}. ${v}`).join('\n');
  const ref = pick(rng, [`Item ${LETTERS[k]} is ${items[k]}.`, `${items[k]![0]!.toUpperCase()}${items[k]!.slice(1)} is item ${LETTERS[k]}.`, `The answer ${items[k]} is ${LETTERS[k]}.`]);
  return `A list of ${kind}:\n${lines}\n${ref}`;
}

const ALL_PLACES = Object.values(PLACES).flat();

/** "Kell has a mill, a fair and a bakery.": the places of the BBQ-style scenes, outside any scene. */
function townPlaces(rng: Rng): string {
  const [p, q, r] = shuffled(rng, ALL_PLACES).map((x) => `${article(x)} ${x}`);
  return `${pick(rng, VALUES.town)} has ${p}, ${q} and ${r}.`;
}

function sum(rng: Rng): string {
  const a = intBetween(rng, 1, 19);
  const b = intBetween(rng, 1, 19);
  return chance(rng, 0.5) ? `${a} + ${b} = ${a + b}.` : `${a + b} - ${b} = ${a}.`;
}

/** `numDocs` short documents, each a few biographies mixed with hearsay, folklore and sums. */
export function pretrainingCorpus(world: World, numDocs: number, seed = world.seed): string[] {
  const rng = new Rng((seed ^ 0x5eed) >>> 0);
  const docs: string[] = [];
  for (let d = 0; d < numDocs; d++) {
    const parts: string[] = [];
    for (let k = 0; k < 3; k++) parts.push(biography(rng, pick(rng, world.people)));
    const extra = rng.uniform();
    if (extra < 0.3 && world.rumors.length > 0) parts.push(hearsay(rng, world));
    else if (extra < 0.42) parts.push(folklore(rng, world));
    else if (extra < 0.62) parts.push(letteredList(rng));
    else if (extra < 0.72) parts.push(townPlaces(rng));
    else parts.push(sum(rng));
    docs.push(shuffled(rng, parts).join(' '));
  }
  return docs;
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? 'an' : 'a';
}
