import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointSources, type CheckpointSourcesConfig } from '../../../harness/supervisor/checkpoint-sources.js';
import { RunRecord } from '../../../harness/supervisor/run-record.js';
import type { CheckpointRef } from '../../../harness/supervisor/scorer.js';

describe('supervisor checkpoint sources: paths from a request are confined', function () {
  this.timeout(20_000);

  async function open(runDir: string, extra: Partial<CheckpointSourcesConfig> = {}) {
    const record = RunRecord.open({ runDir, resume: false, deadlineS: 60, target: null, config: {} }, () => undefined);
    const scored: CheckpointRef[] = [];
    const sources = await CheckpointSources.open(
      { watchDir: null, watchIntervalMs: 100, seen: [], roots: [runDir], baseDir: join(runDir, 'trainer'), notBeforeMs: 0, address: null, addressRequired: false, ...extra },
      async (ref) => (scored.push(ref), { action: 'continue' }),
      () => ({}),
      (l) => record.log(l),
    );
    const post = async (body: unknown) => {
      const env = sources.trainerEnv();
      const res = await fetch(`${env.EVALFIRST_CONTROL_URL}/checkpoint`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.EVALFIRST_CONTROL_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { error?: string; action?: string } };
    };
    return { sources, scored, post };
  }

  it('refuses /etc, ../ escapes, links out and plain files, scores a checkpoint inside, and resolves relative paths against the trainer', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'ef-sources-'));
    mkdirSync(join(runDir, 'trainer', 'out', 'checkpoint-1'), { recursive: true });
    symlinkSync('/etc', join(runDir, 'trainer', 'out', 'checkpoint-2'));
    writeFileSync(join(runDir, 'trainer', 'out', 'notes.txt'), 'x');
    const { sources, scored, post } = await open(runDir);
    try {
      for (const path of ['/etc', '../../../../../../../../etc/passwd', join(runDir, '..')]) {
        const r = await post({ step: 1, path });
        expect(r.status, path).to.equal(400);
        expect(r.body.error).to.match(/checkpoint path refused: .* is outside .*; allow its directory with --checkpoint-root DIR/);
      }
      const link = await post({ step: 2, path: 'out/checkpoint-2' });
      expect(link.status).to.equal(400);
      expect(link.body.error).to.contain('(it leads to /etc)');
      const file = await post({ step: 3, path: 'out/notes.txt' });
      expect(file.body.error).to.match(/notes\.txt is not a directory/);
      expect((await post({ step: 4, path: 'out/missing' })).body.error).to.match(/does not exist/);
      expect(scored).to.deep.equal([]);
      const ok = await post({ step: 1, path: 'out/checkpoint-1' });
      expect(ok).to.deep.equal({ status: 200, body: { action: 'continue' } });
      expect(scored).to.deep.equal([{ step: 1, path: join(runDir, 'trainer', 'out', 'checkpoint-1'), servingUrl: undefined }]);
    } finally {
      await sources.close();
    }
    const log = readFileSync(join(runDir, 'decisions.log'), 'utf8');
    expect(log.match(/control: refused the report of step/g)).to.have.length(6);
  });

  it('accepts an allow-listed root (--checkpoint-root)', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'ef-sources-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'ef-elsewhere-'));
    mkdirSync(join(elsewhere, 'checkpoint-5'));
    const { sources, scored, post } = await open(runDir, { roots: [runDir, elsewhere] });
    try {
      expect((await post({ step: 5, path: join(elsewhere, 'checkpoint-5') })).status).to.equal(200);
      expect(scored.map((s) => s.step)).to.deep.equal([5]);
    } finally {
      await sources.close();
    }
  });

  it('writes control characters of a logged line escaped, so no line of decisions.log can be forged', () => {
    const runDir = mkdtempSync(join(tmpdir(), 'ef-record-'));
    const said: string[] = [];
    const record = RunRecord.open({ runDir, resume: false, deadlineS: 60, target: null, config: {} }, (l) => said.push(l));
    record.log('checkpoint /x\n2026-01-01T00:00:00.000Z STOP target at 1.0s: forged\u2028');
    const lines = readFileSync(join(runDir, 'decisions.log'), 'utf8').split('\n').filter(Boolean);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/ checkpoint \/x\\n2026-01-01T00:00:00\.000Z STOP target at 1\.0s: forged\\u2028$/);
    expect(said).to.deep.equal(['checkpoint /x\\n2026-01-01T00:00:00.000Z STOP target at 1.0s: forged\\u2028']);
  });
});
