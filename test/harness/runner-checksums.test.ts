import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksumFiles } from '../../harness/runner/data-provenance.js';
import { requestKey } from '../../harness/runner/request-key.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { DEFAULT_REQUEST } from '../../core/request.js';

describe('runner checksums and request keys', () => {
  it('hashes each data file (sha256) relative to the data dir and marks absent ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evalfirst-sum-'));
    writeFileSync(join(dir, 'a.txt'), 'abc');
    const sums = await checksumFiles(dir, ['a.txt', 'absent.csv'], new Map());
    expect(sums).to.deep.equal({ 'a.txt': 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'absent.csv': 'missing' });
  });

  it('keys a request by backend and canonical request, independent of key order', () => {
    const a = { ...DEFAULT_REQUEST, prompt: 'p' };
    const b = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
    expect(canonicalJson(a)).to.equal(canonicalJson(b));
    expect(requestKey('neurips:http://x', a)).to.equal(requestKey('neurips:http://x', b));
    expect(requestKey('neurips:http://y', a)).to.not.equal(requestKey('neurips:http://x', a));
    expect(requestKey('neurips:http://x', { ...a, maxTokens: 2 })).to.not.equal(requestKey('neurips:http://x', a));
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: undefined } })).to.equal('{"a":{"d":[3,{"e":2,"f":1}]},"b":1}');
  });
});
