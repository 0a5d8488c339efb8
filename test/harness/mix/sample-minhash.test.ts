import { expect } from 'chai';
import { normalizeTokens } from '../../../harness/gate/normalize.js';
import { prepareRow } from '../../../harness/gate/contamination-index.js';
import { candidateProbability, jaccardSorted, LshIndex, minhashSignature, NUM_PERMUTATIONS, shingleSet } from '../../../harness/mix/minhash.js';
import { findDuplicates } from '../../../harness/mix/dedup.js';
import { largestFeasibleTotal, quotasFromShares, sampleIndices, shuffled, sourceSeed } from '../../../harness/mix/sample.js';
import { uniforms } from '../../../kernels/rng.js';
import { wordCount } from '../../../harness/mix/filters.js';

const TEXT = 'the quick brown fox jumps over the lazy dog while the farmer watches from the old wooden porch near the barn';

describe('mix sampling', () => {
  it('largest-remainder quotas sum to the total exactly; ties go to the earlier source', () => {
    expect(quotasFromShares([0.5, 0.5], 7)).to.deep.equal([4, 3]);
    expect(quotasFromShares([0.1, 0.2, 0.7], 10)).to.deep.equal([1, 2, 7]);
    expect(quotasFromShares([1 / 3, 1 / 3, 1 / 3], 100)).to.deep.equal([34, 33, 33]);
    expect(quotasFromShares([0.25, 0.75], 1)).to.deep.equal([0, 1]);
  });

  it('without a total, the mix is the largest at which every exact share fits', () => {
    expect(largestFeasibleTotal([0.5, 0.5], [100, 6])).to.equal(12);
    expect(largestFeasibleTotal([0.2, 0.8], [3, 1000])).to.equal(15);
    expect(largestFeasibleTotal([0.3, 0.7], [3, 7])).to.equal(10);
    for (const [shares, avail] of [[[0.3, 0.3, 0.4], [5, 9, 2]], [[0.9, 0.1], [7, 1]]] as const) {
      const t = largestFeasibleTotal(shares, avail);
      expect(quotasFromShares(shares, t).every((q, i) => q <= avail[i])).to.equal(true);
      expect(shares.some((s, i) => s * (t + 1) > avail[i] + 1e-9)).to.equal(true);
    }
  });

  it('draws are seeded: same seed same rows, ascending and distinct', () => {
    const a = sampleIndices(100, 10, uniforms(sourceSeed(1, 'gsm')));
    expect(sampleIndices(100, 10, uniforms(sourceSeed(1, 'gsm')))).to.deep.equal(a);
    expect(sampleIndices(100, 10, uniforms(sourceSeed(1, 'mmlu')))).to.not.deep.equal(a);
    expect(new Set(a).size).to.equal(10);
    expect([...a].sort((x, y) => x - y)).to.deep.equal(a);
    expect(() => sampleIndices(3, 4, uniforms(1))).to.throw(/cannot draw 4 of 3/);
    expect(shuffled([1, 2, 3, 4, 5], uniforms(9)).sort()).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it('counts whitespace-separated words', () => {
    expect(wordCount('  one two\tthree\nfour  ')).to.equal(4);
    expect(wordCount('')).to.equal(0);
    expect(wordCount('a\u00a0b')).to.equal(2);
  });
});

describe('mix MinHash / LSH', () => {
  it('shingles are word 3-grams of the normalised text (one whole-text shingle when shorter)', () => {
    const t = normalizeTokens(TEXT);
    expect(shingleSet(t).length).to.equal(new Set(Array.from({ length: t.length - 2 }, (_, i) => t.slice(i, i + 3).join(' '))).size);
    expect(shingleSet(['a', 'b']).length).to.equal(1);
    expect(shingleSet(['a', 'b', 'c', 'a', 'b', 'c']).length).to.equal(3);
    expect(shingleSet([]).length).to.equal(0);
  });

  it('exact Jaccard of sorted key sets', () => {
    expect(jaccardSorted(Float64Array.from([1, 2, 3, 4]), Float64Array.from([3, 4, 5]))).to.be.closeTo(2 / 5, 1e-12);
    expect(jaccardSorted(new Float64Array(0), new Float64Array(0))).to.equal(1);
  });

  it('signatures are deterministic and estimate Jaccard', () => {
    const a = shingleSet(normalizeTokens(TEXT));
    const b = shingleSet(normalizeTokens(TEXT.replace('lazy', 'sleepy')));
    const sa = minhashSignature(a);
    expect(sa).to.have.length(NUM_PERMUTATIONS);
    expect(minhashSignature(a)).to.deep.equal(sa);
    const sb = minhashSignature(b);
    let same = 0;
    for (let i = 0; i < sa.length; i++) if (sa[i] === sb[i]) same++;
    expect(same / sa.length).to.be.closeTo(jaccardSorted(a, b), 0.15);
  });

  it('the banding (20 × 6) makes a pair at the 0.8 threshold a candidate 99.8 % of the time', () => {
    expect(candidateProbability(0.8)).to.be.closeTo(0.9977, 0.0005);
    expect(candidateProbability(0.9)).to.be.greaterThan(0.99999);
    expect(candidateProbability(0.5)).to.be.closeTo(0.27, 0.01);
    expect(candidateProbability(0.3)).to.be.lessThan(0.02);
  });

  it('LSH finds a near copy and not an unrelated text', () => {
    const idx = new LshIndex();
    idx.add(0, minhashSignature(shingleSet(normalizeTokens(TEXT))));
    idx.add(1, minhashSignature(shingleSet(normalizeTokens('completely different words about ships sailing across a calm blue sea at dawn today'))));
    expect(idx.candidates(minhashSignature(shingleSet(normalizeTokens(`${TEXT} again`))))).to.deep.equal([0]);
  });

  it('dedup keeps the first of a chain and compares later rows only to rows kept', () => {
    const long = `${TEXT} and then the dog wakes up, barks twice at the passing mail van, and goes back to sleep in the warm afternoon sun`;
    const rows = [long, long.replace('lazy', 'sleepy'), long.toUpperCase(), 'an unrelated row of text about sailing ships on the sea'].map((t) => prepareRow({ prompt: t, completion: '' }));
    const v = findDuplicates(rows, { exact: true, near: 0.8 });
    expect(v[0]).to.equal(null);
    expect(v[1]).to.deep.include({ kind: 'near-duplicate', of: 0 });
    expect(v[2]).to.deep.equal({ kind: 'duplicate', of: 0, similarity: 1 });
    expect(v[3]).to.equal(null);
    // prompt vs completion matters for exact duplicates (a prompt is not an output).
    const swapped = findDuplicates([prepareRow({ prompt: 'alpha beta gamma', completion: '' }), prepareRow({ prompt: '', completion: 'alpha beta gamma' })], { exact: true, near: null });
    expect(swapped).to.deep.equal([null, null]);
  });
});
