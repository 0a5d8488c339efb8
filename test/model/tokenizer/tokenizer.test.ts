import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GGUFFile } from '../../../model/formats/gguf.js';
import { writeLlamaGGUF } from '../../../model/llama/gguf-export.js';
import { seededHfTensors, tinyConfig } from '../../../model/llama/seeded.js';
import { loadHfTokenizer } from '../../../model/tokenizer/hf-tokenizer.js';
import { UserError } from '../../../core/errors.js';
import { llamaTokenizerConfigJson, llamaTokenizerJson } from '../../../model/tokenizer/llama-tokenizer-json.js';
import { seededSpmVocab } from '../../../model/tokenizer/seeded-vocab.js';
import { spmTokenizerFromGGUF } from '../../../model/tokenizer/spm-tokenizer.js';

describe('model/tokenizer', () => {
  let dir: string;
  const config = tinyConfig();
  const vocab = seededSpmVocab(config.vocabSize);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ef-tok-'));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(llamaTokenizerJson(vocab)));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(llamaTokenizerConfigJson()));
    writeLlamaGGUF(join(dir, 'm.gguf'), config, seededHfTensors(config, 1), { vocab });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const texts = ['The cat is in the capital', 'Answer: yes.', 'héllo wörld ✓ 12', 'a  b\n\nc', ' leading space', '中文'];

  it('GGUF SentencePiece tokenizer: merges by score, byte fallback, BOS, round trip', () => {
    const f = GGUFFile.open(join(dir, 'm.gguf'));
    const tok = spmTokenizerFromGGUF(f);
    f.close();
    const id = (p: string) => vocab.tokens.indexOf(p);
    expect(tok.encode('the in')).to.deep.equal([1, id('▁the'), id('▁'), id('in')]);
    expect(tok.encode('the', false)).to.deep.equal([id('▁the')]);
    // "é" is not a piece: UTF-8 bytes C3 A9 as <0xC3> <0xA9>
    expect(tok.encode('é', false)).to.deep.equal([id('▁'), 3 + 0xc3, 3 + 0xa9]);
    expect(tok.bosId).to.equal(1);
    expect(tok.eosId).to.equal(2);
    for (const t of texts) expect(tok.decode(tok.encode(t))).to.equal(t);
  });

  it('tokenizer.json through @huggingface/tokenizers agrees with the GGUF tokenizer on ids', () => {
    const hf = loadHfTokenizer(dir);
    const f = GGUFFile.open(join(dir, 'm.gguf'));
    const spm = spmTokenizerFromGGUF(f);
    f.close();
    expect(hf.bosId).to.equal(1);
    expect(hf.eosId).to.equal(2);
    for (const t of texts) {
      expect(hf.encode(t), t).to.deep.equal(spm.encode(t));
      expect(hf.decode(hf.encode(t))).to.equal(t);
    }
    expect(hf.encode('cat', false)[0]).to.not.equal(1);
  });

  it('refuses a tokenizer.json of an unknown model type, one that cannot represent text (1 token), and ids beyond the model vocabulary', () => {
    const good = llamaTokenizerJson(vocab) as { model: Record<string, unknown> };
    const write = (name: string, json: unknown) => {
      const d = join(dir, name);
      rmSync(d, { recursive: true, force: true });
      mkdirSync(d);
      writeFileSync(join(d, 'tokenizer.json'), JSON.stringify(json));
      return d;
    };
    const unknownType = write('unknown-type', { ...good, model: { ...good.model, type: 'Foo' } });
    expect(() => loadHfTokenizer(unknownType)).to.throw(UserError, /unknown-type\/tokenizer\.json: model type "Foo" is not one of BPE, WordPiece, WordLevel, Unigram/);
    const oneToken = write('one-token', { ...good, added_tokens: [], post_processor: null, model: { ...good.model, vocab: { '<unk>': 0 }, merges: [], byte_fallback: false } });
    expect(() => loadHfTokenizer(oneToken)).to.throw(UserError, /one-token\/tokenizer\.json: cannot (represent|tokenize) plain text.*vocabulary of 1 token/);
    expect(loadHfTokenizer(dir, config.vocabSize).vocabSize).to.equal(config.vocabSize);
    expect(() => loadHfTokenizer(dir, 100)).to.throw(UserError, new RegExp(`tokenizer\\.json: token id ${config.vocabSize - 1} is beyond the model's vocabulary of 100`));
  });
});

