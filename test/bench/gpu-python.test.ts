// Runs the Python tests of bench/gpu/ (train_bench's commands, the NF4 layer's math, collect's table)
// with the interpreter that has torch where there is one, like test/integrations/hf-callback.test.ts.
// These tests check the GPU benchmark's plumbing on the CPU, so a mistake such as a missing
// --checkpoint-root (which cost a GPU run on 2026-12-02) fails here instead of on the H200.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../helpers/shared-data.js';

const CANDIDATES = ['python3', '/usr/bin/python3'];

function runs(python: string, code: string): boolean {
  return spawnSync(python, ['-c', code], { encoding: 'utf8', timeout: 60_000 }).status === 0;
}

describe('bench/gpu Python tests (train_bench, nf4_layer_bench, collect)', function () {
  this.timeout(200_000);

  it('pass, all of them', function () {
    const python = CANDIDATES.find((p) => runs(p, 'import torch')) ?? CANDIDATES.find((p) => runs(p, 'pass'));
    if (!python) {
      console.log(`      skipped: none of ${CANDIDATES.join(', ')} runs`);
      this.skip();
    }
    const r = spawnSync(python, ['-m', 'unittest', 'discover', '-s', 'bench/gpu', '-p', 'test_*.py', '-v'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000 });
    expect(r.status, r.stderr.slice(-4000)).to.equal(0);
    expect(r.stderr).to.match(/^Ran \d+ tests? in /m);
    const ran = Number(/^Ran (\d+) test/m.exec(r.stderr)![1]);
    expect(ran).to.be.greaterThan(20);
    const skipped = Number(/skipped=(\d+)/.exec(r.stderr)?.[1] ?? 0);
    if (skipped) console.log(`      note: ${skipped} of ${ran} skipped (torch or transformers missing in ${python})`);
  });
});
