// The `demo mix` inputs: a noisy source (the same prompts, answers shuffled among them) and a
// contaminated source whose planted mini test rows the build's decontamination catches, all of them.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDemoMixInputs } from '../../../harness/demo/mix-sources.js';
import { contaminatedRows } from '../../../harness/demo/contamination-report.js';
import { writeMiniData } from '../../../tasks/mini/write-data.js';
import { runCli } from '../../helpers/run-cli.js';
import { TempDir } from '../mix/fixtures.js';

const rows = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { prompt: string; completion: string });

describe('demo mix inputs', function () {
  this.timeout(60_000);
  it('plants test rows that decontamination catches, and shuffles answers in the noisy source', async () => {
    const dir = new TempDir();
    try {
      const files = await writeMiniData(dir.file('mini'));
      const mini = { train: files.find((f) => f.endsWith('train.jsonl'))!, test: files.find((f) => f.endsWith('test.jsonl'))! };
      const a = writeDemoMixInputs(dir.file('in'), mini, 0, 25);
      const b = writeDemoMixInputs(dir.file('in2'), mini, 0, 25);
      expect(readFileSync(a.contaminated)).to.deep.equal(readFileSync(b.contaminated));
      expect(a.manifests.map((m) => m.split('/').pop())).to.deep.equal(['families.yaml', 'families-noisy.yaml', 'families-contaminated.yaml']);
      const noisy = rows(a.noisy);
      const moved = noisy.filter((r, i) => i > 0 && r.completion !== noisy[i - 1].completion).length;
      expect(noisy.every((r) => typeof r.prompt === 'string' && typeof r.completion === 'string')).to.equal(true);
      expect(moved).to.be.greaterThan(noisy.length / 2);
      const built = runCli(['mix', 'build', a.manifests[2], '--out', dir.file('built'), '--quiet']);
      expect(built.status, built.stderr).to.equal(0);
      const caught = contaminatedRows(dir.file('built')).filter((r) => r.source === 'contaminated');
      expect(caught).to.have.length(25);
      expect(new Set(caught.map((c) => c.instance_id)).size).to.equal(25);
      const testIds = new Set(readFileSync(mini.test, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id));
      expect(caught.every((c) => testIds.has(c.instance_id)), 'every caught row names a mini test instance').to.equal(true);
      expect(rows(join(dir.file('built'), 'data.jsonl')).length).to.be.greaterThan(0);
    } finally {
      dir.remove();
    }
  });
});
