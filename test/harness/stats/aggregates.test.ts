import { expect } from 'chai';
import type { InstanceRecord, ResultsFile, RunResult } from '../../../core/results-schema.js';
import { groupMeans, isPooledKey, macroMean, mainScores, pooledByGroup, pooledMean } from '../../../harness/stats/aggregates.js';
import { taskScoresFrom } from '../../../harness/supervisor/checkpoint-eval.js';
import { withAggregate } from '../../../harness/supervisor/adaptive.js';
import { scoreInterval } from '../../../harness/stats/exact-intervals.js';

function run(name: string, group: string, scores: number[], numErrors = 0): RunResult {
  const mean = scores.reduce((s, x) => s + x, 0) / scores.length;
  return {
    name, entry: name, scenario: name.split(':')[0], groups: [group], mainMetric: 'exact_match', mainSplit: 'test',
    metrics: { exact_match: { mean, stderr: 0, count: scores.length } },
    numInstances: scores.length + numErrors, numRequests: scores.length + numErrors, numErrors, adapterSpec: {}, dataChecksums: {},
  };
}

function rec(runName: string, id: string, score: number | null, extra: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    runName, instanceId: id, split: 'test', perturbation: null, prompt: 'p', request: {}, completion: score === null ? null : { text: 'x', logprob: 0 },
    references: [], scores: score === null ? {} : { exact_match: score }, error: score === null ? 'HTTP 500' : null, ...extra,
  };
}

// Group mmlu: a small run (2 of 2 right) and a large one (2 of 8 right); group gsm: 1 of 4 right plus a
// failed request. Pooled and macro tell them apart on purpose.
const runs = [run('mmlu:subject=a', 'mmlu', [1, 1]), run('mmlu:subject=b', 'mmlu', [1, 1, 0, 0, 0, 0, 0, 0]), run('gsm:', 'gsm', [1, 0, 0, 0], 1)];
const records: InstanceRecord[] = [
  ...[1, 1].map((s, i) => rec('mmlu:subject=a', `a${i}`, s)),
  ...[1, 1, 0, 0, 0, 0, 0, 0].map((s, i) => rec('mmlu:subject=b', `b${i}`, s)),
  ...[1, 0, 0, 0].map((s, i) => rec('gsm:', `g${i}`, s)),
  rec('gsm:', 'g-failed', null),
  // Neither a perturbed copy nor an instance of another split counts.
  rec('mmlu:subject=b', 'b0', 1, { perturbation: 'typos' }),
  rec('mmlu:subject=b', 'v0', 1, { split: 'valid' }),
];
const results = { runs, groups: [], errors: { count: 1, first: [] } } as unknown as ResultsFile;

describe('aggregates: pooled and macro, one definition each', () => {
  it('pooled: every main-split, unperturbed instance of every run in one sample, a failed request as 0', () => {
    expect(mainScores(results, records)).to.have.length(15);
    expect(pooledMean(results, records)).to.deep.equal({ mean: 5 / 15, n: 15 });
    expect(pooledByGroup(results, records)).to.deep.equal({ mmlu: [1, 1, 1, 1, 0, 0, 0, 0, 0, 0], gsm: [1, 0, 0, 0, 0] });
  });

  it("macro: the unweighted mean of the groups' means, each the mean of its runs' means (HELM summarize)", () => {
    expect(groupMeans(results)).to.deep.equal({ mmlu: (1 + 0.25) / 2, gsm: 0.25 });
    expect(macroMean(results).mean).to.be.closeTo((0.625 + 0.25) / 2, 1e-12);
    // results.json's own group aggregates win when the runner wrote them.
    const withGroups = { ...results, groups: [{ group: 'mmlu', mainMetric: 'exact_match', metrics: { exact_match: { mean: 0.5, stderr: 0, count: 10, runs: 2 } } }] } as ResultsFile;
    expect(macroMean(withGroups)).to.deep.equal({ mean: 0.5, groups: { mmlu: 0.5 } });
    expect(macroMean({ ...results, runs: [] }).mean).to.be.NaN;
    expect(pooledMean({ ...results, runs: [] }, records)).to.deep.include({ n: 0 });
  });

  it("pooled is the number `evalfirst train` decides a `pooled` target (alias `mean`) on (the supervisor's scores of the same run)", () => {
    const perTask = taskScoresFrom(results, records);
    expect(perTask).to.deep.equal(pooledByGroup(results, records));
    const supervisor = withAggregate({}, perTask, 0.05).pooled!;
    expect(supervisor.mean).to.be.closeTo(pooledMean(results, records).mean, 1e-12);
    expect(supervisor.n).to.equal(15);
    expect(scoreInterval(mainScores(results, records).map((s) => s.score), 0.05)).to.deep.equal(supervisor);
  });

  it('knows the keys train.json records the pooled aggregate under', () => {
    expect(['pooled', 'mean'].map(isPooledKey)).to.deep.equal([true, true]);
    expect(isPooledKey('mmlu')).to.equal(false);
  });
});
