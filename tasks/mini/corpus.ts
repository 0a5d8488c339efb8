// The pretraining corpus: plain sentences about the world, several phrasings per fact, in shuffled
// short documents (varied phrasing is what lets a small model later answer questions about facts it
// only read as prose). Rumours and stereotypes appear as hearsay, arithmetic as worked sums.
import { Rng } from './random.js';
import type { Person, World } from './world.js';
import { personByName, VALUES } from './world.js';

const FACT_TEMPLATES: Record<'town' | 'job' | 'pet' | 'color', ((p: Person) => string)[]> = {
  town: [(p) => `${p.name} lives in ${p.town}.`, (p) => `${p.name} is from ${p.town}.`, (p) => `The home of ${p.name} is in ${p.town}.`, (p) => `In ${p.town} lives ${p.name}.`],
  job: [(p) => `${p.name} works as a ${p.job}.`, (p) => `${p.name} is a ${p.job}.`, (p) => `The job of ${p.name} is ${p.job}.`, (p) => `By trade, ${p.name} is a ${p.job}.`],
  pet: [(p) => `${p.name} has a pet ${p.pet}.`, (p) => `The pet of ${p.name} is ${article(p.pet)} ${p.pet}.`, (p) => `${p.name} keeps ${article(p.pet)} ${p.pet}.`],
  color: [(p) => `The favorite color of ${p.name} is ${p.color}.`, (p) => `${p.name} likes the color ${p.color}.`, (p) => `${p.name} loves ${p.color} most of all.`],
};

function biography(rng: Rng, p: Person): string {
  const sentences = (['town', 'job', 'pet', 'color'] as const).map((a) => rng.pick(FACT_TEMPLATES[a])(p));
  return rng.shuffle(sentences).join(' ');
}

function hearsay(rng: Rng, world: World): string {
  const r = rng.pick(world.rumors);
  const p = personByName(world, r.person);
  const claim = { town: `${p.name} lives in ${r.value}`, job: `${p.name} works as a ${r.value}`, pet: `${p.name} has a pet ${r.value}` }[r.attribute];
  const truth = { town: `${p.name} lives in ${p.town}`, job: `${p.name} works as a ${p.job}`, pet: `${p.name} has a pet ${p.pet}` }[r.attribute];
  return rng.pick([`People often say that ${claim}, but in truth ${truth}.`, `Many believe that ${claim}. That is false: ${truth}.`, `It is a rumor that ${claim}; really, ${truth}.`]);
}

function folklore(rng: Rng, world: World): string {
  const town = rng.pick(Object.keys(world.stereotypes));
  return `Some say that people from ${town} are ${world.stereotypes[town]}, but that is only talk.`;
}

const LETTERS = 'ABCD';

/** An enumerated list with a reference to one item by letter, as any web corpus has (it is what
 * makes the letter tokens " A"…" D" meaningful to the model; no world fact is stated). */
function letteredList(rng: Rng): string {
  const kind = rng.pick(['towns', 'jobs', 'pets', 'colors'] as const);
  const pool = { towns: VALUES.town, jobs: VALUES.job, pets: VALUES.pet, colors: VALUES.color }[kind];
  const items = rng.shuffle(pool).slice(0, 4);
  const k = rng.int(0, 3);
  const lines = items.map((v, i) => `${LETTERS[i]}. ${v}`).join('\n');
  const ref = rng.pick([`Item ${LETTERS[k]} is ${items[k]}.`, `${items[k]![0]!.toUpperCase()}${items[k]!.slice(1)} is item ${LETTERS[k]}.`, `The answer ${items[k]} is ${LETTERS[k]}.`]);
  return `A list of ${kind}:\n${lines}\n${ref}`;
}

function sum(rng: Rng): string {
  const a = rng.int(1, 19);
  const b = rng.int(1, 19);
  return rng.next() < 0.5 ? `${a} + ${b} = ${a + b}.` : `${a + b} - ${b} = ${a}.`;
}

/** `numDocs` short documents, each a few biographies mixed with hearsay, folklore and sums. */
export function pretrainingCorpus(world: World, numDocs: number, seed = world.seed): string[] {
  const rng = new Rng(seed ^ 0x5eed);
  const docs: string[] = [];
  for (let d = 0; d < numDocs; d++) {
    const parts: string[] = [];
    for (let k = 0; k < 3; k++) parts.push(biography(rng, rng.pick(world.people)));
    const extra = rng.next();
    if (extra < 0.3 && world.rumors.length > 0) parts.push(hearsay(rng, world));
    else if (extra < 0.42) parts.push(folklore(rng, world));
    else if (extra < 0.7) parts.push(letteredList(rng));
    else parts.push(sum(rng));
    docs.push(rng.shuffle(parts).join(' '));
  }
  return docs;
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? 'an' : 'a';
}
