import { expect } from 'chai';
import { clopperPearson, binomialCdf, hoeffding } from '../../../harness/stats/exact-intervals.js';

describe('stats: exact intervals (the stopping rules\' Clopper–Pearson and Hoeffding)', () => {
  it('binomial CDF matches exact sums', () => {
    expect(binomialCdf(5, 10, 0.5)).to.be.closeTo(638 / 1024, 1e-12);
    expect(binomialCdf(0, 3, 0.2)).to.be.closeTo(0.512, 1e-12);
  });

  it('Clopper–Pearson matches published values', () => {
    // R: binom.test(5, 10)$conf.int = 0.1870860 0.8129140; binom.test(0, 10) = 0 0.3084971
    const [lo, hi] = clopperPearson(5, 10, 0.05);
    expect(lo).to.be.closeTo(0.187086, 1e-5);
    expect(hi).to.be.closeTo(0.812914, 1e-5);
    const [lo0, hi0] = clopperPearson(0, 10, 0.05);
    expect(lo0).to.equal(0);
    expect(hi0).to.be.closeTo(0.3084971, 1e-5);
    // Defining property: P(X >= k | lower) = P(X <= k | upper) = delta / 2.
    const [l2, h2] = clopperPearson(73, 100, 0.05);
    expect(1 - binomialCdf(72, 100, l2)).to.be.closeTo(0.025, 1e-9);
    expect(binomialCdf(73, 100, h2)).to.be.closeTo(0.025, 1e-9);
  });

  it('Hoeffding interval has the textbook half-width', () => {
    const [lo, hi] = hoeffding(0.5, 200, 0.05);
    expect(hi - 0.5).to.be.closeTo(Math.sqrt(Math.log(40) / 400), 1e-12);
    expect(lo).to.be.closeTo(0.5 - Math.sqrt(Math.log(40) / 400), 1e-12);
  });
});
