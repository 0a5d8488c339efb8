import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { buildMix } from '../../../harness/mix/build.js';
import { diffMixes } from '../../../harness/mix/diff.js';
import { runCli } from '../../helpers/run-cli.js';
import { TempDir, distinctRows, jsonl } from './fixtures.js';

describe('mix diff and the mix command', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = new TempDir();
    dir.write('a.jsonl', jsonl(distinctRows(30, 'a')));
    dir.write('b.jsonl', jsonl(distinctRows(30, 'b')));
    dir.write('c.jsonl', jsonl(distinctRows(30, 'c')));
  });
  afterEach(() => dir.remove());

  it('summarises rows per source, added/removed rows, lengths and manifest changes', async () => {
    await buildMix(dir.write('v1.yaml', 'seed: 1\ntotal: 20\nsources:\n  - {name: a, file: a.jsonl, share: 0.5}\n  - {name: b, file: b.jsonl, share: 0.5}\n'), dir.file('v1'), { dataDir: '/none' });
    await buildMix(dir.write('v2.yaml', 'seed: 1\ntotal: 20\nsources:\n  - {name: a, file: a.jsonl, share: 0.75}\n  - {name: c, file: c.jsonl, share: 0.25}\n'), dir.file('v2'), { dataDir: '/none' });
    const d = await diffMixes(dir.file('v1'), dir.file('v2'));
    expect(d.sameVersion).to.equal(false);
    expect(d.sources).to.deep.equal([
      // a's draw with the same seed and a larger quota is not a superset in general, so only the count is fixed.
      { source: 'a', rowsA: 10, rowsB: 15, added: d.sources[0].added, removed: d.sources[0].removed },
      { source: 'c', rowsA: 0, rowsB: 5, added: 5, removed: 0 },
      { source: 'b', rowsA: 10, rowsB: 0, added: 0, removed: 10 },
    ]);
    expect(d.sources[0].added - d.sources[0].removed).to.equal(5);
    expect(d.added).to.equal(d.sources[0].added + 5);
    expect(d.removed).to.equal(d.sources[0].removed + 10);
    expect(d.manifest.map((c) => c.what)).to.deep.equal(['source b', 'source c', 'source a: share']);
    expect(d.a.chars!.min).to.be.greaterThan(0);
    const same = await diffMixes(dir.file('v1'), dir.file('v1'));
    expect(same).to.deep.include({ sameVersion: true, added: 0, removed: 0, manifest: [] });
  });

  it('CLI: build and diff exit 0; bad input exits 2 with the manifest line', () => {
    dir.write('m.yaml', 'seed: 2\nsources:\n  - {name: a, file: a.jsonl, rows: 5}\n');
    const ok = runCli(['mix', 'build', dir.file('m.yaml'), '--out', dir.file('out'), '--quiet']);
    expect(ok.status, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/5 rows written/);
    expect(readFileSync(dir.file('out/data.jsonl'), 'utf8').trim().split('\n')).to.have.length(5);
    const json = runCli(['mix', 'build', dir.file('m.yaml'), '--out', dir.file('out2'), '--quiet', '--json']);
    expect(JSON.parse(json.stdout).version).to.equal(JSON.parse(readFileSync(dir.file('out/mix.json'), 'utf8')).version);
    const diff = runCli(['mix', 'diff', dir.file('out'), dir.file('out2')]);
    expect(diff.status).to.equal(0);
    expect(diff.stdout).to.match(/same version/);
    dir.write('bad.yaml', 'seed: 2\nsources:\n  - {name: a, file: a.jsonl, rows: 5, extra: 1}\n');
    const bad = runCli(['mix', 'build', dir.file('bad.yaml'), '--out', dir.file('x')]);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/bad\.yaml:3: source "a": unknown field "extra"/);
    const usage = runCli(['mix', 'build', dir.file('m.yaml')]);
    expect(usage.status).to.equal(2);
    expect(usage.stderr).to.match(/--out/);
  });
});
