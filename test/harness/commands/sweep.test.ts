// `evalfirst sweep`: grid parsing and its errors, the embedded arm settings, input errors of the
// command, a short real sweep over the shipped tiny base (embedded trainer, harness scoring, final
// evaluation, sweep.json and sweep.html), and template trainers: a crashed arm, --parallel's
// CUDA_VISIBLE_DEVICES per worker, and --launcher wrapping.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGrid, gridFromText, armsFromFile } from '../../../harness/sweep/grid-spec.js';
import { armSettings } from '../../../harness/sweep/embedded-trainer.js';
import { workerGpus } from '../../../harness/commands/sweep.js';
import type { SweepReport } from '../../../harness/sweep/sweep-report.js';
import { renderSweepPage } from '../../../reports/html/sweep-page.js';
import { writeMiniData } from '../../../tasks/mini/write-data.js';
import { TINY_BASE_PATH } from '../../../model/assets/shipped.js';
import { runCli, runCliAsync } from '../../helpers/run-cli.js';
import { REPO_ROOT } from '../../helpers/shared-data.js';
import { TempDir } from '../mix/fixtures.js';

const FAKE = join(REPO_ROOT, 'test', 'fixtures', 'sweep', 'fake-trainer.mjs');
const q = (s: string) => `'${s}'`;

describe('sweep: grid and arms', () => {
  it('parses a grid into typed axes, every combination with stable ids', () => {
    expect(parseGrid('r=8,16 alpha=16,32 lr=1e-3,3e-3 dropout=0,0.05 target=q_proj+v_proj,all rslora=true,false')).to.deep.equal({
      r: [8, 16],
      alpha: [16, 32],
      lr: [0.001, 0.003],
      dropout: [0, 0.05],
      target: ['q_proj+v_proj', 'all'],
      rslora: [true, false],
    });
    const arms = gridFromText('r=8,16 lr=1e-3,3e-3,1e-2');
    expect(arms.map((a) => a.id)).to.deep.equal(['arm-00', 'arm-01', 'arm-02', 'arm-03', 'arm-04', 'arm-05']);
    expect(arms[4].params).to.deep.equal({ r: 16, lr: 0.003 });
  });

  it('refuses malformed grids, naming the axis', () => {
    expect(() => parseGrid('')).to.throw(/--grid: empty/);
    expect(() => parseGrid('r8,16')).to.throw(/"r8,16" is not KEY=V1,V2/);
    expect(() => parseGrid('r=8 r=16')).to.throw(/"r" is given twice/);
    expect(() => parseGrid('r=8,,16')).to.throw(/"r=8,,16" has an empty value/);
    expect(() => parseGrid('r=8,8')).to.throw(/"r" repeats a value/);
    expect(() => parseGrid('lo-ra=1')).to.throw(/"lo-ra" is not a key/);
  });

  it('reads an arms file (YAML or JSON) and refuses bad ones', () => {
    const dir = new TempDir();
    try {
      const y = dir.write('arms.yaml', '- {r: 8, lr: 0.001, target: [q_proj, v_proj]}\n- {r: 16, lr: 0.003}\n');
      expect(armsFromFile(y).map((a) => a.params)).to.deep.equal([{ r: 8, lr: 0.001, target: 'q_proj+v_proj' }, { r: 16, lr: 0.003 }]);
      expect(armsFromFile(dir.write('a.json', JSON.stringify({ arms: [{ r: 4 }, { r: 8 }] }))).map((a) => a.id)).to.deep.equal(['arm-00', 'arm-01']);
      expect(() => armsFromFile(dir.write('dup.json', '[{"r": 4}, {"r": 4}]'))).to.throw(/configuration 1 repeats configuration 0/);
      expect(() => armsFromFile(dir.write('obj.json', '{"r": 4}'))).to.throw(/expected a list of arms/);
      expect(() => armsFromFile(dir.write('nest.json', '[{"r": {"x": 1}}]'))).to.throw(/arm 0: "r" must be a number, boolean or string/);
      expect(() => armsFromFile(dir.file('missing.json'))).to.throw(/--arms .*missing.json/);
    } finally {
      dir.remove();
    }
  });

  it('maps grid keys to the embedded trainer\'s settings; an unknown key is an error naming it', () => {
    expect(armSettings({ r: 8, alpha: 16, lr: 0.001, dropout: 0.05, target: 'q_proj+v_proj', rslora: true })).to.deep.equal({ loraR: 8, loraAlpha: 16, lr: 0.001, loraDropout: 0.05, targetModules: ['q_proj', 'v_proj'], useRslora: true });
    expect(armSettings({ target: 'all' }).targetModules).to.have.length(7);
    expect(() => armSettings({ beta: 2 })).to.throw(/"beta" is not a trainer setting/);
    expect(() => armSettings({ target: 'q_proj+w_proj' })).to.throw(/unknown projection w_proj/);
    expect(() => armSettings({ lr: 'fast' })).to.throw(/"lr" must be a number/);
  });

  it('gives workers GPUs 0..N-1 or --gpus, and refuses a mismatch', () => {
    expect(workerGpus(3, undefined)).to.deep.equal(['0', '1', '2']);
    expect(workerGpus(2, '4,6')).to.deep.equal(['4', '6']);
    expect(workerGpus(undefined, undefined)).to.equal(null);
    expect(() => workerGpus(3, '0,1')).to.throw(/--gpus lists 2 GPU\(s\), --parallel asks for 3/);
  });
});

describe('sweep command', function () {
  this.timeout(120_000);
  let dir: TempDir;
  let train: string;
  let adapter: string;
  before(async function () {
    dir = new TempDir();
    const files = await writeMiniData(dir.file('mini'));
    train = files.find((f) => f.endsWith('train.jsonl'))!;
    // One real adapter that the fake template trainer hands out at every step.
    adapter = dir.file('ready');
    const ft = runCli(['finetune', '--base', TINY_BASE_PATH, '--data', train, '--out', adapter, '--max-steps', '4', '--checkpoint-every', '4', '--batch-size', '2']);
    expect(ft.status, ft.stderr).to.equal(0);
    adapter = join(adapter, 'checkpoint-4');
  });
  after(() => dir.remove());

  const fake = (log: string, extra = '') => `node ${q(FAKE)} --out {out} --steps {steps} --name {name} --adapter ${q(adapter)} --log ${q(log)} ${extra}`;

  it('refuses bad input with exit 2, naming what is wrong', () => {
    const base = ['sweep', '--data', train, '--out', dir.file('bad')];
    const cases: [string[], RegExp][] = [
      [['--grid', 'beta=1,2'], /"beta" is not a trainer setting/],
      [[], /exactly one of --grid .* and --arms/],
      [['--grid', 'r=4,8', '--trainer-template', 'python train.py --data {data} --r {r}'], /the template has no \{out\}/],
      [['--grid', 'r=4,8', '--trainer-template', 'train --out {out} --r {r} --lr {lr}'], /unknown placeholder \{lr\}/],
      [['--grid', 'r=4,8 lr=1,2', '--trainer-template', 'train --out {out} --r {r}'], /grid key "lr" is not used by --trainer-template/],
      [['--grid', 'r=4,8', '--parallel', '2'], /--parallel\/--gpus needs --trainer-template/],
      [['--grid', 'r=4,8', '--trainer-template', 'train --out {out} --r {r}', '--launcher', 'srun'], /--launcher: the template has no \{cmd\}/],
      [['--grid', 'r=4,8', '--max-steps', '25'], /--max-steps 25 must be a multiple of --checkpoint-every 10/],
      [['--grid', 'r=4'], /1 arm\(s\); a sweep needs at least two/],
    ];
    for (const [args, re] of cases) {
      const r = runCli([...base, ...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stderr).to.match(re);
    }
  });

  it('runs a short real sweep on the tiny base: halving, final full evaluation, sweep.json and sweep.html', async () => {
    const out = dir.file('real');
    const r = await runCliAsync(['sweep', '--data', train, '--grid', 'lr=1e-3,1e-2 target=q_proj+v_proj,all', '--max-steps', '20', '--checkpoint-every', '10', '--eta', '2', '--limit', '3', '--batch-size', '2', '--deadline', '5m', '--out', out, '--quiet']);
    expect(r.status, r.stderr).to.equal(0);
    const rep = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as SweepReport;
    expect(rep.format).to.equal('evalfirst-sweep/1');
    expect(rep.mode).to.equal('halving');
    expect(rep.rule).to.equal('extrapolate');
    expect(rep.arms.map((a) => a.label)).to.deep.equal(['lr=0.001,target=q_proj+v_proj', 'lr=0.001,target=all', 'lr=0.01,target=q_proj+v_proj', 'lr=0.01,target=all']);
    expect(rep.rungs.map((g) => [g.step, g.arms, g.keep])).to.deep.equal([
      [10, 4, 2],
      [20, 2, 1],
    ]);
    for (const a of rep.arms) {
      expect(a.looks.length).to.be.greaterThan(0);
      for (const l of a.looks) expect(l.low <= l.mean && l.mean <= l.high && l.n > 0, JSON.stringify(l)).to.equal(true);
      expect(existsSync(a.checkpoint!), `${a.id}'s checkpoint is kept`).to.equal(true);
    }
    expect(rep.arms.filter((a) => a.step === 20)).to.have.length(2);
    expect(rep.arms.filter((a) => a.status === 'stopped' && a.stopped!.reason === 'budget')).to.have.length(2);
    expect(rep.arms.filter((a) => a.status === 'winner').map((a) => a.id)).to.deep.equal([rep.winner]);
    expect(rep.decisions.filter((d) => d.rung === 0)).to.have.length(4);
    for (const d of rep.decisions) expect(d.detail).to.be.a('string').and.not.equal('');
    expect(rep.compute.steps).to.equal(4 * 10 + 2 * 10);
    expect(rep.compute.grid_steps).to.equal(80);
    expect(rep.reserve_s).to.be.greaterThan(0);
    const fe = rep.final_evaluation!;
    expect(fe.arm).to.equal(rep.winner);
    expect(fe.score.n).to.be.greaterThan(rep.arms[0].looks[0].n); // the full suite, not the limit
    expect(fe.base!.n).to.equal(fe.score.n);
    expect(fe.vs_base!.low).to.be.at.most(fe.vs_base!.delta);
    expect(rep.ranking!.order.map((o) => o.name).sort()).to.deep.equal(rep.arms.filter((a) => a.step === 20).map((a) => a.id).sort());
    const html = readFileSync(join(out, 'sweep.html'), 'utf8');
    expect(html).to.match(/^<!doctype html>/);
    for (const s of ['Score vs compute', 'Halving tree', 'Decisions', 'Final evaluation', '<svg', rep.winner!, 'lr=0.01,target=all']) expect(html).to.include(s);
    // the table on stdout
    const t = await runCliAsync(['sweep', '--data', train, '--grid', 'lr=1e-3,1e-2', '--max-steps', '10', '--checkpoint-every', '10', '--limit', '2', '--batch-size', '2', '--out', dir.file('table'), '--quiet', '--rule', 'budget']);
    expect(t.status, t.stderr).to.equal(0);
    expect(t.stdout).to.match(/│ arm-00 │ lr=0.001 +│ 10 +│ 0\.\d{3} \[0\.\d{3}, \d\.\d{3}\] @10/);
    expect(t.stdout).to.match(/winner: arm-0[01]/);
    expect(t.stdout).to.match(/final full evaluation of arm-0[01]: /);
  });

  it('records a crashed arm as crashed and goes on (template trainer)', async () => {
    const out = dir.file('crash');
    const log = dir.file('crash.log');
    const r = await runCliAsync(['sweep', '--data', train, '--grid', 'crash=0,1,0 ', '--trainer-template', fake(log, '--crash {crash}'), '--max-steps', '20', '--checkpoint-every', '10', '--eta', '2', '--limit', '2', '--rule', 'budget', '--out', out, '--quiet'], {});
    expect(r.status, r.stderr).to.equal(2); // a grid repeats a value: refused
    const r2 = await runCliAsync(['sweep', '--data', train, '--arms', dir.write('arms.json', JSON.stringify([{ crash: 0, k: 'a' }, { crash: 1, k: 'b' }, { crash: 0, k: 'c' }])), '--trainer-template', fake(log, '--crash {crash} --k {k}'), '--max-steps', '20', '--checkpoint-every', '10', '--eta', '2', '--limit', '2', '--rule', 'budget', '--out', out, '--quiet']);
    expect(r2.status, r2.stderr).to.equal(0);
    const rep = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as SweepReport;
    const crashed = rep.arms.find((a) => a.id === 'arm-01')!;
    expect(crashed.status).to.equal('crashed');
    expect(crashed.stopped!.reason).to.equal('crashed');
    expect(crashed.stopped!.detail).to.match(/exited with code 3.*asked to crash/s);
    expect(rep.decisions.some((d) => d.arm === 'arm-01' && d.reason === 'crashed')).to.equal(true);
    expect(rep.winner).to.be.oneOf(['arm-00', 'arm-02']);
    expect(rep.notes.join('\n')).to.match(/arm-01 crashed/);
  });

  it('--parallel: one GPU per worker through CUDA_VISIBLE_DEVICES, arms overlapping, ASHA promotions; --launcher wraps the command', async () => {
    const out = dir.file('par');
    const log = dir.file('par.log');
    const r = await runCliAsync(['sweep', '--data', train, '--grid', 'k=1,2,3,4', '--trainer-template', fake(log, '--sleep 700 --k {k}'), '--parallel', '2', '--gpus', '3,5', '--launcher', 'env LAUNCHED_NAME={name} sh -c {cmd}', '--max-steps', '20', '--checkpoint-every', '10', '--eta', '2', '--limit', '2', '--out', out, '--quiet']);
    expect(r.status, r.stderr).to.equal(0);
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { name: string; steps: number; gpu: string; launched: string; t0: number; t1: number });
    expect(new Set(lines.map((l) => l.gpu))).to.deep.equal(new Set(['3', '5']));
    for (const l of lines) expect(l.launched).to.equal(l.name);
    const first = lines.filter((l) => l.steps === 10);
    expect(first.map((l) => l.name).sort()).to.deep.equal(['arm-00', 'arm-01', 'arm-02', 'arm-03']);
    const overlap = first.some((a) => first.some((b) => a !== b && a.t0 < b.t1 && b.t0 < a.t1));
    expect(overlap, 'two trainers ran at the same time').to.equal(true);
    const rep = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as SweepReport;
    expect(rep.mode).to.equal('asha');
    expect(rep.parallel).to.equal(2);
    expect(rep.gpus).to.deep.equal(['3', '5']);
    expect(rep.launcher).to.equal('env LAUNCHED_NAME={name} sh -c {cmd}');
    expect(lines.filter((l) => l.steps === 20)).to.have.length(2); // rung 1 keeps 2 of 4
    expect(rep.decisions.filter((d) => d.action === 'promote' && d.reason === 'kept')).to.have.length(2);
    expect(rep.winner).to.be.a('string');
    expect(rep.final_evaluation).to.not.equal(null);
  });

  it('renders sweep.html from a report with escaped text', async () => {
    const rep = JSON.parse(readFileSync(join(dir.file('real'), 'sweep.json'), 'utf8')) as SweepReport;
    const html = await renderSweepPage({ ...rep, notes: ['<script>alert(1)</script>'] });
    expect(html).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).to.not.include('<script>alert(1)');
    expect((html.match(/<svg/g) ?? []).length).to.equal(2);
  });
});
