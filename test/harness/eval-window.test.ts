// A request that cannot fit the model's context even with an empty prompt is a user error naming the
// run, the lengths and the context, and a failed eval leaves no run directory behind (issue 15).
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { TINY_BASE_PATH } from '../../model/assets/shipped.js';

describe('eval: requests that cannot fit the model context', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'evalfirst-window-'));
    mkdirSync(join(dir, 'gsm8k'));
    const row = (i: number) => JSON.stringify({ question: `Tom has ${i} apples and buys 2 more. How many now?`, answer: `He has ${i}+2=${i + 2}.\n#### ${i + 2}` });
    writeFileSync(join(dir, 'gsm8k', 'train.jsonl'), [1, 2, 3, 4, 5, 6, 7, 8, 9].map(row).join('\n') + '\n');
    writeFileSync(join(dir, 'gsm8k', 'test.jsonl'), [10, 11, 12].map(row).join('\n') + '\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gsm (max_tokens 400) on the 256-token tiny base: exit 2, the run, the lengths and the context named; no run folder', () => {
    const out = join(dir, 'run');
    const r = runCli(['eval', 'gsm:model=neurips/local,max_eval_instances=2', '--model', TINY_BASE_PATH, '--data-dir', dir, '--out', out, '--no-cache', '--no-progress']);
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stderr).to.match(/run gsm:model=neurips_local\S*: the request cannot fit: max_tokens=400 plus an empty prompt \(\d+ tokens?\) exceeds the 256-token window/);
    expect(r.stderr).to.not.contain('internal error');
    expect(existsSync(out)).to.equal(false);
  });

  it('--max-sequence-length above the model context is refused for an embedded model', () => {
    const r = runCli(['eval', 'gsm:model=neurips/local,max_eval_instances=2', '--model', TINY_BASE_PATH, '--data-dir', dir, '--max-sequence-length', '2048', '--no-cache', '--no-progress', '--out', join(dir, 'run2')]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/--max-sequence-length 2048 exceeds the context of .*tiny-base \(256 tokens\)/);
  });
});
