// Exports what the torch replica (replica.py) trains and scores: tokenized pretraining corpora (the
// shipped corpus and variants), the tokenized instruction rows, and the mini-suite multiple-choice
// items with their gold letter token. The question shape is whatever tasks/mini builds (apply
// who-format.patch first for the "Who works as a weaver?" shape).
//   node --import tsx bench/mini-capacity/export.ts --vocab 768 --prefix v768_ [--shipped-tokenizer]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TINY_BASE_PATH } from '../../model/assets/shipped.js';
import { alpacaPrompt, tokenizePairs } from '../../model/train/training-data.js';
import { loadTokenizer } from '../../model/train/finetune.js';
import { FORCED_MERGES, tokenizerTexts } from '../../tasks/mini/tiny-base.js';
import { tokenizerConfigJson, tokenizerJson, trainBpe } from '../../tasks/mini/bpe.js';
import { pretrainingCorpus } from '../../tasks/mini/corpus.js';
import { FAMILIES } from '../../tasks/mini/families.js';
import { instanceSpec } from '../../tasks/mini/family.js';
import { instructionRows } from '../../tasks/mini/instructions.js';
import { mmluInstances } from '../../tasks/mini/mmlu-family.js';
import { zeroShotPair } from '../../tasks/adapters/zero-shot-pair.js';
import { Rng, chance, pick, shuffled } from '../../tasks/mini/draw.js';
import { generateWorld, type World } from '../../tasks/mini/world.js';

const { values: args } = parseArgs({ options: { vocab: { type: 'string', default: '768' }, prefix: { type: 'string', default: '' }, 'shipped-tokenizer': { type: 'boolean', default: false }, out: { type: 'string', default: 'bench/mini-capacity/data' } } });
const LETTERS = 'ABCD';

/** A quiz in a surface form unlike the eval prompt: the question, lettered options, the letter. */
function quiz(rng: Rng, inst: ReturnType<typeof mmluInstances>[number]): string {
  const refs = shuffled(rng, inst.references);
  return `Quiz question: ${inst.input}\n${refs.map((r, i) => `${LETTERS[i]}. ${r.text}`).join('\n')}\nThe right one is ${LETTERS[refs.findIndex((r) => r.correct)]}.`;
}

/** "Neba: weaver, Kell, owl, red.": a name followed directly by its attributes. */
function card(rng: Rng, world: World): string {
  const p = pick(rng, world.people);
  return `${p.name}: ${shuffled(rng, [p.job, p.town, p.pet, p.color]).join(', ')}.`;
}

function corpora(world: World, docs: string[]): Record<string, string[]> {
  const withQuiz = (which: 'train' | 'all', p: number) => {
    const rng = new Rng(99);
    const pool = mmluInstances(world).filter((i) => which === 'all' || i.split === 'train');
    return docs.map((d) => (chance(rng, p) ? `${d} ${quiz(rng, pick(rng, pool))}` : d));
  };
  const rng = new Rng(4242);
  return {
    c0: docs, // the shipped corpus
    q1: withQuiz('train', 0.5), // quizzes on train-split facts in half the documents
    q2: withQuiz('all', 0.5), // quizzes on every fact (an upper bound: test facts included)
    qa1: withQuiz('train', 1.0), // a quiz in every document
    k1: docs.map((d) => (chance(rng, 0.5) ? `${d} ${card(rng, world)}` : d)),
    k2: docs.map((d) => `${d} ${card(rng, world)} ${card(rng, world)}`),
  };
}

const world = generateWorld();
const docs = pretrainingCorpus(world, 12000);
const rows = instructionRows(world);
mkdirSync(args.out, { recursive: true });
let tokDir = TINY_BASE_PATH;
if (!args['shipped-tokenizer']) {
  const bpe = trainBpe(tokenizerTexts(docs, world.seed), Number(args.vocab), 2, FORCED_MERGES);
  tokDir = join(args.out, `${args.prefix}tokenizer`);
  mkdirSync(tokDir, { recursive: true });
  writeFileSync(join(tokDir, 'tokenizer.json'), JSON.stringify(tokenizerJson(bpe)));
  writeFileSync(join(tokDir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfigJson(256)));
}
const encode = loadTokenizer(tokDir);
for (const [name, ds] of Object.entries(corpora(world, docs))) {
  writeFileSync(join(args.out, `${args.prefix}${name}.json`), JSON.stringify(ds.map((d) => [1, ...encode(d), 2])));
}
const pairs = rows.map((r, i) => ('prompt' in r ? { ...r, line: i + 1 } : { prompt: alpacaPrompt(r.instruction, r.input), completion: r.output, line: i + 1 }));
const { examples } = tokenizePairs(pairs, encode, 1, 2, 256, 'truncate');
writeFileSync(join(args.out, `${args.prefix}ft.json`), JSON.stringify(examples.map((e) => ({ ids: [...e.ids], p: e.promptLen }))));
const items: { fam: string; split: string; ids: number[]; gold: number; id: string }[] = [];
for (const f of FAMILIES) {
  if (f.name === 'mini_gsm') continue; // generation, not multiple choice
  for (const inst of f.instances(world)) {
    const { prompt, completion } = zeroShotPair(instanceSpec(f, inst), inst);
    items.push({ fam: f.name, split: inst.split, ids: [1, ...encode(prompt)], gold: encode(completion)[0]!, id: inst.id });
  }
}
// The base's own quiz format on every fact: does pretraining alone teach the selection?
for (const inst of mmluInstances(world)) {
  const s = `Quiz question: ${inst.input}\n${inst.references.map((r, i) => `${LETTERS[i]}. ${r.text}`).join('\n')}\nThe right one is`;
  items.push({ fam: 'quizfmt', split: inst.split, ids: [1, ...encode(s)], gold: encode(' ' + LETTERS[inst.references.findIndex((r) => r.correct)])[0]!, id: `${inst.id}:quiz` });
}
writeFileSync(join(args.out, `${args.prefix}eval.json`), JSON.stringify(items));
console.log(`${args.out}: ${examples.length} instruction rows, ${items.length} eval items, tokenizer ${tokDir}`);
