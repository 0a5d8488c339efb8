// Which arms a rung promotes. Two rules, applied in this order:
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
// 2. Budget (successive halving, no guarantee): of the arms left, at most `keep` (⌈m/η⌉) go on, the
//    highest headline means; the others are stopped as "budget" — not shown worse, only outspent.
//    With rule 'confidence' there is no cap (the compute is then unbounded by the plan); with rule
//    'budget' there is no confidence stop (plain successive halving).
import { commonInstances, headline, worseTest, type CandidateScores } from './paired.js';

export type PromotionRule = 'confidence+budget' | 'budget' | 'confidence';

export interface ArmVerdict {
  arm: string;
  action: 'promote' | 'stop';
  reason: 'leader' | 'kept' | 'worse' | 'budget';
  /** Headline mean on the instances all arms of the rung share. */
  mean: number;
  /** For "worse": the arm that beats it, the difference and p-value; for others, the closest test to rejection. */
  against: { arm: string; delta: number; p: number; method: 'sign' | 'normal' } | null;
  detail: string;
}

export interface RungVerdict {
  /** Arms in order of headline mean (best first; ties by input order). */
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
}

export function decidePromotions(arms: readonly CandidateScores[], opts: PromotionOptions): RungVerdict {
  if (arms.length === 0) throw new Error('promotion: no arms');
  const on = commonInstances(arms);
  const instances = Object.values(on).reduce((a, ids) => a + ids.length, 0);
  if (instances === 0) throw new Error(`promotion: the arms ${arms.map((a) => a.name).join(', ')} share no scored instance`);
  const means = arms.map((a) => headline(a, on));
  const order = arms.map((_, i) => i).sort((i, j) => means[j] - means[i] || i - j);
  const m = arms.length;
  const level = m > 1 ? opts.alpha / (m - 1) : opts.alpha;
  // For each arm, its most significant "worse than C" test.
  const closest = arms.map((a, i) => {
    let best: ArmVerdict['against'] = null;
    arms.forEach((c, j) => {
      if (i === j) return;
      const t = worseTest(a, c, on);
      if (!best || t.p < best.p || (t.p === best.p && t.delta > best.delta)) best = { arm: c.name, delta: t.delta, p: t.p, method: t.method };
    });
    return best as ArmVerdict['against'];
  });
  const useConfidence = opts.rule !== 'budget';
  const useBudget = opts.rule !== 'confidence';
  const verdicts: ArmVerdict[] = new Array(m);
  let kept = 0;
  for (const i of order) {
    const a = arms[i];
    const against = closest[i];
    const worse = useConfidence && against !== null && against.p <= level;
    if (worse) {
      verdicts[i] = { arm: a.name, action: 'stop', reason: 'worse', mean: means[i], against, detail: `worse than ${against!.arm} by ${(100 * against!.delta).toFixed(2)} points (${against!.method} test p = ${against!.p.toExponential(2)} ≤ ${level.toExponential(2)})` };
    } else if (useBudget && kept >= opts.keep) {
      verdicts[i] = { arm: a.name, action: 'stop', reason: 'budget', mean: means[i], against, detail: `rank ${order.indexOf(i) + 1} of ${m}, rung keeps ${opts.keep}; not shown worse${against ? ` (closest: vs ${against.arm}, p = ${against.p.toExponential(2)})` : ''}` };
    } else {
      verdicts[i] = { arm: a.name, action: 'promote', reason: kept === 0 ? 'leader' : 'kept', mean: means[i], against, detail: kept === 0 ? `highest mean ${(100 * means[i]).toFixed(2)}` : `not shown worse (closest: vs ${against?.arm}, p = ${against?.p.toExponential(2)})` };
      kept++;
    }
  }
  const ranking = order.map((i) => arms[i].name);
  return { ranking, leader: ranking[0], verdicts, testLevel: level, instances };
}
