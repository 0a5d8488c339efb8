import { expect } from 'chai';
import { adaptivePlan, runAdaptive } from '../../../harness/supervisor/adaptive.js';
import { parseTarget } from '../../../harness/supervisor/target.js';
import { uniforms } from '../../../kernels/rng.js';

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
