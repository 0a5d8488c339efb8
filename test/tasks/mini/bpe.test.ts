import { expect } from 'chai';
import { Tokenizer } from '@huggingface/tokenizers';
import { LETTER_MERGES, trainBpe, tokenizerConfigJson, tokenizerJson, wordMerges } from '../../../tasks/mini/bpe.js';
import { pretrainingCorpus } from '../../../tasks/mini/corpus.js';
import { generateWorld } from '../../../tasks/mini/world.js';

describe('byte-level BPE trainer', () => {
  const corpus = pretrainingCorpus(generateWorld(), 300);
  const model = trainBpe(corpus, 600);
  const tok = new Tokenizer(JSON.parse(JSON.stringify(tokenizerJson(model))), tokenizerConfigJson(256));

  it('learns merges up to the requested vocabulary size with LLaMA special ids', () => {
    expect(model.vocab.size).to.equal(600);
    expect(model.vocab.get('<unk>')).to.equal(0);
    expect(model.vocab.get('<s>')).to.equal(1);
    expect(model.vocab.get('</s>')).to.equal(2);
    expect(new Set(model.vocab.values()).size).to.equal(600);
  });

  it('loads in @huggingface/tokenizers, prepends <s>, and round-trips any text', () => {
    for (const text of [corpus[0]!, 'Question: Who was late?\nA. Cannot be determined\nAnswer:', 'héllo wörld ✓ 12 + 30 = 42.\n\n\ttabs', ' B']) {
      const { ids } = tok.encode(text);
      expect(ids[0]).to.equal(1);
      expect(ids.every((i: number) => i >= 0 && i < 600)).to.equal(true);
      expect(tok.decode(ids, { skip_special_tokens: true })).to.equal(text);
    }
  });

  it('compresses the world corpus (frequent words become single tokens)', () => {
    const text = corpus.slice(0, 20).join('\n');
    const n = tok.encode(text, { add_special_tokens: false }).ids.length;
    expect(n).to.be.lessThan(new TextEncoder().encode(text).length / 3);
    expect(tok.encode(' lives', { add_special_tokens: false }).ids).to.have.length(1);
  });

  it('forced merges make " A" … " Z" single tokens (a multiple-choice answer is one generated token)', () => {
    const m = trainBpe(corpus.slice(0, 50), 400, 2, LETTER_MERGES);
    const t = new Tokenizer(JSON.parse(JSON.stringify(tokenizerJson(m))), tokenizerConfigJson(256));
    for (const letter of ['A', 'B', 'C', 'D', 'Z']) expect(t.encode(` ${letter}`, { add_special_tokens: false }).ids, letter).to.have.length(1);
    expect(m.merges.slice(0, 26).map(([a, b]) => a + b)).to.deep.equal(LETTER_MERGES.map(([a, b]) => a + b));
  });

  it('word merges make words the corpus never holds single tokens, sharing their common prefixes', () => {
    const words = ['bakery', 'baker', 'outside'];
    const merges = wordMerges(words);
    expect(merges.slice(0, 6).map(([a, b]) => a + b)).to.deep.equal(['\u0120b', '\u0120ba', '\u0120bak', '\u0120bake', '\u0120baker', '\u0120bakery']);
    expect(merges).to.have.length(6 + 7); // " baker" is a prefix of " bakery": no merge of its own
    const m = trainBpe(corpus.slice(0, 50), 420, 2, [...LETTER_MERGES, ...merges]);
    const t = new Tokenizer(JSON.parse(JSON.stringify(tokenizerJson(m))), tokenizerConfigJson(256));
    for (const w of words) expect(t.encode(` ${w}`, { add_special_tokens: false }).ids, w).to.have.length(1);
    expect(trainBpe(corpus.slice(0, 50), 420, 2, LETTER_MERGES).vocab.has('\u0120outside')).to.equal(false);
  });

  it('is deterministic', () => {
    expect(trainBpe(corpus.slice(0, 50), 400).merges).to.deep.equal(trainBpe(corpus.slice(0, 50), 400).merges);
  });
});
