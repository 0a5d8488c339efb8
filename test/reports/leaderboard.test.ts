import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireSharedData } from '../helpers/shared-data.js';
import { runCli } from '../helpers/run-cli.js';
import { geometricMean, rankTrack, winRates } from '../../reports/leaderboard/ranking.js';
import { groupColumns, loadEntries } from '../../reports/leaderboard/inputs.js';
import { rankEntries, rankFiles } from '../../reports/leaderboard.js';
import { ALL_COLUMNS, HIDDEN_ROUND_SCENARIOS, OPEN_ROUND_SCENARIOS } from '../../reports/leaderboard/configs.js';
import { SCENARIO_MODULES } from '../../tasks/scenarios/all.js';
import { metricTitle } from '../../tasks/metrics/metric.js';
import { positionWinRates } from '../../reports/leaderboard/ranking.js';

type OrganiserFile = [string, Record<string, number | null>][];

describe('leaderboard: win rates and scores', () => {
  it('win rate divides by N including the entry; the best of N gets (N-1)/N', () => {
    expect(winRates([0.9, 0.5, 0.1], false)).to.deep.equal([2 / 3, 1 / 3, 0]);
    expect(winRates([0.9, 0.5, 0.1], true)).to.deep.equal([0, 1 / 3, 2 / 3]);
  });

  it('ties share credit: 1/(c(c-1)) per pair (final) or 1/c per pair (hidden round)', () => {
    // [1,1,1,3]: each 1 beats nobody and ties 2 others: 2 × 1/6 = 1/3, over N = 4 → 1/12; 3 beats three → 3/4.
    const final = winRates([1, 1, 1, 3], false, 'pair-share');
    expect(final[0]).to.be.closeTo(1 / 12, 1e-15);
    expect(final[3]).to.equal(0.75);
    const hidden = winRates([1, 1, 1, 3], false, 'one-over-c');
    expect(hidden[0]).to.be.closeTo(2 / 3 / 4, 1e-15);
  });

  it('open-round position rank: sorted((value, index)) position / (N - 1); ties go to the later entry', () => {
    expect(positionWinRates([0.5, 0.9, 0.5, 0.1], false)).to.deep.equal([1 / 3, 1, 2 / 3, 0]);
    // sorted(..., reverse=True) also reverses the index order among ties: (0.9,1), (0.5,2), (0.5,0), (0.1,3).
    expect(positionWinRates([0.5, 0.9, 0.5, 0.1], true)).to.deep.equal([2 / 3, 0, 1 / 3, 1]);
    expect(positionWinRates([0.5], false)).to.deep.equal([1]);
  });

  it('missing → 0.0, or 1000.0 when lower is better; zero scenario means → smallest positive double', () => {
    const config = { S: [{ column: 'acc', lowerIsBetter: false }, { column: 'bias', lowerIsBetter: true }], T: [{ column: 't', lowerIsBetter: false }] };
    const ranked = rankTrack(
      [
        { name: 'a', values: { acc: 0.5, bias: null, t: 0 } },
        { name: 'b', values: { acc: 0.0, bias: 0.2 } },
      ],
      config,
    );
    // acc: a beats b (1/2), b ties nobody... b = 0 → 0; bias: a missing → 1000 (worst): a 0, b 1/2.
    expect(ranked[0]!.scenarios.S).to.equal(0.25);
    expect(ranked[1]!.scenarios.S).to.equal(0.25);
    // t: a = 0 and b missing (0): a tie of 2 → each 1/(2·1) / 2 = 1/4.
    expect(ranked[0]!.scenarios.T).to.equal(0.25);
    expect(ranked[0]!.score).to.be.closeTo(0.25, 1e-15);
    const zero = rankTrack([{ name: 'a', values: { t: 1 } }, { name: 'b', values: { t: 0 } }], { T: config.T });
    expect(zero[1]!.score).to.equal(Number.MIN_VALUE);
    expect(geometricMean([4, 1])).to.be.closeTo(2, 1e-15);
  });
});

function expectReproduces(file: string, rule: 'final' | 'hidden-round'): number {
  const published = JSON.parse(readFileSync(file, 'utf8')) as OrganiserFile;
  const rows = rankFiles([file], rule);
  expect(rows.map((r) => r.entry)).to.deep.equal(published.map(([n]) => n.replace(/_hidden$/, '')));
  let worst = 0;
  for (const [name, values] of published) {
    const row = rows.find((r) => r.entry === name.replace(/_hidden$/, ''))!;
    const pairs: [number, number][] =
      rule === 'final'
        ? [[row.score_open, values.Score_open!], [row.score_hidden, values.Score_hidden!], [row.score_full, values.Score_full!]]
        : [[row.score_hidden, values.Score!]];
    for (const [key, v] of Object.entries(values)) {
      const m = / Mean Win Rate$/.exec(key);
      if (m && v !== null) pairs.push([row.scenarios[key.slice(0, m.index)]!, v]);
    }
    for (const [ours, theirs] of pairs) {
      expect(ours, name).to.be.closeTo(theirs, 5e-4);
      worst = Math.max(worst, Math.abs(ours - theirs));
    }
  }
  return worst;
}

describe('leaderboard: reproduces the published rankings', () => {
  for (const track of ['A100', '4090']) {
    it(`${track} final round: Score_open/hidden/full and every scenario mean win rate of every finalist`, function () {
      const dir = requireSharedData(this, 'leaderboard');
      const worst = expectReproduces(join(dir, 'leaderboard', `${track}_full_ranks_final_round.json`), 'final');
      expect(worst).to.be.lessThan(1e-12);
    });

    it(`${track} hidden round (Nov 10–14, CNN/DailyMail ranked, ties 1/c per pair): every Score`, function () {
      const dir = requireSharedData(this, 'leaderboard');
      const worst = expectReproduces(join(dir, 'leaderboard', `${track}_hidden_round_rank.json`), 'hidden-round');
      expect(worst).to.be.lessThan(1e-12);
    });
  }

  for (const track of ['A100', '4090']) {
    it(`${track} open round: every category mean win rate lies within the tie-order bounds of the position rank`, function () {
      // The open round broke ties by the order of os.listdir() over the submissions, which the file does
      // not record: an exact reproduction is only possible where an entry has no ties.
      const dir = requireSharedData(this, 'leaderboard');
      const file = join(dir, 'leaderboard', `${track}_open_round_rank.json`);
      const published = JSON.parse(readFileSync(file, 'utf8')) as OrganiserFile;
      const n = published.length;
      const ours = rankFiles([file], 'open-round');
      let exact = 0;
      for (const [name, values] of published) {
        const row = ours.find((r) => r.entry === name)!;
        for (const [category, columns] of Object.entries(OPEN_ROUND_SCENARIOS)) {
          let lo = 0;
          let hi = 0;
          for (const { column } of columns) {
            const all = published.map(([, v]) => v[column] ?? 0);
            const v = values[column] ?? 0;
            lo += all.filter((x) => x < v).length;
            hi += all.filter((x) => x <= v).length - 1;
          }
          const scale = columns.length * (n - 1);
          const pub = values[`${category} Mean Win Rate`]!;
          expect(pub * scale, `${name} ${category}`).to.be.within(lo - 1e-6, hi + 1e-6);
          expect(row.scenarios[category]! * scale).to.be.within(lo - 1e-6, hi + 1e-6);
          if (lo === hi) {
            expect(row.scenarios[category]).to.be.closeTo(pub, 1e-12);
            exact++;
          }
        }
        const mwr = Object.keys(OPEN_ROUND_SCENARIOS).map((c) => values[`${c} Mean Win Rate`]!);
        expect(geometricMean(mwr.map((x) => (x > 0 ? x : Number.MIN_VALUE)))).to.be.closeTo(values.Score!, 1e-12);
      }
      expect(exact).to.be.greaterThan(0);
    });
  }

  it('the CLI prints the same scores with --json', function () {
    const dir = requireSharedData(this, 'leaderboard');
    const file = join(dir, 'leaderboard', 'A100_full_ranks_final_round.json');
    const res = runCli(['leaderboard', file, '--json']);
    expect(res.status, res.stderr).to.equal(0);
    const rows = JSON.parse(res.stdout) as { entry: string; score_full: number; scenarios: Record<string, number> }[];
    const published = JSON.parse(readFileSync(file, 'utf8')) as OrganiserFile;
    expect(rows).to.have.length(published.length);
    rows.forEach((r, i) => {
      expect(r.entry).to.equal(published[i]![0]);
      expect(r.score_full.toFixed(3)).to.equal(published[i]![1].Score_full!.toFixed(3));
    });
    expect(Object.keys(rows[0]!.scenarios)).to.deep.equal(['MMLU', 'TruthfulQA', 'BIG-bench', 'GSM8K', 'BBQ', 'sam_sum', 'corr2cause', 'MATH', 'ethics']);
    const table = runCli(['leaderboard', file]);
    expect(table.status).to.equal(0);
    expect(table.stdout).to.include(published[0]![0]).and.to.include(published[0]![1].Score_full!.toFixed(3));
    // A pipe or a file gets no colour codes; FORCE_COLOR brings them back, NO_COLOR always wins.
    expect(table.stdout).to.not.contain('\u001b[');
    expect(runCli(['leaderboard', file], { env: { FORCE_COLOR: '1' } }).stdout).to.contain('\u001b[');
    expect(runCli(['leaderboard', file], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout).to.not.contain('\u001b[');
    // Some finalists have no "sam_sum - Stereotypes (race)": the table run says so on stderr.
    const lacking = published.filter(([, v]) => v['sam_sum - Stereotypes (race)'] === null).map(([n]) => n);
    expect(lacking.length).to.be.greaterThan(0);
    expect(table.stderr).to.include(`note: "sam_sum - Stereotypes (race)" missing for ${lacking.join(', ')}`);
  });
});

describe('leaderboard: inputs', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'evalfirst-lb-'));
  const group = (group: string, mainMetric: string, means: Record<string, number>) => ({
    group,
    mainMetric,
    metrics: Object.fromEntries(Object.entries(means).map(([k, mean]) => [k, { mean, stderr: 0, count: 10, runs: 1 }])),
  });
  const results = (groups: unknown[]) => JSON.stringify({ evalfirstVersion: '0', gitCommit: null, createdAt: '', config: {}, backend: { id: 'x', protocol: 'neurips' }, runs: [], groups, errors: { count: 0, first: [] } });

  it('maps evalfirst groups to the organisers columns', () => {
    expect(groupColumns(group('mmlu', 'exact_match', { exact_match: 0.5, 'exact_match (robustness)': 0.4, 'exact_match (fairness)': 0.3 }) as never)).to.deep.equal({
      'MMLU - EM': 0.5, 'MMLU - EM (Robustness)': 0.4, 'MMLU - EM (Fairness)': 0.3,
    });
    expect(groupColumns(group('bbq', 'quasi_exact_match', { quasi_exact_match: 0.7, exact_match: 0.1 }) as never)).to.deep.equal({ 'BBQ - EM': 0.7 });
    expect(groupColumns(group('math_chain_of_thought', 'math_equiv_chain_of_thought', { math_equiv_chain_of_thought: 0.2 }) as never)).to.deep.equal({
      'MATH (chain-of-thoughts) - Equivalent (chain of thought)': 0.2,
    });
  });

  it("every titled run group's main column is one the organisers rank (titles come from the scenarios)", () => {
    const columns = SCENARIO_MODULES.flatMap((m) => m.runGroups)
      .filter((g) => g.title && g.name !== 'math_regular') // MATH without chain of thought was not ranked
      .map((g) => `${g.title} - ${metricTitle(g.mainMetric)}`);
    expect(columns).to.have.length(14);
    for (const c of columns) expect(ALL_COLUMNS, c).to.include(c);
    expect(groupColumns(group('bbq', 'exact_match', { exact_match: 0.7 }) as never)).to.deep.equal({}); // not BBQ's main metric
    expect(groupColumns(group('mini_bbq', 'quasi_exact_match', { quasi_exact_match: 0.7 }) as never)).to.deep.equal({});
  });

  it('merges an open and a hidden results.json named alike, and ranks them', () => {
    writeFileSync(join(tmp, 'a-open.json'), results([group('gsm', 'exact_match_indicator', { exact_match_indicator: 0.6 })]));
    writeFileSync(join(tmp, 'a-hidden.json'), results([group('corr2cause', 'exact_match', { exact_match: 0.5 })]));
    writeFileSync(join(tmp, 'b.json'), results([group('gsm', 'exact_match_indicator', { exact_match_indicator: 0.2 }), group('corr2cause', 'exact_match', { exact_match: 0.9 })]));
    const entries = loadEntries([`a=${join(tmp, 'a-open.json')}`, `a=${join(tmp, 'a-hidden.json')}`, join(tmp, 'b.json')]);
    expect(entries.map((e) => e.name)).to.deep.equal(['a', 'b']);
    expect(entries[0]!.values).to.deep.equal({ 'GSM8K - EM': 0.6, 'corr2cause - EM': 0.5 });
    const rows = rankEntries(entries);
    const a = rows.find((r) => r.entry === 'a')!;
    expect(a.scenarios.GSM8K).to.equal(0.5);
    expect(a.scenarios.corr2cause).to.equal(0);
    expect(Object.keys(HIDDEN_ROUND_SCENARIOS)[0]).to.equal('CNN/DailyMail');
  });

  it('bad files give errors naming the file and the item', () => {
    writeFileSync(join(tmp, 'bad.json'), '[["x", {"MMLU - EM": "high"}]]');
    const res = runCli(['leaderboard', join(tmp, 'bad.json')]);
    expect(res.status).to.equal(2);
    expect(res.stderr).to.match(/bad\.json: entry "x", metric "MMLU - EM": expected a number or null/);
    writeFileSync(join(tmp, 'bad2.json'), '[["x"]]');
    expect(() => loadEntries([join(tmp, 'bad2.json')])).to.throw(/bad2\.json: item 0 is not an \[entry_name/);
    writeFileSync(join(tmp, 'bad3.json'), '{"x": 1');
    expect(() => loadEntries([join(tmp, 'bad3.json')])).to.throw(/bad3\.json: not valid JSON/);
    expect(() => loadEntries([join(tmp, 'missing.json')])).to.throw(/missing\.json: cannot read \(ENOENT\)/);
  });
});

describe('leaderboard: an own entry among the finalists', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'evalfirst-lb-own-'));
  const stat = (mean: number) => ({ mean, stderr: 0, count: 1, runs: 1 });
  /** evalfirst group → (organisers' title, main metric, has robustness/fairness). */
  const OPEN: [string, string, string, boolean][] = [
    ['mmlu', 'MMLU - EM', 'exact_match', true],
    ['truthful_qa', 'TruthfulQA - EM', 'exact_match', true],
    ['big_bench', 'BIG-bench - EM', 'exact_match', false],
    ['gsm', 'GSM8K - EM', 'exact_match_indicator', false],
    ['bbq', 'BBQ - EM', 'quasi_exact_match', false],
  ];
  const HIDDEN: [string, string, string, boolean][] = [
    ['sam_sum', 'sam_sum - ROUGE-2', 'rouge_2', false],
    ['corr2cause', 'corr2cause - EM', 'exact_match', false],
    ['math_chain_of_thought', 'MATH (chain-of-thoughts) - Equivalent (chain of thought)', 'math_equiv_chain_of_thought', false],
    ...['justice', 'commonsense', 'virtue', 'deontology', 'utilitarianism'].map((s): [string, string, string, boolean] => [`ethics_${s}`, `ethics_${s} - EM`, 'exact_match', true]),
  ];
  const BIAS: Record<string, string> = {
    'sam_sum - Stereotypes (race)': 'bias_metric:mode=associations,demographic_category=race,target_category=profession',
    'sam_sum - Stereotypes (gender)': 'bias_metric:mode=associations,demographic_category=gender,target_category=profession',
    'sam_sum - Representation (race)': 'bias_metric:mode=representation,demographic_category=race',
    'sam_sum - Representation (gender)': 'bias_metric:mode=representation,demographic_category=gender',
  };

  /** The results.json evalfirst would write for runs scoring exactly a finalist's values. */
  function resultsLike(values: Record<string, number | null>, groups: [string, string, string, boolean][]): string {
    const runs: unknown[] = [];
    const out = groups.map(([group, column, metric, triple]) => {
      const metrics: Record<string, unknown> = { [metric]: stat(values[column]!) };
      if (triple) {
        metrics[`${metric} (robustness)`] = stat(values[`${column} (Robustness)`]!);
        metrics[`${metric} (fairness)`] = stat(values[`${column} (Fairness)`]!);
      }
      if (group === 'sam_sum') {
        const runMetrics: Record<string, unknown> = {};
        for (const [col, name] of Object.entries(BIAS)) {
          if (values[col] === null) runMetrics[name] = { mean: null, stderr: 0, count: 0, note: "no value (HELM's None): no race word together with a profession in any completion" };
          else metrics[name] = stat(values[col]!);
        }
        runs.push({ name: 'sam_sum:model=neurips_local', entry: 'sam_sum', scenario: 'sam_sum', groups: ['sam_sum'], mainMetric: 'rouge_2', mainSplit: 'valid', metrics: runMetrics });
      }
      return { group, mainMetric: metric, metrics };
    });
    return JSON.stringify({ evalfirstVersion: '0', gitCommit: null, createdAt: '', config: {}, backend: { id: 'x', protocol: 'neurips' }, runs, groups: out, errors: { count: 0, first: [] } });
  }

  for (const [track, pick] of [['A100', 0], ['4090', 3]] as const) {
    it(`${track}: a run scoring exactly finalist #${pick + 1}'s metrics ties it on every scenario and score (bias metrics, lower is better, included)`, function () {
      const dir = requireSharedData(this, 'leaderboard');
      const file = join(dir, 'leaderboard', `${track}_full_ranks_final_round.json`);
      const published = JSON.parse(readFileSync(file, 'utf8')) as OrganiserFile;
      const [finalist, values] = published[pick]!;
      writeFileSync(join(tmp, `${track}-open.json`), resultsLike(values, OPEN));
      writeFileSync(join(tmp, `${track}-hidden.json`), resultsLike(values, HIDDEN));
      const entries = loadEntries([file, `mine=${join(tmp, `${track}-open.json`)}`, `mine=${join(tmp, `${track}-hidden.json`)}`]);
      expect(entries).to.have.length(published.length + 1);
      const mine = entries.find((e) => e.name === 'mine')!;
      // Every ranked column the finalist has, the own entry has, with the same value.
      for (const [column, v] of Object.entries(values)) {
        if (/^Score|Mean Win Rate$/.test(column)) continue;
        expect(mine.values[column], column).to.equal(v === null ? undefined : v);
      }
      const rows = rankEntries(entries);
      const a = rows.find((r) => r.entry === finalist)!;
      const b = rows.find((r) => r.entry === 'mine')!;
      expect(b.scenarios).to.deep.equal(a.scenarios);
      expect([b.score_open, b.score_hidden, b.score_full]).to.deep.equal([a.score_open, a.score_hidden, a.score_full]);
      // A worse bias value (higher) breaks the tie against the own entry.
      const worse = { ...values, 'sam_sum - Representation (gender)': (values['sam_sum - Representation (gender)'] ?? 0) + 0.01 };
      writeFileSync(join(tmp, `${track}-hidden-worse.json`), resultsLike(worse, HIDDEN));
      const rows2 = rankEntries(loadEntries([file, `mine=${join(tmp, `${track}-open.json`)}`, `mine=${join(tmp, `${track}-hidden-worse.json`)}`]));
      expect(rows2.find((r) => r.entry === 'mine')!.scenarios.sam_sum).to.be.lessThan(rows2.find((r) => r.entry === finalist)!.scenarios.sam_sum!);
    });
  }

  it('the CLI names the metrics the own entry lacks, with the reason its results.json gives', function () {
    const dir = requireSharedData(this, 'leaderboard');
    const file = join(dir, 'leaderboard', 'A100_full_ranks_final_round.json');
    const values = (JSON.parse(readFileSync(file, 'utf8')) as OrganiserFile)[0]![1];
    writeFileSync(join(tmp, 'cli-hidden.json'), resultsLike(values, HIDDEN));
    const res = runCli(['leaderboard', file, `mine=${join(tmp, 'cli-hidden.json')}`]);
    expect(res.status, res.stderr).to.equal(0);
    expect(res.stdout).to.include('mine');
    expect(res.stderr).to.match(/note: "MMLU - EM" missing for mine;/);
    expect(res.stderr).to.match(/note: "sam_sum - Stereotypes \(race\)" missing for .*mine; counted as the worst value/);
    expect(res.stderr).to.include("  mine: no value (HELM's None): no race word together with a profession in any completion");
  });
});
