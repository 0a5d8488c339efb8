// Runs the Python tests of integrations/ (HF Trainer callback, control client, batching scoring
// server) with an interpreter that has torch where there is one: the pyenv `python3` first, then
// Debian's /usr/bin/python3 (`apt-get install python3-torch`). Without torch the torch tests skip
// and the count of skips is checked instead, so neither run can pass with tests silently missing.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../helpers/shared-data.js';

const CANDIDATES = ['python3', '/usr/bin/python3'];
const TOTAL_TESTS = 82; // every test_*.py under integrations/
const TORCH_TESTS = 33; // the ones that need torch (a small real LM on the CPU)

function runs(python: string, code: string): boolean {
  return spawnSync(python, ['-c', code], { encoding: 'utf8', timeout: 60_000 }).status === 0;
}

function pickInterpreter(): { python: string; torch: boolean } | null {
  const withTorch = CANDIDATES.find((p) => runs(p, 'import torch'));
  if (withTorch) return { python: withTorch, torch: true };
  const any = CANDIDATES.find((p) => runs(p, 'pass'));
  return any ? { python: any, torch: false } : null;
}

describe('integrations/ Python tests (callback, control client, scoring server)', function () {
  this.timeout(300_000);
  const picked = pickInterpreter();

  it('pass, all of them', function () {
    if (!picked) {
      console.log(`      skipped: none of ${CANDIDATES.join(', ')} runs`);
      this.skip();
    }
    if (!picked.torch) console.log(`      note: no interpreter among ${CANDIDATES.join(', ')} has torch; the ${TORCH_TESTS} torch tests skip (apt-get install python3-torch)`);
    const r = spawnSync(picked.python, ['-m', 'unittest', 'discover', '-s', 'integrations', '-p', 'test_*.py', '-v'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 280_000,
    });
    expect(r.status, r.stderr.slice(-4000)).to.equal(0);
    expect(r.stderr).to.match(new RegExp(`^Ran ${TOTAL_TESTS} tests? in `, 'm'));
    if (picked.torch) expect(r.stderr).to.match(/^OK$/m);
    else expect(r.stderr).to.match(new RegExp(`^OK \\(skipped=${TORCH_TESTS}\\)$`, 'm'));
  });

  it('type-check clean with mypy --strict', function () {
    if (!picked || !runs(picked.python, 'import mypy')) {
      console.log('      skipped: mypy is not importable (apt-get install python3-mypy)');
      this.skip();
    }
    const r = spawnSync(picked.python, ['-m', 'mypy', '--config-file', 'mypy.ini', ...pyFiles()], {
      cwd: `${REPO_ROOT}/integrations`,
      encoding: 'utf8',
      timeout: 280_000,
    });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^Success: no issues found in \d+ source files/m);
  });
});

function pyFiles(): string[] {
  const r = spawnSync('git', ['ls-files', '--others', '--cached', '--exclude-standard', '*.py'], { cwd: `${REPO_ROOT}/integrations`, encoding: 'utf8' });
  const files = r.stdout.split('\n').filter((f) => f.endsWith('.py') && !f.includes('/'));
  expect(files.length, 'python files under integrations/').to.be.greaterThan(10);
  return files;
}
