// `evalfirst train`'s scoring flags: which checks happen before anything starts.
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { scoringModeOf } from '../../harness/commands/train.js';

const ENTRY = 'mini_mmlu:subject=geography,max_eval_instances=4';

describe('evalfirst train scoring flags', function () {
  this.timeout(60_000);
  const out = () => join(mkdtempSync(join(tmpdir(), 'ef-flags-')), 'run');

  it('--score-with server without --base or --server: exit 2, saying the final evaluation needs the base', () => {
    const r = runCli(['train', ENTRY, '--trainer', 'true', '--score-with', 'server', '--out', out()]);
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stderr).to.match(/an earlier checkpoint, and --baseline are scored from their saved checkpoint, which needs --base DIR .*or pass --no-final-eval/);
  });

  it('--scoring-mode async with --score-with server: exit 2 (the serving_url exists only while the trainer waits)', () => {
    const r = runCli(['train', ENTRY, '--trainer', 'true', '--score-with', 'server', '--scoring-mode', 'async', '--no-final-eval', '--out', out()]);
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stderr).to.match(/--scoring-mode async scores beside training, but --score-with server scores at the trainer's serving_url/);
  });

  it('pause by default, async by default for a vLLM fleet', () => {
    expect(scoringModeOf({ scoreWith: 'server' })).to.equal('pause');
    expect(scoringModeOf({ scoreWith: 'embedded' })).to.equal('pause');
    expect(scoringModeOf({ scoreWith: 'openai-lora', server: 'http://a,http://b' })).to.equal('async');
    expect(scoringModeOf({ scoreWith: 'openai-lora', scoringMode: 'pause' })).to.equal('pause');
  });
});
