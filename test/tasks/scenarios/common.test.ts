// The shared scenario readers: Python's whitespace, csv and shuffle semantics, and errors that name
// file and line. Expected values were printed by CPython 3.11.
import { expect } from 'chai';
import { parseCsv, expectFields, withoutHeader } from '../../../tasks/scenarios/common/csv.js';
import { parseJsonl, stringField } from '../../../tasks/scenarios/common/jsonl.js';
import { pySplit, pyStrip, universalNewlines } from '../../../tasks/text/python-str.js';
import { seededShuffle, ratioSplitIndex } from '../../../tasks/scenarios/common/splits.js';

describe('scenario readers (tasks/scenarios/common)', function () {
  it('pySplit/pyStrip use str.isspace(): \\x1c and \\x85 split, \\ufeff does not', () => {
    expect(pySplit('a\x1cb\x85c\u3000d\ufeffe')).to.deep.equal(['a', 'b', 'c', 'd\ufeffe']);
    expect(pyStrip('\x1f x \u00a0')).to.equal('x');
    expect(pySplit('   ')).to.deep.equal([]);
    expect(universalNewlines('a\r\nb\rc\n')).to.equal('a\nb\nc\n');
  });

  it('seededShuffle(range(10), 0) equals random.seed(0); random.shuffle', () => {
    expect(seededShuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0)).to.deep.equal([7, 8, 1, 5, 3, 4, 2, 0, 9, 6]);
    expect(ratioSplitIndex(817, 0.2)).to.equal(163);
  });

  it('parseCsv reads as Python csv: literal quotes inside unquoted fields', () => {
    expect(parseCsv('a,b"c",x\n', 'f.csv').map((r) => r.fields)).to.deep.equal([['a', 'b"c"', 'x']]);
    // Known difference on malformed input: Python reads `"d"e` as `de`, csv-parse keeps `"d"e`.
    // Well-formed files (all the challenge's, checked by the digests) never contain it.
    expect(parseCsv('"d"e\n', 'f.csv')[0].fields).to.deep.equal(['"d"e']);
  });

  it('parseCsv: CRLF inside quotes becomes LF; rows carry line numbers; blank lines skipped', () => {
    const rows = parseCsv('h1,h2\r\n1,"x\r\ny"\r\n\r\n2,z\r\n', 'f.csv');
    expect(rows.map((r) => [r.fields, r.line])).to.deep.equal([
      [['h1', 'h2'], 1],
      [['1', 'x\ny'], 3],
      [['2', 'z'], 5],
    ]);
    expect(() => expectFields(withoutHeader(rows, 'f.csv')[1], 3, 'data/f.csv', 'a,b,c')).to.throw('data/f.csv:5: expected 3 columns (a,b,c), found 2');
  });

  it('parseCsv: an unclosed quote is an error naming the file', () => {
    expect(() => parseCsv('label,input\n1,"never closed\n', 'data/x.csv')).to.throw(/data\/x\.csv.*malformed CSV/);
  });

  it('parseJsonl: a bad line names file and line; a missing field too', () => {
    expect(() => parseJsonl('{"a": 1}\n\n{"a": \n', 'g.jsonl')).to.throw(/^g\.jsonl:3: invalid JSON/);
    expect(() => parseJsonl('[1]\n', 'g.jsonl')).to.throw('g.jsonl:1: expected a JSON object per line');
    const [rec] = parseJsonl('{"question": 5}\n', 'g.jsonl');
    expect(() => stringField(rec, 'question', 'g.jsonl')).to.throw('g.jsonl:1: field "question" missing or not a string');
  });
});
