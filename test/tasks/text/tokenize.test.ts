// nltk's word tokenizers in TypeScript against nltk's own outputs: NLTKWordTokenizer, Punkt on
// synthetic parameters read from punkt_tab files, and word_tokenize's composition of the two.
// Expected outputs: nltk's documented examples (docstrings of destructive.py, punkt.py and
// tokenize/__init__.py), and test/fixtures/text/nltk-tokenize-vectors.json made by nltk 3.8 itself
// (test/fixtures/python/nltk_tokenize_vectors.py).
import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/shared-data.js';
import { nltkWordTokenize } from '../../../tasks/text/nltk-word-tokenizer.js';
import { PunktSentenceTokenizer, punktWordTokenize } from '../../../tasks/text/punkt.js';
import { PUNKT_FILES, loadEnglishPunkt, readPunktParams } from '../../../tasks/text/punkt-params.js';
import { wordTokenizer } from '../../../tasks/text/word-tokenize.js';

const TEXT = join(REPO_ROOT, 'test', 'fixtures', 'text');
const params = () => readPunktParams(join(TEXT, 'punkt_tab', 'english'));
interface Vector { text: string; treebank: string[]; sentences: string[]; words: string[] }
const vectors = (): Vector[] => (JSON.parse(readFileSync(join(TEXT, 'nltk-tokenize-vectors.json'), 'utf8')) as { vectors: Vector[] }).vectors;

describe('nltk tokenizers', () => {
  it("NLTKWordTokenizer: destructive.py's documented example", () => {
    const s = 'Good muffins cost $3.88 (roughly 3,36 euros)\nin New York.  Please buy me\ntwo of them.\nThanks.';
    expect(nltkWordTokenize(s)).to.deep.equal(['Good', 'muffins', 'cost', '$', '3.88', '(', 'roughly', '3,36', 'euros', ')', 'in', 'New', 'York.', 'Please', 'buy', 'me', 'two', 'of', 'them.', 'Thanks', '.']);
    // Clitics split as Stanford CoreNLP, contractions as MacIntyre, quotes to `` and ''.
    expect(nltkWordTokenize('"They\'ll cannot," she said.')).to.deep.equal(['``', 'They', "'ll", 'can', 'not', ',', "''", 'she', 'said', '.']);
  });

  it("word_tokenize: __init__.py's documented example (one Punkt sentence each, then the word tokenizer)", () => {
    const s = 'Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\n\nThanks.';
    const tok = wordTokenizer({ abbrevTypes: new Set(), collocations: new Set(), sentStarters: new Set(), orthoContext: new Map() });
    expect(tok(s)).to.deep.equal(['Good', 'muffins', 'cost', '$', '3.88', 'in', 'New', 'York', '.', 'Please', 'buy', 'me', 'two', 'of', 'them', '.', 'Thanks', '.']);
  });

  it("Punkt: punkt.py's documented word splitting and end contexts", () => {
    expect(punktWordTokenize('Very bad acting!!! I promise.')).to.deep.equal(['Very', 'bad', 'acting', '!', '!', '!', 'I', 'promise.']);
    const p = new PunktSentenceTokenizer({ abbrevTypes: new Set(), collocations: new Set(), sentStarters: new Set(), orthoContext: new Map() });
    expect(p.tokenize('Very bad acting!!! I promise.')).to.deep.equal(['Very bad acting!!!', 'I promise.']);
    // realign_boundaries: closing punctuation after the break stays with its sentence.
    expect(p.tokenize('(Sent1.) Sent2.')).to.deep.equal(['(Sent1.)', 'Sent2.']);
  });

  it('Punkt with abbreviation, collocation, starter and orthographic parameters', () => {
    const p = new PunktSentenceTokenizer(params());
    // "Mr." a known abbreviation (no break); "S." + "Bach" a known collocation (no break); "left." an
    // ordinary word with a period: a break, whatever follows (only abbreviations, initials and numbers
    // are reconsidered in the second pass).
    expect(p.tokenize('Mr. Smith met Johann S. Bach. He left. i is a name.')).to.deep.equal(['Mr. Smith met Johann S. Bach.', 'He left.', 'i is a name.']);
    // An abbreviation, then a capitalised frequent sentence starter: a break; then a lower-case one: none.
    expect(p.tokenize('It was Inc. The end.')).to.deep.equal(['It was Inc.', 'The end.']);
    expect(p.tokenize('It was Inc. the end.')).to.deep.equal(['It was Inc. the end.']);
    // A number before "million" (collocation ##number## + million): no break.
    expect(p.tokenize('At 5. million came.')).to.deep.equal(['At 5. million came.']);
  });

  it(`equals nltk 3.8 on ${'every'} fixture text: treebank, sentences, words`, () => {
    const vs = vectors();
    expect(vs.length).to.be.greaterThan(400);
    const p = new PunktSentenceTokenizer(params());
    const words = wordTokenizer(params());
    const failures: string[] = [];
    for (const v of vs) {
      const got = { treebank: nltkWordTokenize(v.text), sentences: p.tokenize(v.text), words: words(v.text) };
      for (const k of ['treebank', 'sentences', 'words'] as const) {
        if (JSON.stringify(got[k]) !== JSON.stringify(v[k])) failures.push(`${k} of ${JSON.stringify(v.text)}:\n  nltk ${JSON.stringify(v[k])}\n  ours ${JSON.stringify(got[k])}`);
      }
    }
    expect(failures.slice(0, 5).join('\n'), `${failures.length} differences`).to.equal('');
  });

  it('punkt_tab from the data dir: read, or reported missing (never approximated)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evalfirst-punkt-'));
    const missing = loadEnglishPunkt(dir);
    expect(missing).to.have.property('missing').that.matches(/not in .*nltk\/tokenizers\/punkt_tab\/english .*evalfirst data fetch punkt_tab/);
    expect(loadEnglishPunkt(undefined)).to.have.property('missing');
    const lang = join(dir, 'nltk', 'tokenizers', 'punkt_tab', 'english');
    mkdirSync(lang, { recursive: true });
    for (const f of PUNKT_FILES) copyFileSync(join(TEXT, 'punkt_tab', 'english', f), join(lang, f));
    const loaded = loadEnglishPunkt(dir);
    expect(loaded).to.have.property('params');
    const got = (loaded as { params: ReturnType<typeof params> }).params;
    expect([...got.abbrevTypes].sort()).to.include('e.g').and.include('dr');
    expect(got.collocations.has('s\tbach')).to.equal(true);
    expect(got.orthoContext.get('the')).to.equal(34);
    writeFileSync(join(lang, 'ortho_context.tab'), 'the\t34\nbroken line\n');
    expect(() => loadEnglishPunkt(dir)).to.throw(/ortho_context\.tab:2: expected two tab-separated fields/);
  });
});
