import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAMILIES } from '../../../tasks/mini/families.js';
import { evalFormatRow, instructionRows } from '../../../tasks/mini/instructions.js';
import { zeroShotPair } from '../../../tasks/adapters/zero-shot-pair.js';
import { adaptRun, type PromptWindow } from '../../../tasks/adapters/adapt.js';
import { miniMmluSpec } from '../../../tasks/mini/mmlu-family.js';
import { runSpecsForEntry } from '../../../tasks/scenario-registry.js';
import { loadSuite } from '../../../tasks/suites/suite.js';
import { generateWorld } from '../../../tasks/mini/world.js';
import { writeMiniData } from '../../../tasks/mini/write-data.js';
import { pretrainingCorpus } from '../../../tasks/mini/corpus.js';
import { scenarioModules } from '../../../tasks/scenarios/mini.js';
import { BBQ_COUNTS, SCENES, bbqInstances } from '../../../tasks/mini/bbq-family.js';
import { PLACES } from '../../../tasks/mini/world.js';

describe('mini-challenge', () => {
  const world = generateWorld();

  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateWorld()).to.deep.equal(world);
    expect(generateWorld(7).people[0]).to.not.deep.equal(world.people[0]);
    expect(pretrainingCorpus(world, 5)).to.deep.equal(pretrainingCorpus(generateWorld(), 5));
  });

  it('every family has one correct reference per instance, unique ids and all eval splits', () => {
    for (const f of FAMILIES) {
      const xs = f.instances(world);
      expect(new Set(xs.map((x) => x.id)).size, f.name).to.equal(xs.length);
      for (const x of xs) expect(x.references.filter((r) => r.correct), x.id).to.have.length(1);
      const splits = new Set(xs.map((x) => x.split));
      expect(splits.has('train'), f.name).to.equal(true);
      expect(splits.has(f.name === 'mini_truthful_qa' ? 'valid' : 'test'), f.name).to.equal(true);
    }
  });

  it('MMLU-style questions have 4 distinct options with the true fact among them', () => {
    const xs = FAMILIES[0]!.instances(world);
    for (const x of xs) {
      expect(new Set(x.references.map((r) => r.text)).size).to.equal(4);
      const p = world.people.find((q) => q.name === x.meta!.person)!;
      expect(x.references.find((r) => r.correct)!.text).to.equal(p[x.meta!.attribute as 'town']);
    }
  });

  it('TruthfulQA-style questions offer the rumour as a tempting wrong answer', () => {
    const xs = FAMILIES.find((f) => f.name === 'mini_truthful_qa')!.instances(world);
    expect(xs.length).to.equal(world.rumors.length);
    for (const x of xs) {
      const wrong = x.references.filter((r) => !r.correct).map((r) => r.text);
      expect(wrong.some((t) => t.includes(String(x.meta!.rumor)))).to.equal(true);
    }
  });

  it('GSM-style gold answers end with "The answer is N." and are arithmetically right', () => {
    for (const x of FAMILIES.find((f) => f.name === 'mini_gsm')!.instances(world)) {
      const gold = x.references[0]!.text;
      const m = /(\d+) ([+-]) (\d+) = (\d+) .*The answer is (\d+)\.$/.exec(gold)!;
      expect(m, gold).to.not.equal(null);
      const [a, op, b, c, n] = [Number(m[1]), m[2], Number(m[3]), Number(m[4]), Number(m[5])];
      expect(op === '+' ? a + b : a - b).to.equal(c);
      expect(n).to.equal(c);
    }
  });

  it('BBQ-style ambiguous contexts answer "Cannot be determined", disambiguated ones a name', () => {
    const xs = FAMILIES.find((f) => f.name === 'mini_bbq')!.instances(world);
    const conds = new Set(xs.map((x) => x.meta!.context_condition));
    expect([...conds].sort()).to.deep.equal(['ambig', 'disambig']);
    for (const x of xs) {
      const gold = x.references.find((r) => r.correct)!.text;
      if (x.meta!.context_condition === 'ambig') expect(gold).to.equal('Cannot be determined');
      else expect(x.input).to.include(`${gold} was`);
    }
  });

  it("every question is about people of its split's pool; BBQ-style scenes use their split's places and scene sentences", () => {
    const names = (split: string) => new Set(world.pools[split as 'train'].map((p) => p.name));
    for (const f of FAMILIES) {
      for (const x of f.instances(world)) {
        const people = world.people.filter((p) => new RegExp(`\\b${p.name}\\b`).test(x.input));
        expect(people.length, x.id).to.be.greaterThan(0);
        const pool = f.name === 'mini_truthful_qa' && x.split === 'valid' ? new Set([...names('valid'), ...names('test')]) : names(x.split);
        for (const p of people) expect(pool.has(p.name), `${x.id}: ${p.name} is not in the ${x.split} pool`).to.equal(true);
        if (f.name !== 'mini_bbq') continue;
        const place = Object.values(PLACES).flat().filter((w) => x.input.includes(` ${w}.`));
        expect(place, x.id).to.have.length(1);
        expect(PLACES[x.split]).to.include(place[0]);
      }
    }
    const bbq = bbqInstances(world);
    for (const split of ['train', 'valid', 'test'] as const) expect(bbq.filter((x) => x.split === split)).to.have.length(BBQ_COUNTS[split]);
    // The scene sentence (the passage up to its cue sentence) of a split is one of that split's scene shapes.
    const shape = (x: (typeof bbq)[number]) => x.input.split('\n')[0]!.replace(/ (One of them|\w+) was \w+ that day\.$/, '').replace(/[A-Z]\w+/g, 'N').replace(/the \w+\./, 'the P.');
    const shapes = (split: string) => new Set(bbq.filter((x) => x.split === split).map(shape));
    expect(shapes('train').size).to.equal(SCENES.train.length);
    for (const s of shapes('test')) expect(shapes('train').has(s), s).to.equal(false);
    for (const s of shapes('valid')) expect(shapes('train').has(s), s).to.equal(false);
    // Held-out combinations, not held-out words: every verb and preposition of an eval scene is trained.
    const trained = new Set(SCENES.train.flat());
    for (const [verb, prep] of [...SCENES.valid, ...SCENES.test]) expect(trained.has(verb) && trained.has(prep), `${verb} ${prep}`).to.equal(true);
  });

  it('the instruction data contains no valid or test question', () => {
    const rows = instructionRows(world);
    const text = rows.map((r) => ('prompt' in r ? r.prompt : `${r.instruction}\n${r.input}`)).join('\n\u0000\n');
    let heldOut = 0;
    for (const f of FAMILIES) {
      for (const x of f.instances(world)) {
        if (x.split === 'train') continue;
        heldOut++;
        expect(text.includes(x.input), `${x.id} leaked into training`).to.equal(false);
      }
    }
    expect(heldOut).to.be.greaterThan(150);
    expect(rows.some((r) => 'instruction' in r)).to.equal(true);
    expect(rows.some((r) => 'prompt' in r)).to.equal(true);
  });

  it('builds HELM zero-shot multiple-choice prompts ending in "Answer:"', () => {
    const x = FAMILIES[0]!.instances(world).find((i) => i.meta!.subject === 'geography')!;
    const prompt = zeroShotPair(miniMmluSpec('geography'), x).prompt;
    const refs = x.references.map((r, i) => `${'ABCD'[i]}. ${r.text}\n`).join('');
    expect(prompt).to.equal(`The following are multiple choice questions (with answers) about geography.\n\nQuestion: ${x.input}\n${refs}Answer:`);
  });

  it("a training row's prompt is the prompt the adapter sends for the instance under its mini.conf run entry (zero-shot)", async () => {
    // Prompts this short are never cut by fitting, so an open window gives the request's prompt.
    const open: PromptWindow = { countTokens: async () => 0, truncate: async (t) => t, maxSequenceLength: 1 << 30 };
    const rows = new Set(instructionRows(world).flatMap((r) => ('prompt' in r ? [JSON.stringify(r)] : [])));
    let checked = 0;
    let inTrainingData = 0;
    for (const entry of loadSuite('mini').entries) {
      const [spec] = await runSpecsForEntry(entry);
      const family = FAMILIES.find((f) => f.name === spec!.scenario.name)!;
      const train = (await spec!.scenario.load('/nonexistent')).filter((i) => i.split === 'train');
      const states = await adaptRun(spec!, train, [], open);
      states.forEach((state, i) => {
        const row = evalFormatRow(family, train[i]!);
        expect('prompt' in row && row.prompt, train[i]!.id).to.equal(state.request.prompt);
        expect(state.numTrainInstances).to.equal(0);
        if (rows.has(JSON.stringify(row))) inTrainingData++;
        checked++;
      });
    }
    expect(checked).to.be.greaterThan(300);
    // Every train instance whose fact no held-out question asks is a row of train.jsonl as it is.
    expect(inTrainingData).to.be.greaterThan(250);
    // The completion is what an in-context example shows after the prompt: " B" for a letter, " <gold>" for GSM.
    const mc = FAMILIES[0]!.instances(world).find((i) => i.split === 'train')!;
    expect(zeroShotPair(miniMmluSpec(String(mc.meta!.subject)), mc).completion).to.equal(` ${'ABCD'[mc.references.findIndex((r) => r.correct)]}`);
  });

  it('writeMiniData writes train.jsonl and the eval splits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mini-'));
    try {
      const files = await writeMiniData(dir);
      expect(files.map((f) => f.slice(dir.length + 1))).to.deep.equal(['train.jsonl', 'valid.jsonl', 'test.jsonl']);
      const test = (await readFile(join(dir, 'test.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      expect(test.every((r) => r.split === 'test' && typeof r.family === 'string')).to.equal(true);
      const train = (await readFile(join(dir, 'train.jsonl'), 'utf8')).trim().split('\n');
      expect(train.length).to.equal(instructionRows(world).length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('scenario modules build run specs whose scenarios load without a data dir', async () => {
    expect(scenarioModules.map((m) => m.name)).to.deep.equal(['mini_mmlu', 'mini_gsm', 'mini_truthful_qa', 'mini_bbq']);
    const [spec] = scenarioModules[0]!.runSpecs({ subject: 'animals' });
    const xs = await spec!.scenario.load('/nonexistent');
    expect(xs.every((x) => x.meta!.subject === 'animals')).to.equal(true);
    expect(spec!.adapterSpec.method).to.equal('multiple_choice_joint');
    expect(spec!.metrics.map((m) => m.name)).to.deep.equal(['exact_match']);
    expect(() => scenarioModules[0]!.runSpecs({ subject: 'nope' })).to.throw(/unknown subject/);
    const [gsm] = scenarioModules[1]!.runSpecs({});
    expect(gsm!.adapterSpec.stopSequences).to.deep.equal(['\n\n']);
    expect(gsm!.mainMetric).to.equal('exact_match_indicator');
  });
});
