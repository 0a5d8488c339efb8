import { expect } from 'chai';
import type { RequestState, RunSpec } from '../../tasks/run-spec.js';
import type { Instance, Split } from '../../tasks/instance.js';
import type { Completion } from '../../core/request.js';
import type { RunResult } from '../../core/results-schema.js';
import { DEFAULT_ADAPTER_SPEC } from '../../tasks/adapters/adapter-spec.js';
import { DEFAULT_REQUEST } from '../../core/request.js';
import { checkMetrics, type Metric } from '../../tasks/metrics/metric.js';
import { scoreRequest } from '../../tasks/metrics/score-request.js';
import {
  EXACT_MATCH,
  EXACT_MATCH_INDICATOR,
  MATH_EQUIV_CHAIN_OF_THOUGHT,
  QUASI_EXACT_MATCH,
  ROUGE_2,
} from '../../tasks/metrics/basic-metrics.js';
import { SUMMARIZATION_ROUGE_2 } from '../../tasks/metrics/summarization-metrics.js';
import { aggregateGroups, aggregateRun, meanStat, type ScoredRequest } from '../../tasks/metrics/aggregate.js';

function runSpec(over: Partial<RunSpec> = {}): RunSpec {
  return {
    name: 'synthetic:x',
    scenario: { name: over.scenario?.name ?? 'synthetic', load: async () => [], files: () => [] },
    adapterSpec: DEFAULT_ADAPTER_SPEC,
    metrics: [EXACT_MATCH, QUASI_EXACT_MATCH],
    groups: ['g'],
    mainMetric: 'exact_match',
    mainSplit: 'test',
    dataAugmentation: null,
    ...over,
  };
}

function instance(id: string, refs: [string, boolean][], split: Split = 'test', meta?: Instance['meta']): Instance {
  return { id, input: 'q', references: refs.map(([text, correct]) => ({ text, correct })), split, meta };
}

function state(inst: Instance, extra: Partial<RequestState> = {}): RequestState {
  return { runName: 'synthetic:x', instance: inst, index: 0, request: { prompt: 'p', ...DEFAULT_REQUEST }, numTrainInstances: 0, ...extra };
}

const completion = (text: string, logprob = -1): Completion => ({ text, logprob, tokens: [], requestTime: 0 });
const MCQ = { A: 'Boston', B: 'New York', C: 'Chicago' };

describe('metrics: scoreRequest (HELM compute_reference_metrics)', () => {
  const mcq = instance('i1', [['Boston', false], ['New York', true], ['Chicago', false]]);

  it('maps MCQ letters to reference text; "A." or "(B)" map to nothing and score 0', () => {
    const spec = runSpec();
    expect(scoreRequest(spec, state(mcq, { outputMapping: MCQ }), completion(' B'))).to.deep.equal({ exact_match: 1, quasi_exact_match: 1 });
    expect(scoreRequest(spec, state(mcq, { outputMapping: MCQ }), completion('A'))).to.deep.equal({ exact_match: 0, quasi_exact_match: 0 });
    expect(scoreRequest(spec, state(mcq, { outputMapping: MCQ }), completion('B.'))).to.deep.equal({ exact_match: 0, quasi_exact_match: 0 });
    expect(scoreRequest(spec, state(mcq, { outputMapping: MCQ }), completion('(B)'))).to.deep.equal({ exact_match: 0, quasi_exact_match: 0 });
    expect(EXACT_MATCH.perRequest!(state(mcq, { outputMapping: MCQ }), [completion('B\n')])).to.equal(1);
  });

  it('takes the completion with the highest logprob, and the max over gold references', () => {
    const multi = instance('i2', [['Paris', true], ['paris, france', true], ['Lyon', false]]);
    const spec = runSpec({ metrics: [EXACT_MATCH] });
    expect(scoreRequest(spec, state(multi), [completion('Lyon', -3), completion('paris, france', -0.5)])).to.deep.equal({ exact_match: 1 });
    expect(scoreRequest(spec, state(multi), [completion('Lyon', -0.1), completion('Paris', -0.5)])).to.deep.equal({ exact_match: 0 });
  });

  it("summarization run specs hold SummarizationMetric's ROUGE: braces stripped, every reference", () => {
    const inst = instance('s1', [['{the cat sat on the mat}', true]]);
    const pred = completion(' {the cat sat on the mat} ');
    expect(scoreRequest(runSpec({ metrics: [SUMMARIZATION_ROUGE_2] }), state(inst), pred).rouge_2).to.equal(1);
    // BasicMetric's rouge_2 keeps the braces; rouge_score's tokenizer drops them anyway, so the score agrees here.
    expect(scoreRequest(runSpec({ metrics: [ROUGE_2] }), state(inst), pred).rouge_2).to.equal(1);
    // Every reference counts, not only correct ones (and the unsorted first completion).
    const two = instance('s2', [['a dog ran far away', false], ['the cat sat on the mat', true]]);
    expect(scoreRequest(runSpec({ metrics: [SUMMARIZATION_ROUGE_2] }), state(two), completion('a dog ran far away')).rouge_2).to.equal(1);
    expect(scoreRequest(runSpec({ metrics: [ROUGE_2] }), state(two), completion('a dog ran far away')).rouge_2).to.equal(0);
  });

  it('gsm exact_match_indicator and MATH CoT', () => {
    const gsm = instance('g1', [['Janet has 3. The answer is 72.', true]]);
    expect(scoreRequest(runSpec({ metrics: [EXACT_MATCH_INDICATOR] }), state(gsm), completion(' 70 + 2 = 72. The answer is 72.')).exact_match_indicator).to.equal(1);
    const math = instance('m1', [['Thus \\boxed{\\frac{3}{4}}', true]]);
    expect(scoreRequest(runSpec({ metrics: [MATH_EQUIV_CHAIN_OF_THOUGHT] }), state(math), completion('so \\boxed{3/4}')).math_equiv_chain_of_thought).to.equal(1);
  });

  it('a metric listed twice → error naming the run and the metric', () => {
    const spec = runSpec({ metrics: [EXACT_MATCH, QUASI_EXACT_MATCH, EXACT_MATCH] });
    expect(() => checkMetrics(spec)).to.throw(/synthetic:x.*"exact_match" listed twice/);
    expect(() => checkMetrics(runSpec())).to.not.throw();
  });
});

describe('metrics: aggregation', () => {
  it('meanStat: sample std / sqrt(n)', () => {
    const s = meanStat([1, 0, 1, 1]);
    expect(s.mean).to.equal(0.75);
    expect(s.stderr).to.be.closeTo(Math.sqrt(0.25 / 4), 1e-15); // sample var = 0.25
    expect(meanStat([1]).stderr).to.equal(0);
  });

  it('main split only; worst case per instance over original + variants of each kind', () => {
    const spec = runSpec({ metrics: [EXACT_MATCH], dataAugmentation: 'canonical' });
    const rec = (id: string, split: Split, em: number, perturbation?: 'robustness' | 'fairness') => ({
      state: state(instance(id, [['x', true]], split), perturbation ? { perturbation } : {}),
      completions: [],
      scores: { exact_match: em },
    });
    const records = [
      rec('a', 'test', 1), rec('a', 'test', 0, 'robustness'), rec('a', 'test', 1, 'fairness'), rec('a', 'test', 1, 'fairness'),
      rec('b', 'test', 1), rec('b', 'test', 1, 'robustness'), rec('b', 'test', 0, 'fairness'),
      rec('c', 'test', 0),                                   // no variant kept (text unchanged): worst = original
      rec('d', 'test', 1),
      rec('v', 'valid', 0), rec('v', 'valid', 0, 'robustness'), // not the main split
    ];
    const out = aggregateRun(spec, records);
    expect(out.exact_match!.mean).to.equal(0.75);
    expect(out.exact_match!.count).to.equal(4);
    expect(out['exact_match (robustness)']!.mean).to.equal(0.5); // a:0 b:1 c:0 d:1
    expect(out['exact_match (fairness)']!.mean).to.equal(0.5); // a:1 b:0 c:0 d:1
    expect(aggregateRun(runSpec({ metrics: [EXACT_MATCH] }), records)).to.have.keys(['exact_match']);
  });

  it('a run-level metric gets every completion of the main split, unperturbed; no worst case; null leaves it out', () => {
    const seen: string[][] = [];
    const words: Metric = {
      name: 'words',
      displayName: 'Words',
      aggregate: (requests) => {
        seen.push(requests.flatMap((r) => r.completions.map((c) => c.text)));
        const texts = requests.flatMap((r) => r.completions.map((c) => c.text));
        return texts.length === 0 ? null : texts.join(' ').split(' ').length;
      },
    };
    const rec = (id: string, split: Split, texts: string[], perturbation?: 'robustness'): ScoredRequest => ({
      state: state(instance(id, [['x', true]], split), perturbation ? { perturbation } : {}),
      completions: texts.map((t) => completion(t)),
      scores: { exact_match: 1 },
    });
    const spec = runSpec({ metrics: [EXACT_MATCH, words], dataAugmentation: 'canonical' });
    const out = aggregateRun(spec, [rec('a', 'test', ['one two', 'three']), rec('a', 'test', ['perturbed'], 'robustness'), rec('b', 'test', ['four']), rec('v', 'valid', ['valid'])]);
    expect(seen).to.deep.equal([['one two', 'three', 'four']]);
    expect(out.words).to.deep.equal({ mean: 4, stderr: 0, count: 1 });
    expect(out).to.have.keys(['exact_match', 'exact_match (robustness)', 'exact_match (fairness)', 'words']);
    expect(scoreRequest(spec, state(instance('a', [['x', true]])), completion('x'))).to.deep.equal({ exact_match: 1 });
    expect(aggregateRun(spec, [rec('v', 'valid', ['valid'])])).to.not.have.key('words');
  });

  it('perturbation can come from instance.meta; unknown kinds are an error', () => {
    const spec = runSpec({ metrics: [EXACT_MATCH], dataAugmentation: 'canonical' });
    const ok = aggregateRun(spec, [
      { state: state(instance('a', [['x', true]])), completions: [], scores: { exact_match: 1 } },
      { state: state(instance('a', [['x', true]], 'test', { perturbation: 'robustness' })), completions: [], scores: { exact_match: 0 } },
    ]);
    expect(ok['exact_match (robustness)']!.mean).to.equal(0);
    expect(() =>
      aggregateRun(spec, [{ state: state(instance('a', [['x', true]], 'test', { perturbation: 'typos' })), completions: [], scores: { exact_match: 1 } }]),
    ).to.throw(/unknown perturbation "typos"/);
  });

  it('groups: unweighted mean over runs, stderr over run means', () => {
    const run = (name: string, groups: string[], mean: number, count: number): RunResult => ({
      name, entry: name, scenario: 's', groups, mainMetric: 'exact_match', mainSplit: 'test',
      metrics: { exact_match: { mean, stderr: 0, count } }, numInstances: count, numRequests: count, numErrors: 0,
      adapterSpec: {}, dataChecksums: {},
    });
    const groups = aggregateGroups([run('r1', ['mmlu'], 1, 10), run('r2', ['mmlu'], 0.5, 90), run('r3', ['gsm'], 0.2, 5)]);
    expect(groups.map((g) => g.group)).to.deep.equal(['mmlu', 'gsm']);
    const em = groups[0]!.metrics.exact_match!;
    expect(em.mean).to.equal(0.75); // not the instance-weighted 0.55
    expect(em.runs).to.equal(2);
    expect(em.count).to.equal(100);
    expect(em.stderr).to.be.closeTo(Math.sqrt(0.125 / 2), 1e-15);
  });
});
