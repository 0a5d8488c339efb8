import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upgradeTrainState, withPooledName, type TaskScore, type TrainState } from '../../core/train-schema.js';
import { loadState } from '../../harness/supervisor/state.js';
import { readTrainFile } from '../../reports/html/train-file.js';

const s = (mean: number): TaskScore => ({ mean, ci_low: mean - 0.1, ci_high: mean + 0.1, n: 20 });

/** A train.json as the supervisor wrote it before the aggregate was renamed: `mean` beside the groups. */
function oldTrainJson(): Partial<TrainState> {
  return {
    version: 1,
    startedAt: '2026-11-28T10:00:00Z',
    deadline_s: 600,
    target: 'mean >= 0.5',
    config: {},
    checkpoints: [
      { step: 100, path: '/c/100', time_s: 10, scores: { a: s(0.2), mean: s(0.25) }, decision: { action: 'continue', detail: '' } },
      { step: 200, path: '/c/200', time_s: 20, scores: { a: s(0.6), mean: s(0.55) }, decision: { action: 'stop', reason: 'target', detail: '' }, full_suite: { scores: { a: s(0.61), mean: s(0.56) }, eval_s: 3 } },
    ],
    stop: { reason: 'target', step: 200, time_s: 21, detail: '' },
    best: { step: 200, path: '/c/200', scores: { a: s(0.61), mean: s(0.56) }, full_eval: true },
    baseline: { step: 0, path: '/base', scores: { a: s(0.1), mean: s(0.12) }, eval_s: 2 },
    timing: { full_eval_s: 3, seconds_per_request: 0.1, full_request_count: 30, checkpoint_save_s: 0 },
    trainer: null,
  };
}

describe('train.json schema: the pooled aggregate', () => {
  it('renames an older file\'s `mean` to `pooled` in every score table, values unchanged', () => {
    const up = upgradeTrainState(oldTrainJson());
    expect(up.checkpoints!.map((c) => Object.keys(c.scores))).to.deep.equal([['a', 'pooled'], ['a', 'pooled']]);
    expect(up.checkpoints![1].full_suite!.scores.pooled).to.deep.equal(s(0.56));
    expect(up.best!.scores!.pooled).to.deep.equal(s(0.56));
    expect(up.baseline!.scores.pooled).to.deep.equal(s(0.12));
    expect(JSON.stringify(up)).to.not.match(/"mean":\{/);
  });

  it('leaves a file that already says `pooled` alone (a group that happens to be named `mean` then stays a group)', () => {
    const scores = { mean: s(0.3), pooled: s(0.4) };
    expect(withPooledName(scores)).to.equal(scores);
  });

  it('is read that way by `train --resume` (loadState) and by the report (readTrainFile)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ef-schema-'));
    writeFileSync(join(dir, 'train.json'), JSON.stringify(oldTrainJson()));
    expect(loadState(dir).checkpoints[0].scores).to.have.keys('a', 'pooled');
    const report = readTrainFile(dir)!;
    expect(report.best!.scores).to.have.keys('a', 'pooled');
    expect(report.baseline!.scores.pooled.mean).to.equal(0.12);
  });
});
