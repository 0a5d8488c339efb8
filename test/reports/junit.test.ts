import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { xmlSafe } from '../../reports/junit/xml-text.js';
import { renderGateJUnit } from '../../reports/junit/gate.js';
import type { GateReport } from '../../harness/gate/gate.js';

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
