import { expect } from 'chai';
import { gridArms, listArms } from '../../../harness/sweep/arms.js';
import { planRungs, plannedSteps } from '../../../harness/sweep/rungs.js';
import { commonInstances, headline, worseTest, type CandidateScores } from '../../../harness/sweep/paired.js';
import { decidePromotions } from '../../../harness/sweep/promotion.js';
import { applyRung, initSweep, nextWork, stopForDeadline, totalCompute, type ArmRungResult, type SweepState } from '../../../harness/sweep/halving.js';
import { checkDeadline, rungSeconds } from '../../../harness/sweep/budget.js';
import { ashaNextJob, ashaPromotable } from '../../../harness/sweep/asha.js';
import { rankCandidates } from '../../../harness/sweep/rank.js';
import { estimateReserve } from '../../../harness/supervisor/stop-rules.js';
import { binomialHalfCdf } from '../../../harness/stats/mcnemar.js';

/** One task "t" of n 0/1 scores: the first k instances right. */
function firstRight(name: string, n: number, k: number, task = 't'): CandidateScores {
  const scores: Record<string, number> = {};
  for (let i = 0; i < n; i++) scores[`i${String(i).padStart(4, '0')}`] = i < k ? 1 : 0;
  return { name, tasks: { [task]: scores } };
}

/** One task of n 0/1 scores: instances [offset, offset + k) right (arms overlap, discordant both ways). */
function windowRight(name: string, n: number, offset: number, k: number): CandidateScores {
  const scores: Record<string, number> = {};
  for (let i = 0; i < n; i++) scores[`i${String(i).padStart(4, '0')}`] = i >= offset && i < offset + k ? 1 : 0;
  return { name, tasks: { t: scores } };
}

describe('sweep arms and rungs', () => {
  it('grids expand in written order with stable ids; lists refuse repeats', () => {
    const arms = gridArms({ r: [8, 16], lr: [1e-4, 3e-4, 1e-3] });
    expect(arms.map((a) => a.id)).to.deep.equal(['arm-00', 'arm-01', 'arm-02', 'arm-03', 'arm-04', 'arm-05']);
    expect(arms[1].params).to.deep.equal({ r: 8, lr: 3e-4 });
    expect(arms[5].params).to.deep.equal({ r: 16, lr: 1e-3 });
    expect(() => gridArms({ r: [] })).to.throw(/no values/);
    expect(() => listArms([{ r: 8, alpha: 16 }, { alpha: 16, r: 8 }])).to.throw(/repeats configuration 0/);
  });

  it('plans geometric rungs: 27 arms at η = 3 train 3S of the grid\'s 27S; 8 at η = 2 2.5S of 8S', () => {
    const r27 = planRungs({ arms: 27, maxStep: 2700, eta: 3 });
    expect(r27.map((r) => [r.step, r.arms, r.keep])).to.deep.equal([
      [100, 27, 9],
      [300, 9, 3],
      [900, 3, 1],
      [2700, 1, 1],
    ]);
    expect(plannedSteps(r27)).to.equal(3 * 2700);
    expect(plannedSteps(planRungs({ arms: 8, maxStep: 800, eta: 2 }))).to.equal(2.5 * 800);
    expect(planRungs({ arms: 6, maxStep: 900, eta: 3 }).map((r) => [r.step, r.arms, r.keep])).to.deep.equal([
      [100, 6, 2],
      [300, 2, 1],
      [900, 1, 1],
    ]);
    expect(planRungs({ arms: 6, maxStep: 800, eta: 2 }).map((r) => [r.step, r.arms, r.keep])).to.deep.equal([
      [100, 6, 3],
      [200, 3, 2],
      [400, 2, 1],
      [800, 1, 1],
    ]);
  });

  it('a minimum step limits the halvings; steps round up to the checkpoint interval', () => {
    const r = planRungs({ arms: 27, maxStep: 2700, eta: 3, minStep: 250 });
    expect(r.map((x) => x.step)).to.deep.equal([300, 900, 2700]);
    expect(r.map((x) => x.keep)).to.deep.equal([9, 3, 1]);
    expect(planRungs({ arms: 4, maxStep: 1000, eta: 2, stepMultiple: 64 }).map((x) => x.step)).to.deep.equal([256, 512, 1000]);
    expect(planRungs({ arms: 1, maxStep: 10, eta: 2 })).to.deep.equal([{ index: 0, step: 10, looks: [10], arms: 1, keep: 1 }]);
  });
});

describe('sweep paired tests and promotion', () => {
  it('pairs on common instances; headline is the mean of task means', () => {
    const a: CandidateScores = { name: 'a', tasks: { x: { i1: 1, i2: 0, i3: 1 }, y: { j1: 0.5 } } };
    const b: CandidateScores = { name: 'b', tasks: { x: { i1: 1, i2: 1 }, y: { j1: 1, j2: 1 } } };
    const on = commonInstances([a, b]);
    expect(on).to.deep.equal({ x: ['i1', 'i2'], y: ['j1'] });
    expect(headline(a, on)).to.equal((0.5 + 0.5) / 2);
    expect(headline(b, on)).to.equal(1);
  });

  it('the one-sided sign test is the exact binomial tail on discordant pairs', () => {
    // A right alone on 2 instances, B right alone on 10.
    const scoresA: Record<string, number> = {};
    const scoresB: Record<string, number> = {};
    for (let i = 0; i < 40; i++) {
      scoresA[`i${i}`] = i < 2 || (i >= 12 && i < 30) ? 1 : 0;
      scoresB[`i${i}`] = (i >= 2 && i < 12) || (i >= 12 && i < 30) ? 1 : 0;
    }
    const t = worseTest({ name: 'a', tasks: { t: scoresA } }, { name: 'b', tasks: { t: scoresB } }, { t: Object.keys(scoresA).sort() });
    expect(t.method).to.equal('sign');
    expect(t.p).to.be.closeTo(binomialHalfCdf(2, 12), 1e-12);
    expect(t.delta).to.be.closeTo(8 / 40, 1e-12);
  });

  it('stops arms shown worse, caps the rest by the budget, and says which rule stopped each', () => {
    // b vs a: 20 instances a alone gets right, 10 b alone: one-sided p = P(X ≤ 10 | 30) = 0.049 > 0.05/5.
    const arms = [windowRight('a', 400, 0, 300), windowRight('b', 400, 20, 290), firstRight('c', 400, 200), firstRight('d', 400, 100), windowRight('e', 400, 10, 295), windowRight('f', 400, 30, 285)];
    const v = decidePromotions(arms, { keep: 2, alpha: 0.05, rule: 'confidence+budget' });
    expect(v.ranking).to.deep.equal(['a', 'e', 'b', 'f', 'c', 'd']);
    const byArm = Object.fromEntries(v.verdicts.map((x) => [x.arm, [x.action, x.reason]]));
    expect(byArm).to.deep.equal({ a: ['promote', 'leader'], e: ['promote', 'kept'], b: ['stop', 'budget'], f: ['stop', 'budget'], c: ['stop', 'worse'], d: ['stop', 'worse'] });
    expect(v.testLevel).to.be.closeTo(0.05 / 5, 1e-15);
    // c is worse than a: 100 discordant pairs all for a.
    expect(v.verdicts.find((x) => x.arm === 'c')!.against).to.deep.include({ arm: 'a', method: 'sign' });
    // Plain halving ignores confidence; confidence alone keeps all not shown worse.
    const plain = decidePromotions(arms, { keep: 2, alpha: 0.05, rule: 'budget' });
    expect(plain.verdicts.filter((x) => x.action === 'promote').map((x) => x.arm)).to.deep.equal(['a', 'e']);
    expect(plain.verdicts.find((x) => x.arm === 'd')!.reason).to.equal('budget');
    const conf = decidePromotions(arms, { keep: 2, alpha: 0.05, rule: 'confidence' });
    expect(conf.verdicts.filter((x) => x.action === 'promote').map((x) => x.arm).sort()).to.deep.equal(['a', 'b', 'e', 'f']);
  });

  it('a difference just above the Bonferroni level is not "worse"; just below it is', () => {
    // Nested first-k-right arms: discordant pairs all favour the better arm, p = 0.5^d.
    // m = 3 arms, alpha 0.05 → level 0.025: d = 5 gives p = 0.03125 (kept), d = 6 gives 0.015625 (worse).
    const v5 = decidePromotions([firstRight('a', 50, 30), firstRight('b', 50, 25), firstRight('c', 50, 0)], { keep: 3, alpha: 0.05, rule: 'confidence' });
    expect(v5.verdicts.find((x) => x.arm === 'b')!.reason).to.equal('kept');
    const v6 = decidePromotions([firstRight('a', 50, 30), firstRight('b', 50, 24), firstRight('c', 50, 0)], { keep: 3, alpha: 0.05, rule: 'confidence' });
    expect(v6.verdicts.find((x) => x.arm === 'b')!.reason).to.equal('worse');
  });
});

describe('successive halving state machine', () => {
  const arms = gridArms({ lr: [1, 2, 3, 4, 5, 6] });
  /** Arm k's accuracy: fixed per arm, the same at every rung (k right of 100 … ). */
  const accuracy: Record<string, number> = { 'arm-00': 40, 'arm-01': 70, 'arm-02': 55, 'arm-03': 69, 'arm-04': 20, 'arm-05': 68 };
  function results(s: SweepState, step: number, crash: string[] = []): ArmRungResult[] {
    return (nextWork(s) as { arms: string[] }).arms.map((id) =>
      crash.includes(id) ? { arm: id, ok: false, error: 'CUDA out of memory', step: step / 2, trainSeconds: 5 } : { arm: id, ok: true, step, checkpoint: `/ckpt/${id}/${step}`, scores: firstRight(id, 100, accuracy[id]).tasks, trainSeconds: step / 10, evalSeconds: 2 },
    );
  }

  it('runs the rungs, stops losers with reasons, keeps their checkpoints, and names the winner', () => {
    let s = initSweep({ arms, maxStep: 800, eta: 2, alpha: 0.05, rule: 'confidence+budget' });
    const w0 = nextWork(s);
    expect(w0).to.deep.include({ kind: 'rung', arms: arms.map((a) => a.id) });
    s = applyRung(s, 0, results(s, 100));
    const stopped0 = s.arms.filter((a) => a.status === 'stopped').map((a) => [a.id, a.stopped!.reason]);
    // 6 → keep 3 (arm-01, arm-03, arm-05); arm-00 and arm-04 are shown worse, arm-02 is cut by budget.
    expect(stopped0).to.deep.equal([
      ['arm-00', 'worse'],
      ['arm-02', 'worse'],
      ['arm-04', 'worse'],
    ]);
    expect(s.arms.find((a) => a.id === 'arm-00')!.checkpoint).to.equal('/ckpt/arm-00/100');
    s = applyRung(s, 1, results(s, 200));
    s = applyRung(s, 2, results(s, 400));
    expect(nextWork(s)).to.deep.include({ kind: 'rung', arms: ['arm-01'] });
    s = applyRung(s, 3, results(s, 800));
    expect(s.finished).to.deep.include({ winner: 'arm-01', reason: 'completed' });
    expect(s.arms.find((a) => a.id === 'arm-01')!.status).to.equal('winner');
    expect(nextWork(s)).to.deep.equal({ kind: 'done' });
    const c = totalCompute(s);
    expect(c.steps).to.equal(6 * 100 + 3 * 100 + 2 * 200 + 1 * 400);
    expect(c.evalRequests).to.equal((6 + 3 + 2 + 1) * 100);
    expect(s.arms.find((a) => a.id === 'arm-01')!.history.map((h) => h.step)).to.deep.equal([100, 200, 400, 800]);
    expect(() => applyRung(s, 3, [])).to.throw(/after the sweep finished/);
  });

  it('records a crashed arm as crashed and goes on; all crashed ends the sweep', () => {
    let s = initSweep({ arms, maxStep: 800, eta: 2, alpha: 0.05, rule: 'budget' });
    s = applyRung(s, 0, results(s, 100, ['arm-01']));
    const crashed = s.arms.find((a) => a.id === 'arm-01')!;
    expect(crashed.status).to.equal('crashed');
    expect(crashed.stopped).to.deep.equal({ rung: 0, reason: 'crashed', detail: 'CUDA out of memory' });
    expect(crashed.compute.steps).to.equal(50);
    expect(s.done[0].crashed).to.deep.equal(['arm-01']);
    expect((nextWork(s) as { arms: string[] }).arms).to.deep.equal(['arm-02', 'arm-03', 'arm-05']);
    const active = (nextWork(s) as { arms: string[] }).arms;
    s = applyRung(s, 1, results(s, 200, active));
    expect(s.finished).to.deep.include({ winner: null, reason: 'all-crashed' });
  });

  it('goes straight to the last rung when confidence leaves one arm', () => {
    const dominant: Record<string, number> = { 'arm-00': 95, 'arm-01': 10, 'arm-02': 12, 'arm-03': 15, 'arm-04': 11, 'arm-05': 9 };
    let s = initSweep({ arms, maxStep: 800, eta: 2, alpha: 0.05, rule: 'confidence+budget' });
    s = applyRung(
      s,
      0,
      arms.map((a) => ({ arm: a.id, ok: true as const, step: 100, checkpoint: null, scores: firstRight(a.id, 100, dominant[a.id]).tasks, trainSeconds: 1, evalSeconds: 1 })),
    );
    const w = nextWork(s);
    expect(w).to.deep.include({ kind: 'rung', arms: ['arm-00'] });
    expect((w as { rung: { index: number; step: number } }).rung).to.deep.include({ index: 3, step: 800 });
    expect(() => applyRung(s, 1, [])).to.throw(/expected results of rung 3/);
  });

  it('refuses results for unknown or missing arms', () => {
    const s = initSweep({ arms, maxStep: 800, eta: 2, alpha: 0.05, rule: 'budget' });
    expect(() => applyRung(s, 0, results(s, 100).slice(1))).to.throw(/no result for arm-00/);
    expect(() => applyRung(s, 0, [...results(s, 100), { arm: 'arm-99', ok: false, error: 'x', step: 0, trainSeconds: 0 }])).to.throw(/arm-99 is not an active arm/);
  });

  it('holds back the final-evaluation reserve: a rung that does not fit ends the sweep with the leader', () => {
    let s = initSweep({ arms, maxStep: 800, eta: 2, alpha: 0.05, rule: 'budget' });
    const reserve = { fullEvalSeconds: 100, secondsPerRequest: null, fullRequestCount: 0, checkpointSaveSeconds: 5, marginFraction: 0.1, marginFloorS: 10 };
    expect(estimateReserve(reserve)).to.equal(115.5);
    const clock = (nowS: number) => ({ nowS, deadlineS: 1000, reserve, prior: { secondsPerStep: 1, evalSecondsPerArm: 10 } });
    // Rung 0: 6 arms × (100 steps × 1 s + 10 s) = 660 s ≤ 1000 − 115.
    expect(nextWork(s, clock(0))).to.deep.include({ kind: 'rung' });
    s = applyRung(s, 0, results(s, 100)); // measured: 0.1 s/step, 2 s per scoring
    // Rung 1 with measured costs: 3 × (100 × 0.1 + 2) = 36 s; at t = 860 only 24.5 s are left after the reserve.
    const w = nextWork(s, clock(860));
    expect(w.kind).to.equal('deadline');
    const check = (w as { check: ReturnType<typeof checkDeadline> }).check;
    expect(check.needS).to.be.closeTo(36, 1e-9);
    s = stopForDeadline(s, check);
    expect(s.finished).to.deep.include({ winner: 'arm-01', reason: 'deadline' });
    expect(s.arms.filter((a) => a.stopped?.reason === 'deadline').map((a) => a.id)).to.deep.equal(['arm-03', 'arm-05']);
    expect(rungSeconds([0, 50], 100, { secondsPerStep: 2, evalSecondsPerArm: 1 })).to.equal(302);
  });
});

describe('ASHA promotions', () => {
  it('promotes the top ⌊n/η⌋ finished at a rung, once', () => {
    const done = [
      { arm: 'a', mean: 0.5 },
      { arm: 'b', mean: 0.7 },
      { arm: 'c', mean: 0.6 },
      { arm: 'd', mean: 0.2 },
    ];
    expect(ashaPromotable(done.slice(0, 2), new Set(), 3)).to.deep.equal([]);
    expect(ashaPromotable(done.slice(0, 3), new Set(), 3)).to.deep.equal(['b']);
    expect(ashaPromotable(done, new Set(['b']), 2)).to.deep.equal(['c']);
    expect(ashaNextJob([done, [{ arm: 'b', mean: 0.8 }]], [new Set(['b']), new Set()], 2, ['e'], 2)).to.deep.equal({ arm: 'c', toRung: 1 });
    expect(ashaNextJob([done.slice(0, 1)], [new Set()], 2, ['e', 'f'], 2)).to.deep.equal({ arm: 'e', toRung: 0 });
    expect(ashaNextJob([done.slice(0, 1)], [new Set()], 2, [], 2)).to.equal(null);
  });
});

describe('rank with Holm-corrected paired intervals', () => {
  it('tells clearly different candidates apart and calls close ones indistinguishable (exact test where the bootstrap is too narrow)', () => {
    const r = rankCandidates([firstRight('mid', 600, 400), firstRight('top', 600, 480), firstRight('close', 600, 405)], { resamples: 4000 });
    expect(r.order.map((o) => o.name)).to.deep.equal(['top', 'close', 'mid']);
    const pair = (b: string, w: string) => r.pairs.find((p) => p.better === b && p.worse === w)!;
    expect(pair('top', 'close').distinguishable).to.equal(true);
    expect(pair('top', 'mid').distinguishable).to.equal(true);
    expect(pair('close', 'mid').distinguishable).to.equal(false);
    // 5 discordant pairs, all for "close": the bootstrap interval is above 0, McNemar's p = 0.0625 is not.
    expect(pair('close', 'mid').low).to.be.greaterThan(0);
    expect(pair('close', 'mid').p).to.be.closeTo(0.0625, 1e-12);
    expect(r.tiedWithTop).to.deep.equal(['top']);
    expect(r.summary.find((l) => l.startsWith('close ≈ mid'))).to.match(/indistinguishable at this budget/);
  });

  it('uses Holm step levels: 1 − α/3, 1 − α/2, then 1 − α for three pairs all told apart', () => {
    const r = rankCandidates([firstRight('a', 1000, 900), firstRight('b', 1000, 600), firstRight('c', 1000, 300)], { resamples: 2000 });
    const levels = r.pairs.map((p) => p.level).sort((x, y) => y - x);
    expect(levels[0]).to.be.closeTo(1 - 0.05 / 3, 1e-12);
    expect(levels[1]).to.be.closeTo(1 - 0.05 / 2, 1e-12);
    expect(levels[2]).to.be.closeTo(0.95, 1e-12);
    // The smallest p is tested first, at the strictest level.
    const first = r.pairs.reduce((x, y) => (x.p <= y.p ? x : y));
    expect(first.level).to.be.closeTo(1 - 0.05 / 3, 1e-12);
    expect(r.pairs.every((p) => p.distinguishable)).to.equal(true);
    // Holm-adjusted p is at least the raw p and monotone with it.
    for (const p of r.pairs) expect(p.pHolm).to.be.at.least(p.p);
  });

  it('once a step fails, every later pair is indistinguishable at that step\'s level (Holm stops)', () => {
    // (a,b) and (a,c): 6 discordant pairs all for a, McNemar p = 2·0.5^6 = 0.031 < 0.05 unadjusted,
    // but the first step is at α/3 = 0.0167: not told apart, so no later pair is either.
    const r = rankCandidates([firstRight('a', 300, 106), firstRight('b', 300, 100), firstRight('c', 300, 100)], { resamples: 4000 });
    expect(Math.min(...r.pairs.map((p) => p.p))).to.be.closeTo(0.03125, 1e-12);
    expect(r.pairs.every((p) => !p.distinguishable)).to.equal(true);
    const first = r.pairs.reduce((x, y) => (x.p <= y.p ? x : y));
    for (const p of r.pairs) expect(p.level).to.equal(first.level);
    expect(r.tiedWithTop.sort()).to.deep.equal(['a', 'b', 'c']);
  });

  it('reports per-task differences for a stratified comparison', () => {
    const mk = (name: string, kx: number, ky: number): CandidateScores => ({ name, tasks: { ...firstRight(name, 200, kx, 'x').tasks, ...firstRight(name, 200, ky, 'y').tasks } });
    const r = rankCandidates([mk('p', 150, 50), mk('q', 50, 150), mk('s', 100, 100)], { resamples: 2000 });
    const pq = r.pairs.find((p) => (p.better === 'p' && p.worse === 'q') || (p.better === 'q' && p.worse === 'p'))!;
    expect(Math.abs(pq.tasks.x.delta)).to.be.closeTo(0.5, 1e-12);
    expect(pq.tasks.x.delta).to.equal(-pq.tasks.y.delta);
    expect(pq.distinguishable).to.equal(false);
  });
});

describe('extrapolating promotion', () => {
  const pred = (mean: number, low: number, high: number) => ({ atStep: 1000, mean, low, high, level: 0.95, families: { exponential: 0.5, hyperbolic: 0.5 } });

  it('keeps the arms with the best predicted final score, not the best score now', () => {
    // "slow" trails now (250 vs 300 right) but is predicted to end highest.
    const arms = [firstRight('fast', 400, 300), firstRight('slow', 400, 250), firstRight('mid', 400, 280)];
    const predictions = { fast: pred(0.76, 0.74, 0.78), slow: pred(0.8, 0.7, 0.9), mid: pred(0.71, 0.69, 0.73) };
    const v = decidePromotions(arms, { keep: 1, alpha: 0.05, rule: 'extrapolate', predictions });
    expect(v.ranking).to.deep.equal(['slow', 'fast', 'mid']);
    expect(v.verdicts.find((x) => x.arm === 'slow')!.action).to.equal('promote');
    expect(v.verdicts.find((x) => x.arm === 'fast')!.detail).to.match(/predicted 76\.00 \[74\.00, 78\.00\] at step 1000/);
    expect(() => decidePromotions(arms, { keep: 1, alpha: 0.05, rule: 'extrapolate', predictions: { fast: predictions.fast } })).to.throw(/needs a prediction for slow/);
  });

  it('with confidence, stops as worse only when the paired test rejects AND the prediction is credibly below', () => {
    // b and c are both far behind a now (paired test rejects); b is predicted to catch up, c is not.
    const arms = [firstRight('a', 400, 300), firstRight('b', 400, 200), firstRight('c', 400, 150)];
    const predictions = { a: pred(0.76, 0.74, 0.78), b: pred(0.7, 0.55, 0.85), c: pred(0.4, 0.35, 0.45) };
    const v = decidePromotions(arms, { keep: 3, alpha: 0.05, rule: 'extrapolate+confidence', predictions });
    const byArm = Object.fromEntries(v.verdicts.map((x) => [x.arm, x.reason]));
    expect(byArm).to.deep.equal({ a: 'leader', b: 'kept', c: 'worse' });
    // The plain confidence rule stops both.
    const plain = decidePromotions(arms, { keep: 3, alpha: 0.05, rule: 'confidence+budget' });
    expect(plain.verdicts.filter((x) => x.reason === 'worse').map((x) => x.arm)).to.deep.equal(['b', 'c']);
  });
});

describe('halving with a budget plan and several looks per rung', () => {
  const arms = gridArms({ lr: [1, 2, 3, 4] });
  const plan = [
    { index: 0, step: 100, looks: [50, 100], arms: 4, keep: 2 },
    { index: 1, step: 1000, looks: [1000], arms: 2, keep: 1 },
  ];
  /** Right answers of 400 at a step: arm-00 fast and low, arm-03 slow and high, the others low. */
  const right: Record<string, (s: number) => number> = {
    'arm-00': (s) => Math.round(400 * 0.6 * (1 - Math.exp(-s / 20))),
    'arm-01': (s) => Math.round(400 * 0.3 * (1 - Math.exp(-s / 20))),
    'arm-02': (s) => Math.round(400 * 0.4 * (1 - Math.exp(-s / 30))),
    'arm-03': (s) => Math.round(400 * 0.8 * (1 - Math.exp(-s / 200))),
  };
  const resultsAt = (ids: string[], looks: number[]): ArmRungResult[] =>
    ids.map((id) => ({
      arm: id,
      ok: true,
      step: looks[looks.length - 1],
      checkpoint: null,
      scores: firstRight(id, 400, right[id](looks[looks.length - 1])).tasks,
      looks: looks.slice(0, -1).map((step) => ({ step, scores: firstRight(id, 400, right[id](step)).tasks })),
      trainSeconds: 1,
      evalSeconds: 1,
    }));

  it('needs the curve model for an extrapolating rule and checks a given plan', () => {
    expect(() => initSweep({ arms, maxStep: 1000, eta: 2, alpha: 0.05, rule: 'extrapolate', rungs: plan })).to.throw(/needs the curve model/);
    expect(() => initSweep({ arms, maxStep: 900, eta: 2, alpha: 0.05, rule: 'budget', rungs: plan })).to.throw(/ends at step 1000, not at maxStep 900/);
    expect(() => initSweep({ arms, maxStep: 1000, eta: 2, alpha: 0.05, rule: 'budget', rungs: [{ ...plan[0], looks: [100, 50] }, plan[1]] })).to.throw(/looks \[100,50\] must rise/);
    expect(() => initSweep({ arms: arms.slice(1), maxStep: 1000, eta: 2, alpha: 0.05, rule: 'budget', rungs: plan })).to.throw(/starts with 4 arms, the sweep has 3/);
  });

  it('records every look, and the extrapolating rule keeps the slow arm that plain halving cuts', () => {
    const run = (rule: 'budget' | 'extrapolate') => {
      let s = initSweep({ arms, maxStep: 1000, eta: 2, alpha: 0.05, rule, rungs: plan, curve: { start: 0 } });
      const w = nextWork(s);
      expect(w).to.deep.include({ kind: 'rung' });
      expect((w as { rung: { looks: number[] } }).rung.looks).to.deep.equal([50, 100]);
      s = applyRung(s, 0, resultsAt((w as { arms: string[] }).arms, [50, 100]));
      return s;
    };
    const plain = run('budget');
    const kept = (s: SweepState) => s.arms.filter((a) => a.status === 'active').map((a) => a.id);
    // At step 100 arm-03 has 0.8·(1 − e^−0.5) = 31 % right, behind arm-00 (60 %) and arm-02 (38 %).
    expect(kept(plain)).to.deep.equal(['arm-00', 'arm-02']);
    const ex = run('extrapolate');
    expect(kept(ex)).to.include('arm-03');
    const a3 = ex.arms.find((a) => a.id === 'arm-03')!;
    expect(a3.history.map((h) => h.step)).to.deep.equal([50, 100]);
    expect(a3.history[0].se).to.be.closeTo(Math.sqrt((0.125 * 0.875) / 400), 0.01);
    expect(a3.compute.evalRequests).to.equal(800);
    const v = ex.done[0].verdict!.verdicts.find((x) => x.arm === 'arm-03')!;
    expect(v.predicted!.mean).to.be.greaterThan(0.6);
    // The last rung decides on the scores at step 1000.
    let s = applyRung(ex, 1, resultsAt(kept(ex), [1000]));
    expect(s.finished).to.deep.include({ winner: 'arm-03', reason: 'completed' });
    s = applyRung(run('budget'), 1, resultsAt(kept(plain), [1000]));
    expect(s.finished).to.deep.include({ winner: 'arm-00' });
  });

  it('refuses looks out of order or outside the rung', () => {
    const s = initSweep({ arms, maxStep: 1000, eta: 2, alpha: 0.05, rule: 'budget', rungs: plan });
    const bad = resultsAt(arms.map((a) => a.id), [50, 100]);
    bad[1] = { ...bad[1], looks: [{ step: 150, scores: bad[1].ok ? bad[1].scores : {} }] } as ArmRungResult;
    expect(() => applyRung(s, 0, bad)).to.throw(/arm-01's look at step 150 is not between its step 0 and 100/);
  });
});
