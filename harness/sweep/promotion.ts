// Which arms a rung promotes. Rules, applied in this order:
//
// 1. Confidence (an error guarantee): arm A is stopped as "worse" when some arm C beats it in a
//    one-sided paired test on the same instances at level α_r/(m − 1), m the arms scored at the rung.
//    Guarantee: the arm truly best at this rung's step survives with probability ≥ 1 − α_r. Its m − 1
//    null hypotheses "μ_best ≥ μ_C" are all true, and it is stopped only if one of them is rejected,
//    which has probability ≤ (m − 1)·α_r/(m − 1) by the union bound (Holm over that family rejects
//    something exactly when its smallest p ≤ α_r/(m − 1), so Holm and Bonferroni agree here). The
//    comparison set is every other arm, not just the observed leader, so the data-chosen leader does
//    not void the bound. With α split evenly over the R rungs that decide (α_r = α/R), the rung-best
//    arms are all kept with probability ≥ 1 − α. The guarantee is about the best arm *at each rung's
//    step*: an arm that is behind early and best late (crossing curves) is not protected by it.
//    With 'extrapolate+confidence' a stop needs the same paired rejection AND the arm's extrapolated
//    score at the last step to be credibly below C's (upper credible bound < C's lower bound, both at
//    level 1 − α_r): the extra condition only removes stops, so the guarantee above holds unchanged,
//    and an arm that trails now but is predicted to catch up is not stopped as worse — a protection
//    that rests on the curve model (extrapolate.ts), not a frequentist guarantee.
// 2. Budget (successive halving, no guarantee): of the arms left, at most `keep` (⌈m/η⌉) go on, the
//    highest headline means ('budget', 'confidence+budget') or the highest extrapolated scores at the
//    last step ('extrapolate', 'extrapolate+confidence'); the others are stopped as "budget" — not
//    shown worse, only outspent. With rule 'confidence' there is no cap (the compute is then unbounded
//    by the plan); with rule 'budget' there is no confidence stop (plain successive halving).
import type { FinalScorePrediction } from './extrapolate.js';
import { commonInstances, headline, scoreVectors, worseTestOn, type CandidateScores, type OneSidedTest } from './paired.js';

export type PromotionRule = 'confidence+budget' | 'budget' | 'confidence' | 'extrapolate' | 'extrapolate+confidence';
export const PROMOTION_RULES: readonly PromotionRule[] = ['budget', 'confidence', 'confidence+budget', 'extrapolate', 'extrapolate+confidence'];

export function usesExtrapolation(rule: PromotionRule): boolean {
  return rule === 'extrapolate' || rule === 'extrapolate+confidence';
}

export interface ArmVerdict {
  arm: string;
  action: 'promote' | 'stop';
  reason: 'leader' | 'kept' | 'worse' | 'budget';
  /** Headline mean on the instances all arms of the rung share. */
  mean: number;
  /** The extrapolated score at the last step (extrapolating rules). */
  predicted: FinalScorePrediction | null;
  /** For "worse": the arm that beats it, the difference and p-value; for others, the closest test to rejection. */
  against: { arm: string; delta: number; p: number; method: 'sign' | 'normal' } | null;
  detail: string;
}

export interface RungVerdict {
  /** Arms in the order the budget keeps them: headline mean, or extrapolated score (best first; ties by mean, then input order). */
  ranking: string[];
  leader: string;
  verdicts: ArmVerdict[];
  /** Per-test level used for the confidence stop: α_r/(m − 1). */
  testLevel: number;
  instances: number;
}

export interface PromotionOptions {
  keep: number;
  /** Error level of this rung (α split over the deciding rungs). */
  alpha: number;
  rule: PromotionRule;
  /** Extrapolating rules: each arm's predicted score at the last step (extrapolate.ts). */
  predictions?: Readonly<Record<string, FinalScorePrediction>>;
}

const pts = (x: number) => (100 * x).toFixed(2);

export function decidePromotions(arms: readonly CandidateScores[], opts: PromotionOptions): RungVerdict {
  if (arms.length === 0) throw new Error('promotion: no arms');
  const on = commonInstances(arms);
  const instances = Object.values(on).reduce((a, ids) => a + ids.length, 0);
  if (instances === 0) throw new Error(`promotion: the arms ${arms.map((a) => a.name).join(', ')} share no scored instance`);
  const means = arms.map((a) => headline(a, on));
  const extrapolating = usesExtrapolation(opts.rule);
  const predicted = arms.map((a) => {
    const p = opts.predictions?.[a.name];
    if (extrapolating && !p) throw new Error(`promotion: rule ${opts.rule} needs a prediction for ${a.name}`);
    return extrapolating ? p! : null;
  });
  const rankValue = (i: number) => predicted[i]?.mean ?? means[i];
  const order = arms.map((_, i) => i).sort((i, j) => rankValue(j) - rankValue(i) || means[j] - means[i] || i - j);
  const m = arms.length;
  const level = m > 1 ? opts.alpha / (m - 1) : opts.alpha;
  // For each arm, its most significant "worse than C" test; with 'extrapolate+confidence' only
  // against arms C whose extrapolated score is credibly above the arm's.
  const crediblyBelow = (i: number, j: number) => !predicted[i] || predicted[i]!.high < predicted[j]!.low;
  const vectors = arms.map((a) => scoreVectors(a, on));
  const tests = new Map<number, OneSidedTest>();
  const test = (i: number, j: number) => {
    const key = i * m + j;
    let t = tests.get(key);
    if (!t) tests.set(key, (t = worseTestOn(vectors[i], vectors[j])));
    return t;
  };
  const closestTest = (i: number, eligible: (j: number) => boolean): ArmVerdict['against'] => {
    let best: ArmVerdict['against'] = null;
    arms.forEach((c, j) => {
      if (i === j || !eligible(j)) return;
      const t = test(i, j);
      if (!best || t.p < best.p || (t.p === best.p && t.delta > best.delta)) best = { arm: c.name, delta: t.delta, p: t.p, method: t.method };
    });
    return best;
  };
  const closest = arms.map((_, i) => closestTest(i, () => true));
  const qualified = arms.map((_, i) => (extrapolating ? closestTest(i, (j) => crediblyBelow(i, j)) : closest[i]));
  const useConfidence = opts.rule === 'confidence' || opts.rule === 'confidence+budget' || opts.rule === 'extrapolate+confidence';
  const useBudget = opts.rule !== 'confidence';
  const verdicts: ArmVerdict[] = new Array(m);
  let kept = 0;
  for (const i of order) {
    const a = arms[i];
    const q = qualified[i];
    const worse = useConfidence && q !== null && q.p <= level;
    const against = worse ? q : closest[i];
    const p = predicted[i];
    const pred = p ? `predicted ${pts(p.mean)} [${pts(p.low)}, ${pts(p.high)}] at step ${p.atStep}` : null;
    const base = { arm: a.name, mean: means[i], predicted: p, against };
    if (worse) {
      verdicts[i] = { ...base, action: 'stop', reason: 'worse', detail: `worse than ${q!.arm} by ${pts(q!.delta)} points (${q!.method} test p = ${q!.p.toExponential(2)} ≤ ${level.toExponential(2)})${pred ? `; ${pred}, below ${q!.arm}'s` : ''}` };
    } else if (useBudget && kept >= opts.keep) {
      verdicts[i] = { ...base, action: 'stop', reason: 'budget', detail: `rank ${order.indexOf(i) + 1} of ${m}${pred ? ` (${pred})` : ''}, rung keeps ${opts.keep}; not shown worse${against ? ` (closest: vs ${against.arm}, p = ${against.p.toExponential(2)})` : ''}` };
    } else {
      const why = kept === 0 ? (pred ? `highest ${pred}` : `highest mean ${pts(means[i])}`) : `${pred ? `${pred}; ` : ''}not shown worse (closest: vs ${against?.arm}, p = ${against?.p.toExponential(2)})`;
      verdicts[i] = { ...base, action: 'promote', reason: kept === 0 ? 'leader' : 'kept', detail: why };
      kept++;
    }
  }
  const ranking = order.map((i) => arms[i].name);
  return { ranking, leader: ranking[0], verdicts, testLevel: level, instances };
}
