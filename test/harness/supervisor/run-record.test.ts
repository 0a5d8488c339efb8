import { expect } from 'chai';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunRecord } from '../../../harness/supervisor/run-record.js';
import type { CheckpointRecord } from '../../../core/train-schema.js';

const checkpoint = (step: number, stop: boolean): CheckpointRecord => ({
  step, path: `/ckpt/checkpoint-${step}`, time_s: step, scores: {}, decision: stop ? { action: 'stop', reason: 'target', detail: 'met' } : { action: 'continue', detail: 'undecided' },
});
const onDisk = (dir: string) => JSON.parse(readFileSync(join(dir, 'train.json'), 'utf8'));

describe('supervisor run record', () => {
  it('writes a stop checkpoint and its stop in one write of train.json (a kill between them cannot split them)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ef-record-'));
    const r = RunRecord.open({ runDir: dir, resume: false, deadlineS: 60, target: 'x >= 1', config: {} }, () => undefined);
    expect(r.recordCheckpoint(checkpoint(1, false))).to.equal(false);
    expect(onDisk(dir).stop).to.equal(null);
    expect(r.recordCheckpoint(checkpoint(2, true))).to.equal(true);
    expect(onDisk(dir).stop).to.include({ reason: 'target', step: 2 });
    expect(onDisk(dir).checkpoints.map((c: CheckpointRecord) => c.step)).to.deep.equal([1, 2]);
    expect(r.recordCheckpoint(checkpoint(3, true))).to.equal(false); // the first stop stays
    expect(onDisk(dir).stop.step).to.equal(2);
  });

  it('keeps the control address in train.json and its token beside it (mode 0600); a resumed record reads them back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ef-record-'));
    const r = RunRecord.open({ runDir: dir, resume: false, deadlineS: 60, target: null, config: {} }, () => undefined);
    expect(r.controlAddress()).to.equal(null);
    r.recordControl('http://127.0.0.1:45678', 45678, 'secret-token');
    expect(onDisk(dir).control).to.deep.equal({ url: 'http://127.0.0.1:45678', port: 45678 });
    expect(readFileSync(join(dir, 'train.json'), 'utf8')).to.not.contain('secret-token');
    expect(statSync(join(dir, 'control.token')).mode & 0o777).to.equal(0o600);
    const said: string[] = [];
    const resumed = RunRecord.open({ runDir: dir, resume: true, deadlineS: 120, target: null, config: { options: { deadline: '2m' } } }, (l) => said.push(l));
    expect(resumed.controlAddress()).to.deep.equal({ port: 45678, token: 'secret-token' });
    expect(said).to.deep.equal(['resume: deadline 2m00s from the start (train.json had 60.0s)']);
    expect(onDisk(dir).deadline_s).to.equal(120);
    expect(onDisk(dir).config.options).to.deep.equal({ deadline: '2m' });
  });
});
