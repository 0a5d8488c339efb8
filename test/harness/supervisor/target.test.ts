import { expect } from 'chai';
import { parseTarget, judgeTarget, formatTarget, targetTasks, checkTargetTasks, AGGREGATE_TASK } from '../../../harness/supervisor/target.js';
import { withAggregate } from '../../../harness/supervisor/adaptive.js';
import { headlineScore } from '../../../harness/supervisor/stop-rules.js';
import { parseDuration } from '../../../core/duration.js';

const est = (mean: number, lo: number, hi: number) => ({ mean, ciLow: lo, ciHigh: hi, n: 100 });

describe('supervisor target expressions', () => {
  it('parses conjunctions and disjunctions with parentheses', () => {
    const e = parseTarget('mmlu >= 0.62 && (gsm8k >= 0.35 || bbq > 0.9)');
    expect(formatTarget(e)).to.equal('mmlu >= 0.62 && (gsm8k >= 0.35 || bbq > 0.9)');
    expect(targetTasks(e)).to.deep.equal(['mmlu', 'gsm8k', 'bbq']);
  });

  it('rejects malformed targets with the token position', () => {
    expect(() => parseTarget('mmlu >=')).to.throw(/expected a number/);
    expect(() => parseTarget('mmlu = 3')).to.throw(/invalid --target/);
    expect(() => parseTarget('mmlu >= 0.5 &&')).to.throw(/expected a task name/);
  });

  it('decides on the confidence bounds, not the mean', () => {
    const e = parseTarget('mmlu >= 0.6');
    expect(judgeTarget(e, { mmlu: est(0.65, 0.61, 0.69) })).to.equal('met');
    expect(judgeTarget(e, { mmlu: est(0.65, 0.55, 0.75) })).to.equal('undecided');
    expect(judgeTarget(e, { mmlu: est(0.5, 0.45, 0.59) })).to.equal('not_met');
    expect(judgeTarget(e, {})).to.equal('undecided');
  });

  it('combines verdicts three-valued', () => {
    const e = parseTarget('a >= 0.5 && b >= 0.5');
    expect(judgeTarget(e, { a: est(0.7, 0.6, 0.8), b: est(0.7, 0.4, 0.9) })).to.equal('undecided');
    expect(judgeTarget(e, { a: est(0.7, 0.6, 0.8), b: est(0.2, 0.1, 0.3) })).to.equal('not_met');
    const o = parseTarget('a >= 0.5 || b >= 0.5');
    expect(judgeTarget(o, { a: est(0.2, 0.1, 0.3), b: est(0.7, 0.6, 0.8) })).to.equal('met');
  });

  it('names the aggregate `pooled`, as the report does, and reads `mean` (its old name) as the same task', () => {
    expect(AGGREGATE_TASK).to.equal('pooled');
    const alias = parseTarget('mean >= 0.5 && a >= 0.2');
    expect(formatTarget(alias)).to.equal('pooled >= 0.5 && a >= 0.2');
    expect(alias).to.deep.equal(parseTarget('pooled >= 0.5 && a >= 0.2'));
    expect(targetTasks(alias)).to.deep.equal(['pooled', 'a']);
    expect(() => checkTargetTasks(parseTarget('mean >= 0.5'), ['a', 'b'], 'suite x')).to.not.throw();
    expect(() => checkTargetTasks(parseTarget('c >= 0.5'), ['a', 'b'], 'suite x')).to.throw(/its tasks: a, b, pooled \(the aggregate; alias mean\)/);
    // The supervisor's scores carry it as `pooled`, and the alias target is judged on it.
    const scores = withAggregate({ a: est(0.9, 0.8, 1), b: est(0.1, 0, 0.2) }, { a: Array(50).fill(1), b: Array(50).fill(0) }, 0.05);
    expect(Object.keys(scores)).to.deep.equal(['a', 'b', 'pooled']);
    expect(scores.pooled!.mean).to.equal(0.5);
    expect(judgeTarget(parseTarget('mean < 0.7'), scores)).to.equal(judgeTarget(parseTarget('pooled < 0.7'), scores)).and.to.equal('met');
  });

  it('judges a plateau on the pooled aggregate, under its old name too', () => {
    expect(headlineScore({ a: est(0.9, 0, 1), pooled: est(0.3, 0, 1) })).to.equal(0.3);
    expect(headlineScore({ a: { mean: 0.9 }, mean: { mean: 0.3 } })).to.equal(0.3);
    expect(headlineScore({ a: est(0.9, 0, 1), b: est(0.3, 0, 1) })).to.be.closeTo(0.6, 1e-12);
  });

  it('parses durations', () => {
    expect(parseDuration('24h')).to.equal(86400);
    expect(parseDuration('90s')).to.equal(90);
    expect(parseDuration('1h30m')).to.equal(5400);
    expect(parseDuration('250ms')).to.equal(0.25);
    expect(parseDuration('12')).to.equal(12);
    expect(() => parseDuration('12 parsecs')).to.throw(/invalid duration/);
  });
});
