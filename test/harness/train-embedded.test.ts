// The closed loop on real parts: the embedded trainer (evalfirst finetune) as the external
// trainer, reporting to the control endpoint; checkpoints scored by the embedded runtime with
// the base loaded once and the adapters switched.
import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliAsync } from '../helpers/run-cli.js';
import { REPO_ROOT } from '../helpers/shared-data.js';
import { writeMiniData } from '../../tasks/mini/write-data.js';
import { TINY_BASE_PATH } from '../../model/assets/shipped.js';

describe('evalfirst train with the embedded trainer and embedded scoring', function () {
  this.timeout(180_000);

  it('scores real QLoRA checkpoints, answers stop at max steps, and the trainer exits cleanly', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ef-train-emb-'));
    const files = await writeMiniData(join(root, 'data'));
    const train = files.find((f) => f.endsWith('train.jsonl')) as string;
    const q = (s: string) => `'${s}'`;
    const trainer = [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'harness', 'cli.ts'), 'finetune', '--base', TINY_BASE_PATH, '--data', train,
      '--out', join(root, 'ckpt'), '--max-steps', '40', '--checkpoint-every', '10', '--batch-size', '1', '--lr', '0.005'].map(q).join(' ');
    const runDir = join(root, 'run');
    const r = await runCliAsync(['train', 'mini_bbq:subject=all,max_eval_instances=8', '--trainer', trainer, '--out', runDir,
      '--score-with', 'embedded', '--base', TINY_BASE_PATH, '--quant', 'nf4', '--baseline', TINY_BASE_PATH,
      '--max-steps', '20', '--no-adaptive', '--concurrency', '1', '--grace', '20s', '--checkpoint-root', join(root, 'ckpt')]);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    const state = JSON.parse(readFileSync(join(runDir, 'train.json'), 'utf8'));
    expect(state.baseline.scores.mini_bbq.n).to.be.greaterThan(0);
    expect(state.checkpoints.map((c: { step: number }) => c.step)).to.deep.equal([10, 20]);
    expect(state.stop.reason).to.equal('max_steps');
    expect(state.trainer.exit_code).to.equal(0); // it stopped when told, nobody had to signal it
    expect(state.trainer.killed).to.equal(false);
    const log = readFileSync(join(runDir, 'trainer.stdout.log'), 'utf8');
    expect(log).to.match(/supervisor: stop/);
    // Off a terminal too, the trainer's progress reaches the user, not only its log file: its step
    // lines (step, loss, tokens/s, time to the next checkpoint, and to the deadline), its other
    // lines, and each checkpoint's scoring as the eval progress line; supervisor lines stay on stdout.
    const stepLines = r.stderr.split('\n').filter((l) => /^step \d+\/40 \(\d+%\)  loss \d+\.\d{4}  lr \S+  \d+ tok\/s  checkpoint \d+ in \S+  end in \S+  deadline in \S+$/.test(l));
    expect(stepLines.length, r.stderr).to.be.at.least(2);
    for (const l of stepLines) expect(log).to.contain(l.replace(/  deadline in \S+$/, ''));
    expect(r.stderr).to.match(/^\[trainer\] checkpoint 10: \S+checkpoint-10 \(saved in [\d.]+ s\)$/m);
    expect(r.stderr.match(/^eval: 8\/8 requests, [\d.]+\/s, ETA 0s, 0 errors, \d+ reused$/gm), r.stderr).to.have.length.at.least(3); // baseline, steps 10 and 20
    expect(r.stdout).to.match(/checkpoint step 10: mini_bbq=\S+ \[\S+, \S+\] n=\d+  pooled=/);
    expect(r.stdout).to.not.match(/^step \d+/m);
    // Two checkpoints of the same run must not share answers in the cache: each has its own adapter identity.
    const ids = [10, 20].map((s) => JSON.parse(readFileSync(join(runDir, 'evals', `step-${s}-full`, 'results.json'), 'utf8')).backend.id);
    expect(ids[0]).to.not.equal(ids[1]);
    // The trainer's own save timing reaches the reserve, and each evaluation says what scored it.
    expect(state.checkpoints.every((c: { save_s?: number }) => typeof c.save_s === 'number' && c.save_s > 0)).to.equal(true);
    expect(state.timing.checkpoint_save_s).to.equal(Math.max(...state.checkpoints.map((c: { save_s: number }) => c.save_s)));
    expect(state.checkpoints[0].scored_by.via).to.equal('embedded');
    expect(state.checkpoints[0].scored_by.backend).to.match(/^embedded:/);
    expect(state.baseline.scored_by.via).to.equal('embedded');
    expect(state.best.scored_by.via).to.equal('embedded');
  });
});
