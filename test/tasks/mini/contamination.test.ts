// The mini-challenge's training data against its own eval splits, through the project's own
// contamination check (`evalfirst gate`), as a user would run it: `evalfirst data mini`, then
// `evalfirst gate --suite mini` at the default threshold and at --min-coverage 0 (any shared
// instance-unique 13-gram). Plus what makes that hold by construction: the people pools.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeTokens } from '../../../harness/gate/normalize.js';
import { runGate } from '../../../harness/gate/gate.js';
import { pretrainingCorpus } from '../../../tasks/mini/corpus.js';
import { TINY_BASE_DEFAULTS } from '../../../tasks/mini/tiny-base.js';
import { generateWorld } from '../../../tasks/mini/world.js';
import { runCli } from '../../helpers/run-cli.js';

interface GateJson {
  passed: boolean;
  evalInstances: number;
  benchmarks: Record<string, number>;
  contaminated: { line: number; benchmark: string; instance_id: string; matched_text: string }[];
}

function ngrams(tokens: string[], n = 13): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(' '));
  return out;
}

describe('mini-challenge: train and eval splits are disjoint (evalfirst gate)', function () {
  this.timeout(120_000);
  let dir: string;
  const world = generateWorld();
  const lines = (split: string) => readFileSync(join(dir, `${split}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mini-gate-'));
    const data = runCli(['data', 'mini', '--out', dir]);
    expect(data.status, data.stderr).to.equal(0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const coverage of [null, '0']) {
    it(`evalfirst gate --suite mini passes on evalfirst data mini's train.jsonl${coverage === null ? '' : ` at --min-coverage ${coverage}`}`, () => {
      const args = ['gate', '--dataset', join(dir, 'train.jsonl'), '--suite', 'mini', '--data-dir', dir, '--json', ...(coverage === null ? [] : ['--min-coverage', coverage])];
      const r = runCli(args);
      const report = JSON.parse(r.stdout) as GateJson;
      expect(report.contaminated.slice(0, 3), 'contaminated rows').to.deep.equal([]);
      expect(r.status, r.stderr).to.equal(0);
      expect(report.passed).to.equal(true);
      expect(Object.keys(report.benchmarks).sort()).to.deep.equal(['mini_bbq', 'mini_gsm', 'mini_mmlu', 'mini_truthful_qa']);
      expect(report.evalInstances).to.be.greaterThan(350);
    });
  }

  it('no 13-gram of a valid or test text occurs in train.jsonl, template 13-grams included', () => {
    const train = new Set(lines('train').flatMap((row) => ngrams(normalizeTokens(Object.values(row as Record<string, string>).join('\n')))));
    let checked = 0;
    for (const split of ['valid', 'test']) {
      for (const inst of lines(split)) {
        for (const text of [inst.input as string, ...(inst.references as { text: string }[]).map((r) => r.text)]) {
          const shared = ngrams(normalizeTokens(text)).filter((g) => train.has(g));
          expect(shared, `${inst.id}: ${text}`).to.deep.equal([]);
        }
        checked++;
      }
    }
    expect(checked).to.be.greaterThan(350);
  });

  it('the people pools are disjoint, cover the world, and no valid or test name occurs in train.jsonl', () => {
    const { train, valid, test } = world.pools;
    const names = [...train, ...valid, ...test].map((p) => p.name);
    expect(new Set(names).size).to.equal(world.people.length);
    expect(names.length).to.equal(world.people.length);
    expect([train.length, valid.length, test.length]).to.deep.equal([29, 10, 9]);
    const words = new Set(normalizeTokens(readFileSync(join(dir, 'train.jsonl'), 'utf8')));
    expect([...valid, ...test].map((p) => p.name).filter((n) => words.has(n.toLowerCase()))).to.deep.equal([]);
    expect(train.map((p) => p.name).filter((n) => words.has(n.toLowerCase())).length).to.equal(train.length);
    for (const inst of [...lines('valid'), ...lines('test')]) {
      const tokens = new Set(normalizeTokens(inst.input));
      expect(train.some((p) => tokens.has(p.name.toLowerCase())), inst.id).to.equal(false);
    }
  });

  it("the tiny base's pretraining corpus holds no eval text either (any shared 13-gram, short question or exact field)", async () => {
    const corpus = join(dir, 'corpus.jsonl');
    writeFileSync(corpus, pretrainingCorpus(world, TINY_BASE_DEFAULTS.numDocs).map((text) => JSON.stringify({ text })).join('\n') + '\n');
    const report = await runGate({ dataset: corpus, suite: 'mini', dataDir: dir, minCoverage: 0 });
    expect(report.contaminated.slice(0, 3)).to.deep.equal([]);
    expect(report.rowsChecked).to.equal(TINY_BASE_DEFAULTS.numDocs);
  });
});
