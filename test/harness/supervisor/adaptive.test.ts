import { expect } from 'chai';
import { clopperPearson, binomialCdf, hoeffding } from '../../../harness/supervisor/confidence.js';
import { adaptivePlan, runAdaptive } from '../../../harness/supervisor/adaptive.js';
import { parseTarget } from '../../../harness/supervisor/target.js';
import { uniforms } from '../../../kernels/rng.js';

describe('supervisor confidence intervals', () => {
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

describe('supervisor adaptive evaluation', () => {
  it('plans a geometric schedule ending at the full size', () => {
    const p = adaptivePlan(500, 0.05, 2, 16);
    expect(p.looks).to.deep.equal([16, 32, 64, 128, 256, 500]);
    expect(p.delta).to.be.closeTo(0.05 / 12, 1e-15);
  });

  it('keeps the decision error under alpha while saving requests (simulation)', async () => {
    const target = parseTarget('task >= 0.6');
    const N = 1000;
    const alpha = 0.05;
    const rand = uniforms(7);
    let wrong = 0;
    let decided = 0;
    let used = 0;
    const trials = 300;
    for (let t = 0; t < trials; t++) {
      const p = 0.3 + 0.6 * rand(); // true accuracy of this simulated checkpoint
      const answers = Array.from({ length: N }, () => (rand() < p ? 1 : 0));
      const looks = await runAdaptive(target, adaptivePlan(N, alpha, 1), async (n) => ({ task: answers.slice(0, n) }));
      const last = looks[looks.length - 1];
      used += last.n;
      if (last.verdict !== 'undecided') {
        decided++;
        if ((last.verdict === 'met') !== p >= 0.6) wrong++;
      }
    }
    expect(wrong / trials).to.be.at.most(alpha);
    expect(decided).to.be.greaterThan(trials * 0.7);
    expect(used).to.be.lessThan(trials * N * 0.6); // well under half of a full evaluation per checkpoint on average
  });
});
