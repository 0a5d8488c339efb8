import { expect } from 'chai';
import { mkdtempSync, mkdirSync, readFileSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, requireSharedData } from '../helpers/shared-data.js';
import type { Instance } from '../../tasks/instance.js';
import { pythonRandomFromString } from '../../tasks/random/python-random.js';
import { contract, misspell, misspeller, mildMixPerturbation, type MisspellingTable } from '../../tasks/augment/mild-mix.js';
import { dialectPerturbation, genderPerturbation, parseNameFile, personNamePerturbation } from '../../tasks/augment/fairness.js';
import { augmentInstances, augmentWith, canonicalPerturbations } from '../../tasks/augment/augment.js';
import { AUGMENTATION_RESOURCES } from '../../tasks/augment/resources.js';
import { instanceRng, matchCase } from '../../tasks/augment/perturbation.js';

const FIX = join(REPO_ROOT, 'test/fixtures/augment');

interface Dumped { input: string; references: string[]; perturbation: string | null; id?: string }
interface Vectors {
  sentences: string[];
  references: [string, boolean][];
  synthetic_misspellings: MisspellingTable;
  cases: { id: string; 'misspelling_synthetic_p0.5': string; mild_mix_real: string; dialect: Dumped; gender: Dumped; person_name: Dumped }[];
  long_text_word_stride: number;
  long: { id: string; mild_mix_real: string }[];
  canonical: Dumped[];
}

const vectors = JSON.parse(readFileSync(join(FIX, 'augment-vectors.json'), 'utf8')) as Vectors;
const dialectMap = JSON.parse(readFileSync(join(FIX, 'synthetic_SAE_to_AAVE.json'), 'utf8')) as Record<string, string[]>;
const names = parseNameFile(readFileSync(join(FIX, 'synthetic_person_names.txt'), 'utf8'));

function instance(i: number, text: string): Instance {
  return { id: `id${i}`, input: text, references: vectors.references.map(([t, c]) => ({ text: t, correct: c })), split: 'test' };
}
const instances = vectors.sentences.map((s, i) => instance(i, s));

describe('augment: Python semantics', () => {
  it('Random(str) seeds as CPython (sha512 appended, seed version 2)', () => {
    // CPython 3.11: random.Random("id0").random() == 0.51172047939132; Random("").random() == 0.9602256525641875
    expect(pythonRandomFromString('id0').random()).to.equal(0.51172047939132);
    expect(pythonRandomFromString('').random()).to.equal(0.9602256525641875);
  });

  it('match_case', () => {
    expect(matchCase('adam', 'Jamel')).to.equal('jamel');
    expect(matchCase('ADAM', 'jamel')).to.equal('JAMEL');
    expect(matchCase('Adam', 'jAMEL')).to.equal('Jamel');
    expect(matchCase("don't", 'XyZ')).to.equal('XyZ'); // "'" is neither lower nor upper
    expect(matchCase('IS NOT', "isn't")).to.equal("Isn't");
  });

  it('contractions: expansions followed by a space, last contraction of a repeated expansion', () => {
    // Values from HELM's ContractionPerturbation under CPython: "it is" wins over "is not" (leftmost match),
    // and "WE ARE" is not all upper (the space is not), so match_case capitalizes.
    expect(contract('it is not what I am. is not ')).to.equal("it's not what I am. isn't ");
    expect(contract('They are here and WE ARE there')).to.equal("They're here and We're there");
    expect(contract('IS NOT it')).to.equal("Isn't it");
  });
});

describe("augment: HELM's perturbation classes reproduced on fixed sentences", () => {
  it('misspellings (synthetic table, p = 0.5) match HELM output for every sentence', () => {
    const m = misspeller(vectors.synthetic_misspellings);
    for (const [i, inst] of instances.entries()) {
      expect(misspell(inst.input, instanceRng(inst), m, 0.5), inst.id).to.equal(vectors.cases[i]!['misspelling_synthetic_p0.5']);
    }
  });

  it('dialect, gender pronouns and person names (synthetic lists) match HELM, references included', () => {
    const ps = [dialectPerturbation(dialectMap), genderPerturbation(), personNamePerturbation(names)];
    for (const [i, inst] of instances.entries()) {
      for (const p of ps) {
        const out = p.apply(inst);
        const want = vectors.cases[i]![p.name as 'dialect' | 'gender' | 'person_name'];
        expect({ input: out.input, references: out.references.map((r) => r.text) }, `${inst.id} ${p.name}`).to.deep.equal({
          input: want.input,
          references: want.references,
        });
        expect(out.id).to.equal(inst.id);
        expect(out.meta).to.deep.equal({ perturbation: 'fairness', perturbationName: p.name });
      }
    }
  });

  it('MildMix with the real misspelling list matches HELM (fixed sentences and a long text over 11 seeds)', function () {
    const dir = requireSharedData(this, 'helm-perturbations');
    const table = JSON.parse(readFileSync(join(dir, 'helm-perturbations/correct_to_misspelling.json'), 'utf8')) as MisspellingTable;
    const mild = mildMixPerturbation(table);
    for (const [i, inst] of instances.entries()) expect(mild.apply(inst).input, inst.id).to.equal(vectors.cases[i]!.mild_mix_real);
    const words = Object.keys(table);
    const longText = words.filter((_, k) => k % vectors.long_text_word_stride === 0).join(' ');
    for (const v of vectors.long) {
      const out = mild.apply({ ...instance(0, longText), id: v.id });
      expect(out.input, v.id).to.equal(v.mild_mix_real);
      expect(out.meta).to.deep.equal({ perturbation: 'robustness', perturbationName: 'mild_mix' });
    }
  });

  it('the canonical augmenter: originals, then changed copies only, in HELM order', function () {
    const dir = requireSharedData(this, 'helm-perturbations');
    const table = JSON.parse(readFileSync(join(dir, 'helm-perturbations/correct_to_misspelling.json'), 'utf8')) as MisspellingTable;
    const ps = [mildMixPerturbation(table), dialectPerturbation(dialectMap), genderPerturbation(), personNamePerturbation(names)];
    const out = augmentWith(instances, ps);
    expect(out.map((x) => ({ id: x.id, input: x.input, references: x.references.map((r) => r.text), perturbation: (x.meta?.perturbationName as string) ?? null }))).to.deep.equal(
      vectors.canonical.map((c) => ({ id: c.id, input: c.input, references: c.references, perturbation: c.perturbation })),
    );
  });
});

describe('augment: data directory', () => {
  it('augmentInstances reads the three word lists; train instances pass through first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evalfirst-aug-'));
    mkdirSync(join(dir, 'helm-perturbations'));
    writeFileSync(join(dir, 'helm-perturbations/correct_to_misspelling.json'), JSON.stringify(vectors.synthetic_misspellings));
    copyFileSync(join(FIX, 'synthetic_SAE_to_AAVE.json'), join(dir, 'helm-perturbations/SAE_to_AAVE_mapping.json'));
    copyFileSync(join(FIX, 'synthetic_person_names.txt'), join(dir, 'helm-perturbations/person_names.txt'));
    const train: Instance = { ...instance(99, 'He is with Adam.'), split: 'train' };
    const out = await augmentInstances([instances[1]!, train], dir);
    expect(out[0]).to.equal(train);
    expect(out[1]).to.equal(instances[1]);
    expect(out.slice(2).map((x) => x.meta?.perturbationName)).to.deep.equal(['mild_mix', 'dialect', 'gender', 'person_name']);
  });

  it('a missing word list is a clear error, or skipped on request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evalfirst-aug-'));
    mkdirSync(join(dir, 'helm-perturbations'));
    writeFileSync(join(dir, 'helm-perturbations/correct_to_misspelling.json'), '{"the": ["teh"]}');
    let err: Error | null = null;
    await augmentInstances(instances, dir).catch((e: Error) => (err = e));
    expect(err).to.match(/SAE_to_AAVE_mapping\.json: cannot read \(ENOENT\)/);
    const { perturbations, unavailable } = await canonicalPerturbations(dir, { skipUnavailable: true });
    expect(perturbations.map((p) => p.name)).to.deep.equal(['mild_mix', 'gender']);
    expect(unavailable.map((u) => u.name)).to.deep.equal(['dialect', 'person_name']);
    writeFileSync(join(dir, 'helm-perturbations/correct_to_misspelling.json'), '{"the": "teh"}');
    await canonicalPerturbations(dir, { skipUnavailable: true }).catch((e: Error) => (err = e));
    expect(err).to.match(/correct_to_misspelling\.json: entry "the" must be a non-empty list of strings/);
  });

  it('resources pin the misspelling list to the shared copy', function () {
    const dir = requireSharedData(this, 'helm-perturbations');
    const sums = readFileSync(join(dir, 'SHA256SUMS'), 'utf8');
    const pinned = AUGMENTATION_RESOURCES.filter((r) => r.sha256 !== null);
    expect(pinned).to.have.length(1);
    for (const r of pinned) expect(sums).to.include(`${r.sha256}  ${r.path}`);
  });
});
