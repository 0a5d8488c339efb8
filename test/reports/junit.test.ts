import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { xmlSafe } from '../../reports/junit/xml-text.js';
import { renderGateJUnit } from '../../reports/junit/gate.js';
import type { GateReport } from '../../harness/gate/gate.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderEvalJUnit } from '../../reports/junit/eval.js';
import { renderCompareJUnit } from '../../reports/junit/compare.js';
import { compareRuns } from '../../harness/compare/compare-runs.js';
import { parseTolerances } from '../../harness/compare/tolerance.js';
import { loadRunDir } from '../../core/run-dir.js';
import type { InstanceRecord, ResultsFile } from '../../core/results-schema.js';
import { writeRunDir, scoresWith } from '../harness/compare-fixtures.js';
import { gsmAnswer, questionNumber, writeSyntheticGsm } from '../harness/runner-fixtures.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { runCli, runCliAsync } from '../helpers/run-cli.js';

function report(matched: string): GateReport {
  return {
    dataset: 'data/new.jsonl',
    baseline: null,
    suite: 'mini',
    evalInstances: 3,
    benchmarks: { mmlu: 2, gsm: 1 },
    missing: [],
    rowsChecked: 10,
    contaminationSeconds: 0.01,
    contaminated: [{ line: 7, benchmark: 'mmlu', instance_id: 'id1', run: 'mmlu:subject=x', match: '13-gram', row_field: 'row', eval_field: 'input', matched_text: matched, in_baseline: null }],
    profile: { file: 'data/new.jsonl', rows: 10, schemaErrors: [{ line: 3, message: 'not valid JSON (Unexpected token < in JSON)' }], shapes: {}, sources: { '(none)': 10 }, chars: null, tokens: null, duplicates: [], duplicateCount: 0 },
    baselineProfile: null,
    diff: null,
    proxy: null,
    failures: ['x'],
    passed: false,
  };
}

describe('JUnit (gate)', () => {
  it('replaces characters XML 1.0 forbids', () => {
    expect(xmlSafe('a\u0000b\u0007c\td\ne\uD800f\uD83D\uDE00')).to.equal('a\uFFFDb\uFFFDc\td\ne\uFFFDf\uD83D\uDE00');
  });

  it('stays well-formed with hostile text and counts failures per benchmark', () => {
    const xml = renderGateJUnit(report('</failure><testcase name="x"> & \u0001 ]]>'));
    const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
    expect(Number(doc.testsuites['@_failures'])).to.equal(2);
    const cases = doc.testsuites.testsuite.testcase as { '@_name': string; failure?: { '#text': string } }[];
    expect(cases.map((c) => c['@_name'])).to.deep.equal([
      'no training row overlaps gsm (1 eval instances)',
      'no training row overlaps mmlu (2 eval instances)',
      'every row of data/new.jsonl parses',
      'dataset profile',
    ]);
    expect(cases[1].failure!['#text']).to.contain('</failure><testcase name="x"> & \uFFFD ]]>');
    expect(cases[2].failure!['#text']).to.contain('line 3: not valid JSON');
  });
});

describe('JUnit (eval, compare)', function () {
  this.timeout(120_000);
  const parse = (xml: string) => new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' || name === 'property' }).parse(xml);
  type Case = { '@_name': string; '@_classname': string; failure?: { '@_message': string; '#text': string }; skipped?: { '@_message': string }; 'system-out'?: string };
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'evalfirst-junit-'));
    // Three groups: mmlu unchanged (pass), gsm collapses (drop), truthful_qa +15 points on n = 20 (inconclusive).
    const tqaA = scoresWith(20, (i) => i < 8);
    writeRunDir(join(tmp, 'a'), { runs: [{ name: 'mmlu:subject=anatomy', groups: ['mmlu'], scores: scoresWith(50, (i) => i < 30) }, { name: 'gsm:', groups: ['gsm'], scores: scoresWith(40, (i) => i < 30) }, { name: 'tqa', groups: ['truthful_qa'], scores: tqaA }] });
    writeRunDir(join(tmp, 'b'), { runs: [{ name: 'mmlu:subject=anatomy', groups: ['mmlu'], scores: scoresWith(50, (i) => i < 30) }, { name: 'gsm:', groups: ['gsm'], scores: scoresWith(40, (i) => i < 5) }, { name: 'tqa', groups: ['truthful_qa'], scores: scoresWith(20, (i) => i >= 2 && i < 13) }] });
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('eval: one case per task, failed when a request failed (with the errors), scores and aggregates alongside', () => {
    const results = {
      backend: { id: 'http://127.0.0.1:8080', protocol: 'neurips' },
      durationS: 12.5,
      groups: [],
      runs: [
        { name: 'gsm:', entry: 'gsm:', scenario: 'gsm', groups: ['gsm'], mainMetric: 'exact_match_indicator', mainSplit: 'test', metrics: { exact_match_indicator: { mean: 0.5, stderr: 0.1, count: 4 } }, numInstances: 4, numRequests: 4, numErrors: 0, taskVersion: 'abc123' },
        { name: 'mmlu:subject=<x>', entry: 'mmlu:subject=<x>', scenario: 'mmlu', groups: ['mmlu'], mainMetric: 'exact_match', mainSplit: 'test', metrics: { exact_match: { mean: 1, stderr: 0, count: 1 } }, numInstances: 2, numRequests: 2, numErrors: 1 },
      ],
      errors: { count: 1, first: [{ runName: 'mmlu:subject=<x>', instanceId: 'id7', message: 'HTTP 500 </failure> \u0001' }] },
    } as unknown as ResultsFile;
    const rec = (runName: string, id: string, score: number | null) => ({ runName, instanceId: id, split: 'test', perturbation: null, prompt: '', request: {}, completion: null, references: [], scores: score === null ? {} : { [runName === 'gsm:' ? 'exact_match_indicator' : 'exact_match']: score }, error: score === null ? 'HTTP 500' : null });
    const records = [rec('gsm:', 'g1', 1), rec('gsm:', 'g2', 0), rec('gsm:', 'g3', 1), rec('gsm:', 'g4', 0), rec('mmlu:subject=<x>', 'id6', 1), rec('mmlu:subject=<x>', 'id7', null)] as InstanceRecord[];
    const doc = parse(renderEvalJUnit(results, records, 'runs/r1'));
    expect(doc.testsuites['@_name']).to.equal('evalfirst eval');
    expect(Number(doc.testsuites['@_tests'])).to.equal(2);
    expect(Number(doc.testsuites['@_failures'])).to.equal(1);
    const suite = doc.testsuites.testsuite;
    expect(suite['@_time']).to.equal('12.500');
    const props = Object.fromEntries((suite.properties.property as { '@_name': string; '@_value': string }[]).map((p) => [p['@_name'], p['@_value']]));
    expect(props).to.include({ pooled: '0.5000', 'pooled n': '6', macro: '0.7500' });
    const [gsm, mmlu] = suite.testcase as Case[];
    expect(gsm).to.not.have.property('failure');
    expect(gsm['system-out']).to.contain('exact_match_indicator = 0.5000 ± 0.1000 (stderr), n = 4 (main metric, test split)');
    expect(gsm['system-out']).to.contain('task version: abc123');
    expect(mmlu['@_name']).to.equal('mmlu:subject=<x>');
    expect(mmlu.failure!['@_message']).to.equal('1 of 2 request(s) failed');
    expect(mmlu.failure!['#text']).to.equal('id7: HTTP 500 </failure> \uFFFD');
  });

  it('compare: one case per gate target: pass passes, a drop fails, inconclusive is skipped with the instances it needs', async () => {
    const report = compareRuns(await loadRunDir(join(tmp, 'a')), await loadRunDir(join(tmp, 'b')), { tolerances: parseTolerances('*=0'), resamples: 2000 });
    expect(report.gates.map((g) => [g.target, g.outcome])).to.have.deep.members([['mmlu', 'pass'], ['gsm', 'drop'], ['truthful_qa', 'inconclusive']]);
    const doc = parse(renderCompareJUnit(report));
    expect(Number(doc.testsuites['@_tests'])).to.equal(3);
    expect(Number(doc.testsuites['@_failures'])).to.equal(1);
    expect(Number(doc.testsuites['@_skipped'])).to.equal(1);
    const byName = Object.fromEntries((doc.testsuites.testsuite.testcase as Case[]).map((c) => [c['@_name'], c]));
    expect(byName['group mmlu drops by at most 0']).to.not.have.any.keys('failure', 'skipped');
    expect(byName['group gsm drops by at most 0'].failure!['@_message']).to.match(/^drop beyond tolerance \(delta -0\.6250 < −0\)$/);
    expect(byName['group truthful_qa drops by at most 0'].skipped!['@_message']).to.match(/^inconclusive \(interval too wide: need about \d+ instances, have 20\)$/);
    expect(byName['group truthful_qa drops by at most 0']['system-out']).to.contain('rule: a gate passes when the lower bound');
  });

  it('CLI: compare --junit writes it beside the exit code; --junit without --fail-if-drop is a usage error', () => {
    const out = join(tmp, 'compare.xml');
    const r = runCli(['compare', join(tmp, 'a'), join(tmp, 'b'), '--fail-if-drop', '*=0', '--junit', out, '--resamples', '1000']);
    expect(r.status, r.stderr).to.equal(1);
    const doc = parse(readFileSync(out, 'utf8'));
    expect(Number(doc.testsuites['@_failures'])).to.equal(1);
    const bare = runCli(['compare', join(tmp, 'a'), join(tmp, 'b'), '--junit', out]);
    expect(bare.status).to.equal(2);
    expect(bare.stderr).to.contain('--junit needs --fail-if-drop');
  });

  it('CLI: eval --junit against a server: a task whose request failed is a failed case', async () => {
    const dataDir = writeSyntheticGsm(8);
    const server = await startScriptedServer({ answer: (p) => gsmAnswer(p), fault: (c) => (questionNumber(String(c.body.prompt ?? '')) === 3 ? { kind: 'status', status: 500 } : undefined) });
    try {
      const out = join(tmp, 'eval.xml');
      const r = await runCliAsync(['eval', 'gsm:max_eval_instances=8', '--server', server.url, '--out', join(tmp, 'run'), '--no-cache', '--no-progress', '--retries', '0', '--junit', out], { env: { EVALFIRST_DATA: dataDir, XDG_CACHE_HOME: join(tmp, 'xdg') } });
      expect(r.status, r.stderr).to.equal(1);
      const cases = parse(readFileSync(out, 'utf8')).testsuites.testsuite.testcase as Case[];
      expect(cases).to.have.length(1);
      expect(cases[0].failure!['@_message']).to.equal('1 of 8 request(s) failed');
      expect(cases[0].failure!['#text']).to.match(/500/);
      expect(cases[0]['system-out']).to.contain('exact_match_indicator = 1.0000');
    } finally {
      await server.close();
    }
  });
});
