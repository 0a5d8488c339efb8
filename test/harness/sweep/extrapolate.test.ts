import { expect } from 'chai';
import { predictFinalScore, type CurvePoint } from '../../../harness/sweep/extrapolate.js';
import { gridCost, planBudgetRungs, planCost, withFirstLooks } from '../../../harness/sweep/budget-plan.js';
import { planRungs } from '../../../harness/sweep/rungs.js';
import { uniforms } from '../../../kernels/rng.js';

const S = 1000;
const expCurve = (a: number, tau: number, start = 0) => (s: number) => start + (a - start) * (1 - Math.exp(-s / tau));
const points = (f: (s: number) => number, steps: number[], se = 0.01): CurvePoint[] => steps.map((step) => ({ step, mean: f(step), se }));

describe('learning-curve extrapolation', () => {
  it('predicts a saturating curve from its early points, the interval narrowing as points come in', () => {
    const f = expCurve(0.62, 150);
    const widths = [[100], [100, 200], [100, 200, 400]].map((steps) => {
      const p = predictFinalScore(points(f, steps), S, { start: 0 });
      expect(p.low).to.be.at.most(f(S));
      expect(p.high).to.be.at.least(f(S));
      return p.high - p.low;
    });
    expect(widths[0]).to.be.greaterThan(0.3); // one point: the shape is not identified
    expect(widths[1]).to.be.lessThan(widths[0]);
    expect(widths[2]).to.be.lessThan(widths[1]);
    // Three points barely tell the two tails apart, so the average leans above the exponential truth;
    // the exponential family alone recovers it.
    const three = predictFinalScore(points(f, [100, 200, 400]), S, { start: 0 });
    expect(three.mean - f(S)).to.be.within(0, 0.07);
    const expOnly = predictFinalScore(points(f, [100, 200, 400]), S, { start: 0, families: ['exponential'] });
    expect(expOnly.mean).to.be.closeTo(f(S), 0.01);
  });

  it('weighs the family that fits: hyperbolic data move the weight to the hyperbolic family', () => {
    const hyp = (s: number) => (0.7 * s) / (s + 120);
    const pe = predictFinalScore(points(expCurve(0.6, 120), [60, 120, 240, 480], 0.004), S, { start: 0 });
    const ph = predictFinalScore(points(hyp, [60, 120, 240, 480], 0.004), S, { start: 0 });
    expect(pe.families.exponential).to.be.greaterThan(0.5);
    expect(ph.families.hyperbolic).to.be.greaterThan(0.5);
    expect(ph.mean).to.be.closeTo(hyp(S), 0.02);
  });

  it('starts every curve at the base score, and keeps predictions within [0, 1]', () => {
    const f = expCurve(0.9, 80, 0.25);
    const p = predictFinalScore(points(f, [50, 100]), S, { start: 0.25 });
    expect(p.mean).to.be.closeTo(f(S), 0.05);
    const steep = predictFinalScore([{ step: 10, mean: 0.6, se: 0.02 }], S, { start: 0.25 });
    expect(steep.high).to.be.at.most(1);
    expect(steep.low).to.be.at.least(0);
  });

  it('90 % intervals from three noisy looks cover exponential truths most of the time', () => {
    // Binomial scores on 1000 instances; the model averages two families, so coverage of the
    // exponential truth is near, not exactly, 90 %.
    const rng = uniforms(7);
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const f = expCurve(0.4 + 0.3 * rng(), S * (0.02 + 0.13 * rng()));
      const pts = [100, 200, 400].map((step) => {
        let k = 0;
        for (let j = 0; j < 1000; j++) if (rng() < f(step)) k++;
        const mean = k / 1000;
        return { step, mean, se: Math.sqrt((mean * (1 - mean)) / 1000) };
      });
      const p = predictFinalScore(pts, S, { start: 0 });
      if (p.low <= f(S) && f(S) <= p.high) covered++;
    }
    expect(covered / trials).to.be.within(0.8, 1);
  });

  it('refuses points it cannot use', () => {
    expect(() => predictFinalScore([], S, { start: 0 })).to.throw(/no scored point/);
    expect(() => predictFinalScore([{ step: 0, mean: 0.5, se: 0.01 }], S, { start: 0 })).to.throw(/bad point/);
    expect(() => predictFinalScore([{ step: 10, mean: 1.5, se: 0.01 }], S, { start: 0 })).to.throw(/bad point/);
    expect(() => predictFinalScore([{ step: 10, mean: 0.5, se: 0.01 }], S, { start: 2 })).to.throw(/start/);
  });
});

describe('rung plans from a compute budget', () => {
  const evalCost = 50;

  it('puts the first rung as late as a third of the grid allows, with two looks, and keeps ≥ 2 finalists', () => {
    const budget = gridCost(27, S, evalCost) / 3;
    const plan = planBudgetRungs({ arms: 27, maxStep: S, eta: 3, budget, evalCost });
    expect(planCost(plan, evalCost)).to.be.at.most(budget);
    expect(plan[0].looks).to.have.length(2);
    expect(plan[0].looks[1]).to.equal(plan[0].step);
    expect(plan.map((r) => [r.arms, r.keep])).to.deep.equal([
      [27, 9],
      [9, 3],
      [3, 1],
    ]);
    expect(plan[plan.length - 1].step).to.equal(S);
    // Geometric halving looks first at step 38; this plan later, and a bigger budget later still.
    expect(plan[0].step).to.be.greaterThan(planRungs({ arms: 27, maxStep: S, eta: 3 })[0].step);
    const richer = planBudgetRungs({ arms: 27, maxStep: S, eta: 3, budget: gridCost(27, S, evalCost) / 2, evalCost });
    expect(richer[0].step).to.be.greaterThan(plan[0].step);
    // One step later would not fit.
    const later = plan.map((r, i) => (i === 0 ? { ...r, step: r.step + 1, looks: [r.looks[0], r.step + 1] } : r));
    expect(planCost(later, evalCost)).to.be.greaterThan(budget - 30);
  });

  it('rounds steps to the checkpoint interval and refuses a budget that only affords early looks', () => {
    const plan = planBudgetRungs({ arms: 8, maxStep: 2000, eta: 2, budget: gridCost(8, 2000, evalCost) / 2, evalCost, stepMultiple: 50 });
    for (const r of plan) for (const l of r.looks) expect(l % 50 === 0 || l === 2000).to.equal(true);
    expect(() => planBudgetRungs({ arms: 6, maxStep: S, eta: 3, budget: gridCost(6, S, evalCost) / 3, evalCost })).to.throw(/no look before step 112 need at least \d+ steps' worth/);
    expect(planBudgetRungs({ arms: 1, maxStep: S, eta: 2, budget: 2 * S, evalCost })).to.deep.equal([{ index: 0, step: S, looks: [S], arms: 1, keep: 1 }]);
  });

  it('adds looks to the first rung of any plan', () => {
    const plan = withFirstLooks(planRungs({ arms: 6, maxStep: 900, eta: 3 }), 2, 10);
    expect(plan.map((r) => r.looks)).to.deep.equal([[50, 100], [300], [900]]);
  });
});
