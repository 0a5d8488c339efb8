// The pretraining corpus: plain sentences about the world, several phrasings per fact, in shuffled
// short documents (varied phrasing is what lets a small model later answer questions about facts it
// only read as prose). Rumours and stereotypes appear as hearsay, arithmetic as worked sums.
import { Rng } from './random.js';
import type { Person, World } from './world.js';
import { personByName } from './world.js';

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
    if (extra < 0.4 && world.rumors.length > 0) parts.push(hearsay(rng, world));
    else if (extra < 0.55) parts.push(folklore(rng, world));
    else parts.push(sum(rng));
    docs.push(rng.shuffle(parts).join(' '));
  }
  return docs;
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? 'an' : 'a';
}
