import { expect } from 'chai';
import { mcnemarExactP, binomialHalfCdf } from '../../harness/stats/mcnemar.js';
import { holmAdjust } from '../../harness/stats/holm.js';
import { pairedBootstrapCI, unpairedBootstrapCI } from '../../harness/stats/bootstrap.js';
import { uniforms } from '../../kernels/rng.js';
import { quantileSorted } from '../../harness/stats/quantile.js';

describe('stats', () => {
  describe('exact McNemar', () => {
    it('matches hand-computed binomial tails', () => {
      // b=1, c=5: 2·(C(6,0)+C(6,1))/2^6 = 14/64
      expect(mcnemarExactP(1, 5)).to.be.closeTo(14 / 64, 1e-12);
      expect(mcnemarExactP(5, 1)).to.be.closeTo(14 / 64, 1e-12);
      // b=0, c=10: 2/1024
      expect(mcnemarExactP(0, 10)).to.be.closeTo(2 / 1024, 1e-12);
      // b=3, c=3: symmetric → capped at 1
      expect(mcnemarExactP(3, 3)).to.equal(1);
      expect(mcnemarExactP(0, 0)).to.equal(1);
      // b=2, c=8: 2·(1+10+45)/1024 = 112/1024
      expect(mcnemarExactP(2, 8)).to.be.closeTo(112 / 1024, 1e-12);
    });
    it('matches scipy.stats.binomtest for a larger table (b=40, c=62)', () => {
      // scipy: binomtest(40, 102, 0.5).pvalue = 0.037371... computed from the exact tail below
      let tail = 0;
      let logC = 0; // log C(102, 0)
      for (let i = 0; i <= 40; i++) {
        if (i > 0) logC += Math.log((102 - i + 1) / i);
        tail += Math.exp(logC - 102 * Math.LN2);
      }
      expect(mcnemarExactP(40, 62)).to.be.closeTo(2 * tail, 1e-12);
      expect(mcnemarExactP(40, 62)).to.be.within(0.03, 0.05);
    });
    it('does not underflow for thousands of discordant pairs', () => {
      expect(binomialHalfCdf(5000, 10000)).to.be.closeTo(0.5 + 0.5 * 0.00797871, 1e-4);
      expect(mcnemarExactP(4800, 5200)).to.be.greaterThan(0).and.lessThan(0.001);
    });
    it('rejects negative or fractional counts', () => {
      expect(() => mcnemarExactP(-1, 2)).to.throw(/non-negative integers/);
      expect(() => mcnemarExactP(1.5, 2)).to.throw(/non-negative integers/);
    });
  });

  describe('Holm', () => {
    it('matches the textbook example and keeps input order', () => {
      const adj = holmAdjust([0.01, 0.04, 0.03, 0.005]);
      expect(adj[0]).to.be.closeTo(0.03, 1e-12);
      expect(adj[1]).to.be.closeTo(0.06, 1e-12);
      expect(adj[2]).to.be.closeTo(0.06, 1e-12);
      expect(adj[3]).to.be.closeTo(0.02, 1e-12);
    });
    it('caps at 1 and handles an empty list', () => {
      expect(holmAdjust([0.5, 0.6])).to.deep.equal([1, 1]);
      expect(holmAdjust([])).to.deep.equal([]);
    });
  });

  describe('bootstrap', () => {
    it('quantile interpolates like numpy', () => {
      expect(quantileSorted([1, 2, 3, 4], 0.5)).to.equal(2.5);
      expect(quantileSorted([1, 2, 3, 4], 0.25)).to.equal(1.75);
    });
    it('is deterministic for a seed and brackets the observed delta', () => {
      const d = [1, 0, 0, 1, -1, 0, 1, 1, 0, 0];
      const x = pairedBootstrapCI([d], { seed: 7, resamples: 2000 });
      const y = pairedBootstrapCI([d], { seed: 7, resamples: 2000 });
      expect(x).to.deep.equal(y);
      expect(x.delta).to.be.closeTo(0.3, 1e-12);
      expect(x.low).to.be.lessThan(0.3);
      expect(x.high).to.be.greaterThan(0.3);
    });
    it('a constant difference has a zero-width interval', () => {
      const x = pairedBootstrapCI([[0.2, 0.2, 0.2]], { resamples: 500 });
      expect(x.low).to.be.closeTo(0.2, 1e-12);
      expect(x.high).to.be.closeTo(0.2, 1e-12);
    });
    it('covers the true paired difference about 95 % of the time on simulated 0/1 data', () => {
      // 400 simulated experiments, n=200 pairs, P(A right)=0.6, P(B right)=0.65 with correlated errors.
      const rng = uniforms(12345);
      const trueDelta = 0.05;
      let covered = 0;
      const trials = 400;
      for (let t = 0; t < trials; t++) {
        const d = new Float64Array(200);
        for (let i = 0; i < 200; i++) {
          const u = rng();
          const a = u < 0.6 ? 1 : 0;
          // B is right whenever A is, plus on 0.05/0.4 of A's misses: marginal 0.65.
          const b = a === 1 || rng() < 0.125 ? 1 : 0;
          d[i] = b - a;
        }
        const ci = pairedBootstrapCI([d], { seed: t + 1, resamples: 1000 });
        if (ci.low <= trueDelta && trueDelta <= ci.high) covered++;
      }
      const rate = covered / trials;
      expect(rate).to.be.within(0.91, 0.98);
    });
    it('stratified paired bootstrap averages per-stratum means (HELM group mean)', () => {
      const ci = pairedBootstrapCI([[1, 1, 1, 1], [0, 0]], { resamples: 200 });
      expect(ci.delta).to.be.closeTo(0.5, 1e-12);
      expect(ci.low).to.be.closeTo(0.5, 1e-12);
    });
    it('unpaired bootstrap estimates the difference of means', () => {
      const ci = unpairedBootstrapCI([{ a: [0, 0, 1, 1], b: [1, 1, 1, 0] }], { resamples: 2000 });
      expect(ci.delta).to.be.closeTo(0.25, 1e-12);
      expect(ci.low).to.be.lessThan(0.25);
      expect(ci.high).to.be.greaterThan(0.25);
      expect(() => unpairedBootstrapCI([{ a: [], b: [1] }])).to.throw(/both sides/);
    });
  });
});
