// `evalfirst eval big_bench:...` reads task.json from --data-dir (the adapter spec depends on it)
// and runs the 0/1/2/3-shot expansion against the scripted server.
import { expect } from 'chai';
import { rmSync, readFileSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from '../../helpers/run-cli.js';
import { startScriptedServer } from '../../helpers/scripted-server.js';
import { writeFixtureDataDir } from './fixtures.js';
import type { ResultsFile } from '../../../core/results-schema.js';

describe('big_bench through the CLI with --data-dir', function () {
  this.timeout(120_000);
  it('runs 4 shot settings of a task.json under --data-dir', async () => {
    const dir = await writeFixtureDataDir();
    const server = await startScriptedServer({ answer: () => ' A' });
    const out = mkdtempSync(join(tmpdir(), 'evalfirst-bb-'));
    try {
      const entry = 'big_bench:model=neurips/local,max_train_instances=big_bench_few_shot_setting,task=fixture_mc,subtask=,max_eval_instances=4';
      const child = spawnCli(['eval', entry, '--server', server.url, '--data-dir', dir, '--out', join(out, 'run'), '--no-cache', '--no-progress'], {
        env: { EVALFIRST_DATA: join(out, 'elsewhere') },
      });
      let log = '';
      child.stdout!.on('data', (d) => (log += d));
      child.stderr!.on('data', (d) => (log += d));
      const status = await new Promise<number | null>((r) => child.on('close', r));
      expect(status, log).to.equal(0);
      const results = JSON.parse(readFileSync(join(out, 'run', 'results.json'), 'utf8')) as ResultsFile;
      expect(results.runs.map((r) => r.adapterSpec.maxTrainInstances)).to.deep.equal([0, 1, 2, 3]);
      // Correct answers cycle over the three keys, "A" is right for a third of them.
      for (const r of results.runs) expect(r.metrics.exact_match.count).to.be.greaterThan(0);
      expect(server.completions()).to.have.length(16);
    } finally {
      await server.close();
      rmSync(out, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    }
  });
});
