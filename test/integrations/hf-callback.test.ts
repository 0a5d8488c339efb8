import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/shared-data.js';

describe('integrations/hf_trainer_callback.py', function () {
  this.timeout(60_000);
  it('passes its Python unit tests (control protocol, stop, serving while paused)', function () {
    const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log('      skipped: python3 not available');
      this.skip();
    }
    const r = spawnSync('python3', ['-m', 'unittest', '-v', join('integrations', 'test_hf_trainer_callback.py')], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/Ran 4 tests/);
  });
});
