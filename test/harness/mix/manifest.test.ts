import { expect } from 'chai';
import { parseManifestText } from '../../../harness/mix/manifest-doc.js';
import { validateManifest } from '../../../harness/mix/manifest-validate.js';
import { fillTemplate, templateColumns } from '../../../harness/mix/field-map.js';
import { loadManifest } from '../../../harness/mix/build.js';
import { canonicalManifest } from '../../../harness/mix/manifest.js';
import { TempDir, jsonl, distinctRows } from './fixtures.js';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('mix manifest', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = new TempDir();
    dir.write('a.jsonl', jsonl(distinctRows(5, 'a')));
    dir.write('b.jsonl', jsonl(distinctRows(5, 'b')));
  });
  afterEach(() => dir.remove());

  const load = (name: string, text: string) => loadManifest(dir.write(name, text));

  it('reads a YAML manifest with defaults filled in', () => {
    const m = load(
      'm.yaml',
      `seed: 7
sources:
  - name: a
    file: a.jsonl
    share: 0.25
  - name: b
    file: b.jsonl
    share: 0.75
    fields: { prompt: "Q: {prompt}", completion: completion }
    filters:
      max_chars: 500
      language: [eng]
      exclude: { pattern: "lorem", flags: i, field: prompt }
`,
    );
    expect(m.seed).to.equal(7);
    expect(m.shuffle).to.equal(true);
    expect(m.dedup).to.deep.equal({ exact: true, near: 0.8 });
    expect(m.sources.map((s) => [s.name, s.kind, s.share, s.line])).to.deep.equal([
      ['a', 'file', 0.25, 3],
      ['b', 'file', 0.75, 6],
    ]);
    const b = m.sources[1];
    expect(b.fields!.prompt).to.deep.equal({ kind: 'template', template: 'Q: {prompt}', columns: ['prompt'] });
    expect(b.fields!.completion).to.deep.equal({ kind: 'column', column: 'completion' });
    expect(b.filters.maxChars).to.equal(500);
    expect(b.filters.language!.allow).to.deep.equal(['eng']);
    expect(b.filters.exclude[0]).to.include({ pattern: 'lorem', flags: 'i', field: 'prompt', line: 13 });
    expect(b.kind === 'file' && b.format).to.equal('jsonl');
  });

  it('reads the same manifest as JSON, and the canonical form does not depend on where it lives', () => {
    const yaml = load('m.yaml', 'seed: 1\nsources:\n  - {name: a, file: a.jsonl, rows: 3}\n');
    const json = load('sub/../m.json', JSON.stringify({ seed: 1, sources: [{ name: 'a', file: 'a.jsonl', rows: 3 }] }, null, 2));
    expect(canonicalManifest(json)).to.deep.equal(canonicalManifest(yaml));
    expect(json.sources[0].line).to.equal(4);
  });

  it('names the line of an unknown top-level field', () => {
    const e = errorOf(() => load('m.yaml', 'seed: 1\nsources:\n  - {name: a, file: a.jsonl, rows: 3}\nshufle: false\n'));
    expect(e.name).to.equal('UserError');
    expect(e.message).to.match(/m\.yaml:4: unknown field "shufle" in the manifest/);
  });

  it('names the source and line of an unknown source field', () => {
    const e = errorOf(() => load('m.yaml', 'sources:\n  - name: a\n    file: a.jsonl\n    rows: 3\n    feilds: {}\n'));
    expect(e.message).to.match(/m\.yaml:5: source "a": unknown field "feilds" in a source/);
  });

  it('names the source and line of an unknown filter in JSON', () => {
    const e = errorOf(() => load('m.json', JSON.stringify({ sources: [{ name: 'a', file: 'a.jsonl', rows: 3, filters: { max_len: 3 } }] }, null, 2)));
    expect(e.message).to.match(/m\.json:8: source "a": unknown field "max_len" in "filters"/);
  });

  it('names the source and line of a missing file', () => {
    const e = errorOf(() => load('m.yaml', 'sources:\n  - name: a\n    file: a.jsonl\n    rows: 3\n  - name: gone\n    file: data/missing.jsonl\n    rows: 2\n'));
    expect(e.message).to.match(/m\.yaml:6: source "gone": file data\/missing\.jsonl not found/);
  });

  it('refuses shares that do not sum to 1, naming each share and its line', () => {
    const e = errorOf(() => load('m.yaml', 'sources:\n  - name: a\n    file: a.jsonl\n    share: 0.5\n  - name: b\n    file: b.jsonl\n    share: 0.4\n'));
    expect(e.message).to.match(/m\.yaml:1: shares must sum to 1, they sum to 0\.9/);
    expect(e.message).to.include('"a" 0.5 at line 4').and.include('"b" 0.4 at line 7');
  });

  it('accepts shares summing to 1 within 1e-9 (0.1 + 0.2 + 0.7)', () => {
    dir.write('c.jsonl', jsonl(distinctRows(5, 'c')));
    const m = load('m.yaml', 'sources:\n  - {name: a, file: a.jsonl, share: 0.1}\n  - {name: b, file: b.jsonl, share: 0.2}\n  - {name: c, file: c.jsonl, share: 0.7}\n');
    expect(m.sources.map((s) => s.share)).to.deep.equal([0.1, 0.2, 0.7]);
  });

  it('refuses mixing shares and row counts, and a source with both or neither', () => {
    expect(errorOf(() => load('m.yaml', 'sources:\n  - {name: a, file: a.jsonl, share: 1}\n  - {name: b, file: b.jsonl, rows: 2}\n')).message).to.match(/m\.yaml:3: source "b": sources use either shares or row counts/);
    expect(errorOf(() => load('m.yaml', 'sources:\n  - {name: a, file: a.jsonl, share: 1, rows: 2}\n')).message).to.match(/m\.yaml:2: source "a": give exactly one of "share"/);
    expect(errorOf(() => load('m.yaml', 'sources:\n  - {name: a, file: a.jsonl}\n')).message).to.match(/m\.yaml:2: source "a": give exactly one of "share"/);
  });

  it('refuses duplicate source names, bad regexes, test splits and unknown formats with their lines', () => {
    expect(errorOf(() => load('m.yaml', 'sources:\n  - {name: a, file: a.jsonl, rows: 1}\n  - {name: a, file: b.jsonl, rows: 1}\n')).message).to.match(/m\.yaml:3: source name "a" is used twice \(first at line 2\)/);
    expect(errorOf(() => load('m.yaml', 'sources:\n  - name: a\n    file: a.jsonl\n    rows: 1\n    filters:\n      include: "(unclosed"\n')).message).to.match(/m\.yaml:6: source "a": invalid regular expression/);
    expect(errorOf(() => load('m.yaml', 'sources:\n  - {name: g, benchmark: gsm, split: test, rows: all}\n')).message).to.match(/m\.yaml:2: source "g": a benchmark's test split/);
    expect(errorOf(() => load('m.yaml', 'sources:\n  - {name: a, file: a.jsonl, format: xlsx, rows: 1}\n')).message).to.match(/m\.yaml:2: source "a": unknown format "xlsx"/);
    dir.write('a.txt', 'x');
    expect(errorOf(() => load('m.yaml', 'sources:\n  - {name: a, file: a.txt, rows: 1}\n')).message).to.match(/cannot tell the format of "a\.txt"/);
  });

  it('names the line of a YAML or JSON syntax error', () => {
    expect(errorOf(() => load('m.yaml', 'seed: 1\nsources:\n  - name: a\n   file: [a.jsonl\n')).message).to.match(/^.*m\.yaml:\d+: not a valid YAML manifest/);
    const e = errorOf(() => load('m.json', '{\n  "seed": 1,\n  "sources": [\n    {"name": "a",}\n  ]\n}\n'));
    expect(e.message).to.match(/m\.json:4: not valid JSON/);
  });

  it('checks types: seed, total with row counts, language codes, near threshold', () => {
    expect(errorOf(() => load('m.yaml', 'seed: -1\nsources:\n  - {name: a, file: a.jsonl, rows: 1}\n')).message).to.match(/m\.yaml:1: "seed" must be an integer >= 0/);
    expect(errorOf(() => load('m.yaml', 'total: 10\nsources:\n  - {name: a, file: a.jsonl, rows: 1}\n')).message).to.match(/m\.yaml:1: "total" is for manifests whose sources have shares/);
    expect(errorOf(() => load('m.yaml', 'sources:\n  - name: a\n    file: a.jsonl\n    rows: 1\n    filters: {language: english}\n')).message).to.match(/ISO 639-3/);
    expect(errorOf(() => load('m.yaml', 'dedup: {near: 1.5}\nsources:\n  - {name: a, file: a.jsonl, rows: 1}\n')).message).to.match(/m\.yaml:1: "near" must be a number > 0 and <= 1/);
    expect(load('m.yaml', 'dedup: {near: false}\nsources:\n  - {name: a, file: a.jsonl, rows: 1}\n').dedup).to.deep.equal({ exact: true, near: null });
  });

  it('parses the YAML document with the line of every key', () => {
    const doc = parseManifestText('a: 1\nb:\n  - x: 1\n    y: 2\n  - z\n', 'f.yaml');
    expect(doc.line(['b', 0, 'y'])).to.equal(4);
    expect(doc.line(['b', 1])).to.equal(5);
    expect(doc.line(['b', 7, 'q'])).to.equal(2);
    expect(() => validateManifest(doc)).to.throw(/f\.yaml:1: unknown field "a"/);
  });

  it('templates: placeholders, literal braces, unbalanced braces refused', () => {
    expect(templateColumns('Q: {question} {{not}} {question} {answer}')).to.deep.equal(['question', 'answer']);
    expect(fillTemplate('{a}{{b}}{a}', (c) => c.toUpperCase())).to.equal('A{b}A');
    expect(() => templateColumns('Q: {question')).to.throw(/unclosed/);
    expect(() => templateColumns('Q: question}')).to.throw(/unmatched/);
  });
});
