import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { pretrainTinyBase } from '../../../tasks/mini/tiny-base.js';
import { readBaseConfig } from '../../../model/train/base-io.js';
import { PLACES, VALUES, generateWorld } from '../../../tasks/mini/world.js';

describe('pretrainTinyBase', function () {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'pre-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const small = (out: string) => pretrainTinyBase({ outDir: join(dir, out), dim: 32, hiddenDim: 64, nLayers: 1, nHeads: 2, nKvHeads: 1, numDocs: 120, steps: 6, batchSize: 2, vocabSize: 320 });

  it('is deterministic (npm run pretrain-base reproduces the shipped files) and writes an HF model folder', async () => {
    const a = await small('a');
    const b = await small('b');
    for (const f of ['model.safetensors', 'tokenizer.json', 'config.json']) {
      expect(readFileSync(join(dir, 'a', f)).equals(readFileSync(join(dir, 'b', f))), f).to.equal(true);
    }
    expect(a.steps).to.equal(6);
    expect(a.finalLoss).to.equal(b.finalLoss);
    const cfg = readBaseConfig(join(dir, 'a'));
    expect(cfg).to.include({ dim: 32, nLayers: 1, nHeads: 2, nKvHeads: 1, vocabSize: 320, bosId: 1 });
    const tok = new Tokenizer(JSON.parse(readFileSync(join(dir, 'a', 'tokenizer.json'), 'utf8')), {});
    expect(tok.encode(' B', { add_special_tokens: false }).ids).to.have.length(1);
  });

  it('the shipped tiny base loads and is small', () => {
    const shipped = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../../model/assets/tiny-base');
    const cfg = readBaseConfig(shipped);
    expect(cfg.maxSeqLen).to.equal(256);
    expect(readFileSync(join(shipped, 'model.safetensors')).length).to.be.lessThan(4 * 1024 * 1024);
  });

  it("the shipped tokenizer is the current world's: every name (of every pool), value and place is one token", () => {
    const shipped = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../../model/assets/tiny-base');
    const tok = new Tokenizer(JSON.parse(readFileSync(join(shipped, 'tokenizer.json'), 'utf8')), {});
    const world = generateWorld();
    const words = [...world.people.map((p) => p.name), ...Object.values(VALUES).flat(), ...Object.values(PLACES).flat()];
    expect(words.filter((w) => tok.encode(` ${w}`, { add_special_tokens: false }).ids.length !== 1)).to.deep.equal([]);
    expect(world.pools.test.length).to.be.greaterThan(0);
  });
});
