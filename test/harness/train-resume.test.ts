// kill -9 of the supervisor under `evalfirst train` with the built-in trainer (`evalfirst finetune`):
// while it scores a checkpoint the trainer is blocked on (the trainer outlives it, retries, and is
// adopted), and together with the trainer's whole group (the trainer is started again and continues
// from its last complete checkpoint). Either way `train --resume` reaches the result of a run that
// was never interrupted: the same checkpoints, decisions, stop and best, and bit-identical weights.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { runCliAsync, spawnCli } from '../helpers/run-cli.js';
import { REPO_ROOT } from '../helpers/shared-data.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { FIXTURE_ROWS, writeJsonl, writeTinyBase } from '../model/train/fixture.js';
import type { TrainState } from '../../core/train-schema.js';

const ENTRY = 'mini_mmlu:subject=geography,max_eval_instances=12';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const q = (s: string) => `'${s}'`;

function readState(runDir: string): TrainState | null {
  try {
    return JSON.parse(readFileSync(join(runDir, 'train.json'), 'utf8')) as TrainState;
  } catch {
    return null;
  }
}

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const decisionsLog = (runDir: string) => (existsSync(join(runDir, 'decisions.log')) ? readFileSync(join(runDir, 'decisions.log'), 'utf8') : '');
const exited = (child: ChildProcess) => new Promise((r) => child.once('exit', r));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** What must be the same between an interrupted and an uninterrupted run. */
function outcome(state: TrainState) {
  return {
    checkpoints: state.checkpoints.map((c) => ({ step: c.step, action: c.decision.action, reason: c.decision.reason, scores: c.scores })),
    stop: { reason: state.stop?.reason, step: state.stop?.step },
    best: state.best?.step,
  };
}

describe('evalfirst train --resume after kill -9 of the supervisor (built-in trainer)', function () {
  this.timeout(180_000);
  let root: string;
  let base: string;
  let data: string;
  let fast: ScriptedServer;
  let slow: ScriptedServer;
  let reference: { state: TrainState; adapter: Buffer };

  const trainerFor = (runDir: string) =>
    [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'harness', 'cli.ts'), 'finetune', '--base', base, '--data', data, '--out', join(runDir, 'ckpt'),
      '--max-steps', '40', '--checkpoint-every', '10', '--batch-size', '2', '--lr', '0.01', '--lora-r', '4', '--lora-alpha', '8', '--seed', '3'].map(q).join(' ');
  const trainArgs = (runDir: string, server: ScriptedServer) =>
    ['train', ENTRY, '--trainer', trainerFor(runDir), '--out', runDir, '--server', server.url, '--no-adaptive', '--max-steps', '30', '--concurrency', '1', '--grace', '10s', '--no-report'];
  const env = { EVALFIRST_CONTROL_RETRY_S: '120' };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ef-train-resume-'));
    base = join(root, 'base');
    writeTinyBase(base);
    data = join(root, 'train.jsonl');
    writeJsonl(data, FIXTURE_ROWS);
    fast = await startScriptedServer({ answer: () => 'A' });
    slow = await startScriptedServer({ answer: () => 'A', delayMs: 150 }); // 12 requests one at a time: ~2 s per checkpoint
    const runDir = join(root, 'reference');
    const r = await runCliAsync(trainArgs(runDir, fast), { env });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    reference = { state: readState(runDir) as TrainState, adapter: readFileSync(join(runDir, 'ckpt', 'checkpoint-30', 'adapter_model.safetensors')) };
    expect(outcome(reference.state).checkpoints.map((c) => c.step)).to.deep.equal([10, 20, 30]);
    expect(reference.state.stop?.reason).to.equal('max_steps');
  });
  after(async () => Promise.all([fast?.close(), slow?.close()]));

  it('killed while scoring: the trainer waits for it, a resumed supervisor on the same address adopts it, same result', async () => {
    const runDir = join(root, 'while-scoring');
    const child = spawnCli(trainArgs(runDir, slow), { env });
    await until('scoring of step 20', () => /checkpoint step 20 at [\d.]+s: scoring/.test(decisionsLog(runDir)));
    await sleep(400);
    child.kill('SIGKILL');
    await exited(child);
    const before = readState(runDir) as TrainState;
    expect(before.checkpoints.map((c) => c.step), 'killed before step 20 was recorded').to.deep.equal([10]);
    const trainerPid = before.trainer?.pid as number;
    await sleep(1500);
    expect(alive(trainerPid), 'the trainer outlives the supervisor').to.equal(true);

    const r = await runCliAsync(['train', '--resume', runDir], { env });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.contain(`trainer pid ${trainerPid} is still running; adopting it`);
    const state = readState(runDir) as TrainState;
    expect(outcome(state)).to.deep.equal(outcome(reference.state));
    expect(state.trainer?.pid).to.equal(trainerPid);
    expect(state.control?.url).to.equal(before.control?.url); // the same address: the trainer's retry reached it
    const trainerLog = readFileSync(join(runDir, 'trainer.stdout.log'), 'utf8');
    expect(trainerLog).to.match(/supervisor unreachable \(ECONNREFUSED/);
    expect(trainerLog.match(/^checkpoint 20:/gm)).to.have.length(1); // reported once, delivered after the retries
    expect(readFileSync(join(runDir, 'ckpt', 'checkpoint-30', 'adapter_model.safetensors')).equals(reference.adapter)).to.equal(true);
    expect(alive(trainerPid)).to.equal(false);
  });

  it('killed with the trainer: the trainer is started again and continues from its last complete checkpoint, rewriting none', async () => {
    const runDir = join(root, 'with-trainer');
    const child = spawnCli(trainArgs(runDir, fast), { env });
    await until('checkpoint 10 recorded', () => (readState(runDir)?.checkpoints.length ?? 0) >= 1);
    const pid = readState(runDir)?.trainer?.pid as number;
    child.kill('SIGKILL');
    process.kill(-pid, 'SIGKILL'); // the trainer's whole process group
    await exited(child);
    await until('the trainer gone', () => !alive(pid));
    const ckptDir = join(runDir, 'ckpt');
    const onDisk = new Map(readdirSync(ckptDir).filter((n) => n.startsWith('checkpoint-')).map((n) => {
      const st = statSync(join(ckptDir, n, 'adapter_model.safetensors'));
      return [n, `${st.ino}:${st.mtimeMs}`];
    }));
    expect(onDisk.size).to.be.at.least(1);

    const r = await runCliAsync(['train', '--resume', runDir], { env });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/trainer started again with EVALFIRST_RESUME=1/);
    const trainerLog = readFileSync(join(runDir, 'trainer.stdout.log'), 'utf8');
    const resumed = /resume: continuing from .*checkpoint-(\d+)/.exec(trainerLog);
    expect(resumed, trainerLog).to.not.equal(null);
    const last = Math.max(...[...onDisk.keys()].map((n) => Number(n.slice('checkpoint-'.length))));
    expect(Number(resumed![1])).to.equal(last); // no step before the last checkpoint is trained twice
    const state = readState(runDir) as TrainState;
    expect(outcome(state)).to.deep.equal(outcome(reference.state));
    for (const [n, id] of onDisk) {
      const st = statSync(join(ckptDir, n, 'adapter_model.safetensors'));
      expect(`${st.ino}:${st.mtimeMs}`, `${n} rewritten`).to.equal(id);
    }
    expect(readFileSync(join(ckptDir, 'checkpoint-30', 'adapter_model.safetensors')).equals(reference.adapter)).to.equal(true);
  });
});
