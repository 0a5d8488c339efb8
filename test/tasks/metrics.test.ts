import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/shared-data.js';
import {
  exactMatch,
  exactMatchIndicator,
  f1Score,
  normalizeText,
  prefixExactMatch,
  quasiExactMatch,
  quasiPrefixExactMatch,
} from '../../tasks/metrics/reference-metrics.js';
import { pySplit, pyStrip } from '../../tasks/text/python-str.js';
import { porterStem } from '../../tasks/metrics/porter-stemmer.js';
import { rouge1, rouge2, rougeL, rougeN, rougeTokenize } from '../../tasks/metrics/rouge.js';
import { getAnswer, isEquiv, mathEquivChainOfThought, stripMathString } from '../../tasks/metrics/math-equiv.js';

describe('metrics: python text helpers', () => {
  it('split and strip with Python whitespace (\\x1c-\\x1f, \\x85 yes; \\ufeff no)', () => {
    expect(pySplit('  a\x1cb\x85c\ufeffd  ')).to.deep.equal(['a', 'b', 'c\ufeffd']);
    expect(pyStrip('\x1f\n x \t\x85')).to.equal('x');
    expect(pyStrip('\ufeffx')).to.equal('\ufeffx');
  });
});

describe('metrics: HELM reference metrics', () => {
  it('normalize_text: lower, punctuation, articles, whitespace', () => {
    expect(normalizeText('The  Cat, an apple & A dog!')).to.equal('cat apple dog');
    expect(normalizeText('theory of another')).to.equal('theory of another');
    // Python \b is Unicode-aware: "é" is a word character, so "éa" keeps its "a".
    expect(normalizeText('éa a')).to.equal('éa');
  });

  it('exact_match strips, and scores empty or unmapped predictions 0', () => {
    expect(exactMatch(' Paris ', 'Paris\n')).to.equal(1);
    expect(exactMatch('Paris', 'paris')).to.equal(0);
    expect(exactMatch('Paris', '')).to.equal(0);
    expect(exactMatch('Paris', null)).to.equal(0);
    expect(exactMatch('', '  ')).to.equal(1); // Python: '  ' is truthy, both strip to ''
  });

  it('quasi_exact_match normalizes both sides', () => {
    expect(quasiExactMatch('The Answer.', 'answer')).to.equal(1);
    expect(quasiExactMatch('Yes', 'No')).to.equal(0);
    expect(quasiExactMatch('Yes', null)).to.equal(0);
  });

  it('prefix and quasi-prefix exact match', () => {
    expect(prefixExactMatch('Yes', ' Yes, Elmendorf')).to.equal(1);
    expect(prefixExactMatch('Yes', 'yes')).to.equal(0);
    expect(quasiPrefixExactMatch('Yes.', 'yes, Elmendorf')).to.equal(1);
    expect(quasiPrefixExactMatch('Yes', '')).to.equal(0);
  });

  it('exact_match_indicator: GSM gold keeps its period ("72.")', () => {
    const gold = 'Natalia sold 48/2 = 24 clips in May. The answer is 72.';
    expect(exactMatchIndicator(gold, 'She sold 72 in all. The answer is 72.')).to.equal(1);
    expect(exactMatchIndicator(gold, 'The answer is 72')).to.equal(0);
    expect(exactMatchIndicator(gold, 'The answer is 72.\n\nQ: next question')).to.equal(0);
    expect(exactMatchIndicator(gold, 'The answer is 72.\n')).to.equal(1);
    expect(exactMatchIndicator(gold, null)).to.equal(0);
  });

  it('f1_score is set-based token F1 on normalized text', () => {
    // gold {cat, sat, on, mat}, pred {cat, on, mat, today}: P = R = 3/4.
    expect(f1Score('The cat sat on the mat', 'cat on mat today')).to.be.closeTo(0.75, 1e-12);
    // gold {a1, b1}, pred {a1}: P 1, R 1/2 → 2/3.
    expect(f1Score('a1 b1', 'a1 a1')).to.be.closeTo(2 / 3, 1e-12);
    expect(f1Score('the', 'the')).to.equal(0); // empty after normalization → nltk None → 0
    expect(f1Score('x', 'y')).to.equal(0);
  });
});

describe('metrics: nltk Porter stemmer (NLTK_EXTENSIONS)', () => {
  it('matches nltk 3.10.3 on every word of the committed vocabulary', () => {
    const fixture = JSON.parse(
      readFileSync(join(REPO_ROOT, 'test/fixtures/metrics/porter-nltk-3.10.3.json'), 'utf8'),
    ) as { stems: Record<string, string> };
    const entries = Object.entries(fixture.stems);
    expect(entries.length).to.be.greaterThan(17000);
    const wrong = entries.filter(([w, s]) => porterStem(w) !== s).map(([w, s]) => `${w}: want ${s}, got ${porterStem(w)}`);
    expect(wrong.slice(0, 20)).to.deep.equal([]);
  });

  it('docstring examples and NLTK-only rules', () => {
    const cases: Record<string, string> = {
      caresses: 'caress', ponies: 'poni', ties: 'tie', dies: 'die', flies: 'fli', spied: 'spi', died: 'die',
      hopping: 'hop', falling: 'fall', filing: 'file', happy: 'happi', enjoy: 'enjoy', dying: 'die',
      generalizations: 'gener', oed: 'o', archaeology: 'archaeolog', skies: 'sky',
    };
    for (const [w, s] of Object.entries(cases)) expect(porterStem(w), w).to.equal(s);
  });
});

describe('metrics: ROUGE-2 as rouge_score with use_stemmer=True', () => {
  it('tokenizes like rouge_score: lowercase, non-alphanumerics split, stems only tokens longer than 3', () => {
    expect(rougeTokenize("The cats' running-shoes, 2 ties!")).to.deep.equal(['the', 'cat', 'run', 'shoe', '2', 'tie']);
    // "ties" (4 chars) is stemmed to "tie"; "dies"? also 4; "ups" (3) is left alone.
    expect(rougeTokenize('ups ÉTÉ café')).to.deep.equal(['ups', 't', 'caf']);
  });

  it('bigram precision/recall/F by hand', () => {
    // target: the cat are run quickli → 4 bigrams; pred: the cat is run quick → 4 bigrams; 1 shared.
    const s = rougeN('The cats are running quickly', 'the cat is running quick', 2);
    expect(s.precision).to.equal(0.25);
    expect(s.recall).to.equal(0.25);
    expect(s.fmeasure).to.equal(0.25);
    // clipped counts: target "a b a b" has (a b)×2,(b a)×1; pred "a b" has (a b)×1 → P 1, R 1/3, F 0.5.
    const c = rougeN('a b a b', 'a b', 2);
    expect([c.precision, c.recall, c.fmeasure]).to.deep.equal([1, 1 / 3, 0.5]);
    expect(rouge2('one', 'one')).to.equal(0); // no bigrams on either side
  });

  it('ROUGE-1/2/L equal the rouge_score algorithm with nltk stemming on 200 generated pairs', () => {
    const vectors = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/metrics/rouge-vectors.json'), 'utf8')) as {
      target: string; prediction: string; rouge1: number; rouge2: number; rougeL: number;
    }[];
    expect(vectors).to.have.length(200);
    for (const v of vectors) {
      expect([rouge1(v.target, v.prediction), rouge2(v.target, v.prediction), rougeL(v.target, v.prediction)], v.prediction).to.deep.equal([
        v.rouge1, v.rouge2, v.rougeL,
      ]);
    }
  });

  it('ROUGE-1 and ROUGE-L by hand', () => {
    // target the cat are run quickli (5), pred the cat is run quick (5): unigrams shared the, cat, run → 3/5.
    expect(rouge1('The cats are running quickly', 'the cat is running quick')).to.be.closeTo(0.6, 1e-15);
    // LCS of [a b c d e] and [a x c e] is a c e: P 3/4, R 3/5 → F = 2·0.75·0.6/1.35 = 2/3.
    expect(rougeL('a b c d e', 'a x c e')).to.be.closeTo(2 / 3, 1e-15);
    expect(rougeL('', 'a')).to.equal(0);
    expect(rouge2('x y', null)).to.equal(0);
  });
});

describe('metrics: MATH equivalence (chain of thought)', () => {
  it('takes the last \\boxed{} of both and compares after _strip_string', () => {
    const gold = 'So $x = \\boxed{\\frac{1}{2}}$.';
    expect(getAnswer(gold)).to.equal('\\frac{1}{2}');
    expect(mathEquivChainOfThought(gold, 'First \\boxed{3}, finally \\boxed{0.5}')).to.equal(1);
    expect(mathEquivChainOfThought(gold, 'the answer is \\boxed{\\dfrac12}')).to.equal(1);
    expect(mathEquivChainOfThought(gold, 'the answer is \\boxed{1/2}')).to.equal(1);
    expect(mathEquivChainOfThought(gold, 'the answer is 1/2')).to.equal(0);
    expect(mathEquivChainOfThought('no box', 'no box either')).to.equal(1); // HELM: both None → 1.0
    expect(mathEquivChainOfThought(gold, null)).to.equal(0);
  });

  it('_strip_string details', () => {
    expect(stripMathString('x = 5')).to.equal('5');
    expect(stripMathString('10^\\circ')).to.equal('10');
    expect(stripMathString('\\left( 3, .5 \\right)')).to.equal('(3,0.5)');
    expect(stripMathString('5\\text{ cm}')).to.equal('5');
    expect(stripMathString('\\sqrt3')).to.equal('\\sqrt{3}');
    expect(stripMathString('-0/2')).to.equal('-0/2'); // Python: "-0/2" != "0/2", left alone
    expect(stripMathString('\\frac1{72}')).to.equal('\\frac{1}{72}');
  });

  it('falls back to raw equality where Python raises', () => {
    // two "\text{ " → AssertionError in _remove_right_units → str1 == str2
    expect(isEquiv('1\\text{ a}\\text{ b}', '1\\text{ a}\\text{ b}')).to.equal(1);
    expect(isEquiv('1\\text{ a}\\text{ b}', '1')).to.equal(0);
    expect(isEquiv('\\sqrt', '\\sqrt')).to.equal(1); // empty \sqrt argument → IndexError
  });
});

describe('metrics: differential vectors from HELM functions run under CPython', () => {
  interface Vector {
    g: string;
    p: string;
    norm: string;
    strip: string | null;
    rtok: string[];
    [metric: string]: unknown;
  }
  const vectors = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/metrics/helm-metric-vectors.json'), 'utf8')) as Vector[];
  const fns: Record<string, (g: string, p: string) => number> = {
    exact_match: exactMatch,
    quasi_exact_match: quasiExactMatch,
    prefix_exact_match: prefixExactMatch,
    quasi_prefix_exact_match: quasiPrefixExactMatch,
    f1_score: f1Score,
    exact_match_indicator: exactMatchIndicator,
    math: mathEquivChainOfThought,
  };

  it('600 random gold/prediction pairs: every metric, normalize_text, _strip_string and the ROUGE tokens agree', () => {
    expect(vectors).to.have.length(600);
    const wrong: string[] = [];
    for (const v of vectors) {
      const got: Record<string, unknown> = { norm: normalizeText(v.p), rtok: rougeTokenize(v.p) };
      for (const [name, f] of Object.entries(fns)) got[name] = f(v.g, v.p);
      try {
        got.strip = stripMathString(v.p);
      } catch {
        got.strip = null;
      }
      for (const [k, value] of Object.entries(got)) {
        if (JSON.stringify(value) !== JSON.stringify(v[k])) wrong.push(`${k}(${JSON.stringify(v.g)}, ${JSON.stringify(v.p)}): ${JSON.stringify(value)} != ${JSON.stringify(v[k])}`);
      }
    }
    expect(wrong.slice(0, 10)).to.deep.equal([]);
  });
});
