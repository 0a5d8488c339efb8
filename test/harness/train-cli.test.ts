import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliAsync, spawnCli } from '../helpers/run-cli.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';

const TRAINER = fileURLToPath(new URL('../fixtures/supervisor/scripted-trainer.mjs', import.meta.url));
const ENTRY = 'mini_mmlu:subject=geography,max_eval_instances=12';

const scored = (runDir: string): number => (existsSync(join(runDir, 'train.json')) ? JSON.parse(readFileSync(join(runDir, 'train.json'), 'utf8')).checkpoints.length : 0);

/** Runs `train`, kills it with SIGKILL once `n` checkpoints are scored; how many were by then. */
async function killOnceScored(args: string[], runDir: string, n: number): Promise<number> {
  const child = spawnCli(args);
  const t0 = Date.now();
  while (scored(runDir) < n && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return scored(runDir);
}

describe('evalfirst train (CLI)', function () {
  this.timeout(120_000);
  let server: ScriptedServer;
  before(async () => {
    server = await startScriptedServer({ answer: () => 'A' });
  });
  after(async () => server.close());

  it("scores each checkpoint of a watched directory, writes train.json, and exits by the rule", async () => {
    const root = mkdtempSync(join(tmpdir(), 'ef-train-'));
    const out = join(root, 'ckpt');
    const trainer = `${JSON.stringify(process.execPath)} ${JSON.stringify(TRAINER)} --out ${JSON.stringify(out)} --steps 3 --interval-ms 200`;
    const r = await runCliAsync(['train', ENTRY, '--trainer', trainer, '--watch', out, '--out', join(root, 'run'), '--server', server.url, '--no-adaptive', '--grace', '2s', '--no-report']);
    expect(r.status, r.stderr + r.stdout).to.equal(0);
    const state = JSON.parse(readFileSync(join(root, 'run', 'train.json'), 'utf8'));
    expect(state.checkpoints.map((c: { step: number }) => c.step)).to.deep.equal([1, 2, 3]);
    expect(state.stop.reason).to.equal('trainer_exit');
    expect(state.checkpoints[0].scores['mini_mmlu'].n).to.be.within(1, 12); // the main (test) split of the 12 selected
    expect(state.best.step).to.be.oneOf([1, 2, 3]);
  });

  it('continues after kill -9 with --resume without re-scoring finished checkpoints', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ef-train-'));
    const out = join(root, 'ckpt');
    const runDir = join(root, 'run');
    const trainer = `${JSON.stringify(process.execPath)} ${JSON.stringify(TRAINER)} --out ${JSON.stringify(out)} --steps 6 --interval-ms 700`;
    const args = ['train', ENTRY, '--trainer', trainer, '--watch', out, '--out', runDir, '--server', server.url, '--no-adaptive', '--grace', '2s', '--no-report'];
    const before = await killOnceScored(args, runDir, 2);
    expect(before).to.be.at.least(2);
    const r = await runCliAsync(['train', '--resume', runDir]);
    expect(r.status, r.stderr + r.stdout).to.equal(0);
    expect(r.stdout).to.match(/adopting it|trainer started/);
    const state = JSON.parse(readFileSync(join(runDir, 'train.json'), 'utf8'));
    // An adopted trainer that finishes is the stop (its exit status is not ours to read).
    expect(state.stop.reason).to.equal('trainer_exit');
    // The control address and token are kept for the next resume; the token readable by the owner only.
    expect(state.control.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(statSync(join(runDir, 'control.token')).mode & 0o777).to.equal(0o600);
    expect(readFileSync(join(runDir, 'train.json'), 'utf8')).to.not.contain(readFileSync(join(runDir, 'control.token'), 'utf8').trim());
    const steps: number[] = state.checkpoints.map((c: { step: number }) => c.step);
    expect(steps).to.deep.equal([...new Set(steps)].sort((a, b) => a - b)); // each once, in order
    expect(steps).to.include.members([1, 2, 3, 4, 5, 6]);
    const scoringLines = readFileSync(join(runDir, 'decisions.log'), 'utf8').split('\n').filter((l) => /: scoring \(/.test(l));
    const perStep = new Map<string, number>();
    for (const l of scoringLines) {
      const step = /checkpoint step (\d+)/.exec(l)?.[1] as string;
      perStep.set(step, (perStep.get(step) ?? 0) + 1);
    }
    for (const [step, n] of perStep) expect(n, `step ${step} scored ${n} times`).to.equal(1);
  });

  it('restores every flag from train.json on --resume (--no-adaptive, --no-final-eval, --no-report); a flag given wins and is said', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ef-train-'));
    const out = join(root, 'ckpt');
    const runDir = join(root, 'run');
    const trainer = `${JSON.stringify(process.execPath)} ${JSON.stringify(TRAINER)} --out ${JSON.stringify(out)} --steps 5 --interval-ms 600`;
    const args = ['train', ENTRY, '--trainer', trainer, '--watch', out, '--out', runDir, '--server', server.url, '--target', 'mini_mmlu >= 0.99',
      '--no-adaptive', '--no-final-eval', '--no-report', '--deadline', '5m', '--grace', '2s'];
    await killOnceScored(args, runDir, 1);
    const r = await runCliAsync(['train', '--resume', runDir, '--deadline', '10m']);
    expect(r.status, r.stderr + r.stdout).to.equal(1); // the target is never met
    expect(r.stdout).to.contain('resume: --deadline "10m" given, in place of "5m" from train.json');
    expect(r.stdout).to.not.match(/--adaptive|--final-eval|--report/); // restored, not overridden
    const state = JSON.parse(readFileSync(join(runDir, 'train.json'), 'utf8'));
    expect(state.checkpoints.length).to.be.at.least(3);
    for (const c of state.checkpoints) expect(c.full_eval, `step ${c.step}`).to.equal(true); // --no-adaptive held
    expect(readFileSync(join(runDir, 'decisions.log'), 'utf8')).to.not.contain('final evaluation'); // --no-final-eval held
    expect(existsSync(join(runDir, 'report.html'))).to.equal(false); // --no-report held
    expect(state.deadline_s).to.equal(600);
    expect(state.config.options).to.include({ adaptive: false, finalEval: false, report: false, deadline: '10m' });
  });

  it('refuses a target naming a task the suite does not score, before training starts', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ef-train-'));
    const r = await runCliAsync(['train', '--suite', 'mini', '--target', 'mmlu >= 0.62 && mini_bbq >= 0.5', '--trainer', 'touch started', '--trainer-cwd', root, '--out', join(root, 'run'), '--server', server.url]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/--target names "mmlu", which suite mini does not score; its tasks: mini_mmlu, mini_truthful_qa, mini_bbq, mini_gsm, pooled \(the aggregate; alias mean\)/);
    expect(existsSync(join(root, 'started'))).to.equal(false);
    expect(existsSync(join(root, 'run'))).to.equal(false);
  });
});
