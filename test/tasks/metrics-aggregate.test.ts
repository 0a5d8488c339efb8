import { expect } from 'chai';
import type { RequestState, RunSpec } from '../../tasks/run-spec.js';
import type { Instance, Split } from '../../tasks/instance.js';
import type { Completion } from '../../core/request.js';
import type { RunResult } from '../../core/results-schema.js';
import { DEFAULT_ADAPTER_SPEC } from '../../tasks/adapters/adapter-spec.js';
import { DEFAULT_REQUEST } from '../../core/request.js';
import { METRICS, checkMetrics, scoreRequest } from '../../tasks/metrics/registry.js';
import { aggregateGroups, aggregateRun, meanStat } from '../../tasks/metrics/aggregate.js';

function runSpec(over: Partial<RunSpec> = {}): RunSpec {
  return {
    name: 'synthetic:x',
    scenario: { name: over.scenario?.name ?? 'synthetic', load: async () => [], files: () => [] },
    adapterSpec: DEFAULT_ADAPTER_SPEC,
    metrics: ['exact_match', 'quasi_exact_match'],
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
    expect(METRICS.exact_match!(state(mcq, { outputMapping: MCQ }), completion('B\n'))).to.equal(1);
  });

  it('takes the completion with the highest logprob, and the max over gold references', () => {
    const multi = instance('i2', [['Paris', true], ['paris, france', true], ['Lyon', false]]);
    const spec = runSpec({ metrics: ['exact_match'] });
    expect(scoreRequest(spec, state(multi), [completion('Lyon', -3), completion('paris, france', -0.5)])).to.deep.equal({ exact_match: 1 });
    expect(scoreRequest(spec, state(multi), [completion('Lyon', -0.1), completion('Paris', -0.5)])).to.deep.equal({ exact_match: 0 });
  });

  it('summarization scenarios use SummarizationMetric: braces stripped, every reference', () => {
    const inst = instance('s1', [['{the cat sat on the mat}', true]]);
    const pred = completion(' {the cat sat on the mat} ');
    expect(scoreRequest(runSpec({ metrics: ['rouge_2'], scenario: { name: 'sam_sum' } as RunSpec['scenario'] }), state(inst), pred).rouge_2).to.equal(1);
    // BasicMetric's rouge_2 keeps the braces; rouge_score's tokenizer drops them anyway, so the score agrees here.
    expect(scoreRequest(runSpec({ metrics: ['rouge_2'] }), state(inst), pred).rouge_2).to.equal(1);
  });

  it('gsm exact_match_indicator and MATH CoT through the registry', () => {
    const gsm = instance('g1', [['Janet has 3. The answer is 72.', true]]);
    expect(scoreRequest(runSpec({ metrics: ['exact_match_indicator'] }), state(gsm), completion(' 70 + 2 = 72. The answer is 72.')).exact_match_indicator).to.equal(1);
    const math = instance('m1', [['Thus \\boxed{\\frac{3}{4}}', true]]);
    expect(scoreRequest(runSpec({ metrics: ['math_equiv_chain_of_thought'] }), state(math), completion('so \\boxed{3/4}')).math_equiv_chain_of_thought).to.equal(1);
  });

  it('unknown metric name → error naming the run and the metric', () => {
    const spec = runSpec({ metrics: ['bleu_9'] });
    expect(() => checkMetrics(spec)).to.throw(/synthetic:x.*bleu_9/);
    expect(() => scoreRequest(spec, state(mcq), completion('B'))).to.throw(/unknown metric "bleu_9"/);
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
    const spec = runSpec({ metrics: ['exact_match'], dataAugmentation: 'canonical' });
    const rec = (id: string, split: Split, em: number, perturbation?: 'robustness' | 'fairness') => ({
      state: state(instance(id, [['x', true]], split), perturbation ? { perturbation } : {}),
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
    expect(aggregateRun(runSpec({ metrics: ['exact_match'] }), records)).to.have.keys(['exact_match']);
  });

  it('perturbation can come from instance.meta; unknown kinds are an error', () => {
    const spec = runSpec({ metrics: ['exact_match'], dataAugmentation: 'canonical' });
    const ok = aggregateRun(spec, [
      { state: state(instance('a', [['x', true]])), scores: { exact_match: 1 } },
      { state: state(instance('a', [['x', true]], 'test', { perturbation: 'robustness' })), scores: { exact_match: 0 } },
    ]);
    expect(ok['exact_match (robustness)']!.mean).to.equal(0);
    expect(() =>
      aggregateRun(spec, [{ state: state(instance('a', [['x', true]], 'test', { perturbation: 'typos' })), scores: { exact_match: 1 } }]),
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
