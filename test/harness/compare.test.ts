import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRunDir, scoresWith } from './compare-fixtures.js';
import { loadRunDir } from '../../core/run-dir.js';
import { compareRuns } from '../../harness/compare/compare-runs.js';
import { parseTolerances } from '../../harness/compare/tolerance.js';
import { firstDifference } from '../../harness/compare/text-diff.js';
import { renderCompareMarkdown } from '../../reports/markdown/compare.js';
import { runCli } from '../helpers/run-cli.js';

describe('compare', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'evalfirst-compare-'));
    // A: mmlu anatomy 60/100, mmlu astronomy 50/100, gsm 30/50.
    writeRunDir(join(tmp, 'a'), {
      runs: [
        { name: 'mmlu:subject=anatomy', groups: ['mmlu'], scores: scoresWith(100, (i) => i < 60) },
        { name: 'mmlu:subject=astronomy', groups: ['mmlu'], scores: scoresWith(100, (i) => i < 50) },
        { name: 'gsm', scores: scoresWith(50, (i) => i < 30) },
      ],
    });
    // B: anatomy loses 20 (ids 40..59 wrong) and gains 2 (ids 60, 61); astronomy identical; gsm identical.
    writeRunDir(join(tmp, 'b'), {
      runs: [
        { name: 'mmlu:subject=anatomy', groups: ['mmlu'], scores: scoresWith(100, (i) => i < 40 || i === 60 || i === 61) },
        { name: 'mmlu:subject=astronomy', groups: ['mmlu'], scores: scoresWith(100, (i) => i < 50) },
        { name: 'gsm', scores: scoresWith(50, (i) => i < 30) },
      ],
    });
    // C: same as A but one prompt of gsm changed by one character.
    writeRunDir(join(tmp, 'c'), {
      runs: [
        { name: 'mmlu:subject=anatomy', groups: ['mmlu'], scores: scoresWith(100, (i) => i < 60) },
        { name: 'mmlu:subject=astronomy', groups: ['mmlu'], scores: scoresWith(100, (i) => i < 50) },
        { name: 'gsm', scores: scoresWith(50, (i) => i < 30), prompt: (id) => (id === 'id7' ? `Question ${id}: what is 2+3?\nAnswer:` : `Question ${id}: what is 2+2?\nAnswer:`) },
      ],
    });
    // D: gsm has fewer instances.
    writeRunDir(join(tmp, 'd'), {
      runs: [
        { name: 'mmlu:subject=anatomy', groups: ['mmlu'], scores: scoresWith(100, (i) => i < 60) },
        { name: 'mmlu:subject=astronomy', groups: ['mmlu'], scores: scoresWith(100, (i) => i < 50) },
        { name: 'gsm', scores: scoresWith(45, (i) => i < 30) },
      ],
    });
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('computes per-task deltas, McNemar with Holm, flips both ways and group deltas', async () => {
    const r = compareRuns(await loadRunDir(join(tmp, 'a')), await loadRunDir(join(tmp, 'b')), { resamples: 2000 });
    const anatomy = r.tasks.find((t) => t.runName === 'mmlu:subject=anatomy')!;
    expect(anatomy.meanA).to.equal(0.6);
    expect(anatomy.meanB).to.be.closeTo(0.42, 1e-12);
    expect(anatomy.ci.delta).to.be.closeTo(-0.18, 1e-12);
    expect(anatomy.ci.high).to.be.lessThan(0);
    expect(anatomy.mcnemar!.b).to.equal(20);
    expect(anatomy.mcnemar!.c).to.equal(2);
    // 2·P(X ≤ 2 | n=22) = 2·(1 + 22 + 231)/2^22
    expect(anatomy.mcnemar!.p).to.be.closeTo((2 * 254) / 2 ** 22, 1e-15);
    // Holm over 3 tasks: smallest p × 3
    expect(anatomy.mcnemar!.pHolm).to.be.closeTo((3 * 2 * 254) / 2 ** 22, 1e-15);
    expect(anatomy.flips!.rightToWrong.map((f) => f.instanceId)).to.have.length(20).and.include('id40');
    expect(anatomy.flips!.wrongToRight.map((f) => f.instanceId)).to.deep.equal(['id60', 'id61']);
    const astronomy = r.tasks.find((t) => t.runName === 'mmlu:subject=astronomy')!;
    expect(astronomy.ci.delta).to.equal(0);
    expect(astronomy.mcnemar!.p).to.equal(1);
    const mmlu = r.groups.find((g) => g.group === 'mmlu')!;
    expect(mmlu.ci.delta).to.be.closeTo(-0.09, 1e-12);
    expect(mmlu.runs).to.have.length(2);
    expect(r.groups.map((g) => g.group).sort()).to.deep.equal(['gsm', 'mmlu']);
  });

  it('judges tolerance gates on the CI lower bound', async () => {
    const a = await loadRunDir(join(tmp, 'a'));
    const b = await loadRunDir(join(tmp, 'b'));
    const fail = compareRuns(a, b, { tolerances: parseTolerances('mmlu=0.01,*=0.02'), resamples: 1000 });
    expect(fail.passed).to.equal(false);
    expect(fail.gates.find((g) => g.target === 'mmlu')!.passed).to.equal(false);
    expect(fail.gates.find((g) => g.target === 'gsm')!.passed).to.equal(true);
    const ok = compareRuns(a, b, { tolerances: parseTolerances('gsm=0'), resamples: 1000 });
    expect(ok.passed).to.equal(true);
    const loose = compareRuns(a, b, { tolerances: parseTolerances('mmlu=0.5'), resamples: 1000 });
    expect(loose.passed).to.equal(true);
    expect(() => compareRuns(a, b, { tolerances: parseTolerances('nope=0.1') })).to.throw(/names no group/);
    expect(() => parseTolerances('mmlu')).to.throw(/KEY=TOLERANCE/);
    expect(() => parseTolerances('mmlu=-1')).to.throw(/non-negative/);
  });

  it('refuses to pair runs whose prompts differ, naming the first differing character', async () => {
    const a = await loadRunDir(join(tmp, 'a'));
    const c = await loadRunDir(join(tmp, 'c'));
    expect(() => compareRuns(a, c)).to.throw(/prompts differ for instance id7: first difference at character 24 \(line 1, column 25\): A ".*2\+2\?\\nAnswer:" vs B ".*2\+3/);
    const r = compareRuns(a, c, { unpaired: true, resamples: 500 });
    expect(r.paired).to.equal(false);
    expect(r.tasks.every((t) => t.mcnemar === null)).to.equal(true);
  });

  it('refuses to pair runs whose instance sets differ', async () => {
    const a = await loadRunDir(join(tmp, 'a'));
    const d = await loadRunDir(join(tmp, 'd'));
    expect(() => compareRuns(a, d)).to.throw(/instance sets differ: 5 scored instance\(s\) only in A/);
    const r = compareRuns(a, d, { unpaired: true, resamples: 500 });
    expect(r.tasks.find((t) => t.runName === 'gsm')!.nB).to.equal(45);
  });

  it('names file and line of a malformed instances.jsonl row', async () => {
    const dir = writeRunDir(join(tmp, 'bad'), { runs: [{ name: 'gsm', scores: scoresWith(3, () => true) }] });
    appendFileSync(join(dir, 'instances.jsonl'), '{"runName": "gsm", "instanceId": 5}\n');
    let err: Error | undefined;
    try {
      await loadRunDir(dir);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/instances\.jsonl:4: "instanceId" must be a string/);
    writeFileSync(join(dir, 'results.json'), '{');
    let err2: Error | undefined;
    try {
      await loadRunDir(dir);
    } catch (e) {
      err2 = e as Error;
    }
    expect(err2?.message).to.match(/results\.json: not valid JSON/);
  });

  it('firstDifference reports index, line and column', () => {
    expect(firstDifference('abc\ndef', 'abc\ndxf')).to.include({ index: 5, line: 2, column: 2 });
    expect(firstDifference('same', 'same')).to.equal(null);
    expect(firstDifference('ab', 'abc')!.index).to.equal(2);
  });

  it('renders Markdown with escaped untrusted names', async () => {
    const r = compareRuns(await loadRunDir(join(tmp, 'a')), await loadRunDir(join(tmp, 'b')), { tolerances: parseTolerances('*=0.02'), resamples: 500 });
    const md = renderCompareMarkdown(r);
    expect(md).to.contain('❌ gate failed');
    expect(md).to.contain('| mmlu:subject=anatomy | exact_match | 100 | 0.6000 | 0.4200 | -0.1800');
    expect(md).to.contain('right→wrong 20');
  });

  it('CLI: table output, JSON, Markdown file and exit code 1 on a failed gate', function () {
    const md = join(tmp, 'cmp.md');
    const r = runCli(['compare', join(tmp, 'a'), join(tmp, 'b'), '--fail-if-drop', 'mmlu=0.01,*=0.02', '--markdown', md, '--resamples', '1000']);
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stdout).to.contain('GATE FAILED');
    expect(r.stdout).to.contain('mmlu:subject=anatomy');
    expect(readFileSync(md, 'utf8')).to.contain('### Gates');
    const j = runCli(['compare', join(tmp, 'a'), join(tmp, 'a'), '--json', '--fail-if-drop', '*=0']);
    expect(j.status, j.stderr).to.equal(0);
    const parsed = JSON.parse(j.stdout);
    expect(parsed.passed).to.equal(true);
    expect(parsed.tasks).to.have.length(3);
    const refused = runCli(['compare', join(tmp, 'a'), join(tmp, 'c')]);
    expect(refused.status).to.equal(2);
    expect(refused.stderr).to.match(/prompts differ/);
    expect(refused.stderr).to.match(/--unpaired/);
    const missing = runCli(['compare', join(tmp, 'a'), join(tmp, 'nope')]);
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.match(/not a run directory/);
  });

  it('an improvement with a wide interval is inconclusive (exit 3, with the instances needed), not a failed gate', () => {
    // n = 20: A right on 8; B loses 2 of them and gains 5 (+15 points), a wide paired interval.
    writeRunDir(join(tmp, 'small-a'), { runs: [{ name: 'tqa', groups: ['truthful_qa'], scores: scoresWith(20, (i) => i < 8) }] });
    writeRunDir(join(tmp, 'small-b'), { runs: [{ name: 'tqa', groups: ['truthful_qa'], scores: scoresWith(20, (i) => i >= 2 && i < 13) }] });
    const r = runCli(['compare', join(tmp, 'small-a'), join(tmp, 'small-b'), '--fail-if-drop', '*=0', '--resamples', '2000']);
    expect(r.status, r.stderr + r.stdout).to.equal(3);
    expect(r.stdout).to.not.contain('GATE FAILED');
    expect(r.stdout).to.match(/inconclusive: truthful_qa \(inconclusive \(interval too wide: need about \d+ instances, have 20\)\)/);
    const dropped = runCli(['compare', join(tmp, 'small-b'), join(tmp, 'small-a'), '--fail-if-drop', '*=0', '--resamples', '2000']);
    expect(dropped.status).to.equal(1);
    expect(dropped.stdout).to.contain('GATE FAILED: a measured drop in truthful_qa');
  });
});
