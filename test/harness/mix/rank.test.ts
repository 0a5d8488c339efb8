// `mix rank` on real parts: compositions of mini-challenge train splits, the shipped tiny base
// fine-tuned for a few steps by the embedded trainer (or the finetune CLI behind a trainer template),
// scored by the harness on a few instances of the mini suite, ranked with paired statistics.
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RankReport } from '../../../harness/mix/rank-report.js';
import { withoutSource } from '../../../harness/mix/compositions.js';
import { loadManifest } from '../../../harness/mix/build.js';
import { checkTrainerTemplate, fillTemplate, findAdapter } from '../../../harness/sweep/template-trainer.js';
import { TINY_BASE_PATH } from '../../../model/assets/shipped.js';
import { runCli, runCliAsync } from '../../helpers/run-cli.js';
import { REPO_ROOT } from '../../helpers/shared-data.js';
import { TempDir } from './fixtures.js';

const MANIFESTS = {
  bbq: 'name: NAME\nseed: 3\nsources:\n  - {name: bbq, benchmark: "mini_bbq:subject=all", rows: 60}\n  - {name: gsm, benchmark: mini_gsm, rows: 30}\n',
  mmlu: 'name: mmlu\nseed: 3\nsources:\n  - {name: geo, benchmark: "mini_mmlu:subject=geography", rows: all}\n  - {name: tqa, benchmark: "mini_truthful_qa:task=mc_single", rows: all}\n',
  three: 'name: three\nseed: 5\nsources:\n  - {name: bbq, benchmark: "mini_bbq:subject=all", rows: 40}\n  - {name: gsm, benchmark: mini_gsm, rows: 40}\n  - {name: geo, benchmark: "mini_mmlu:subject=geography", rows: all}\n',
};

const common = ['--limit', '4', '--batch-size', '2', '--quiet'];

/** The run groups of a scoring that have at least one instance of their run's main split, sorted. */
function groupsWithMainSplit(dir: string): string[] {
  return [...new Set(mainSplitInstances(dir).map((r) => r.group))].sort();
}

/** A scoring's main-split, unperturbed instances with their run group. */
function mainSplitInstances(dir: string): { group: string }[] {
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  const runs = new Map<string, { groups: string[]; mainSplit: string }>(results.runs.map((r: { name: string }) => [r.name, r]));
  const out: { group: string }[] = [];
  for (const line of readFileSync(join(dir, 'instances.jsonl'), 'utf8').trim().split('\n')) {
    const rec = JSON.parse(line);
    const run = runs.get(rec.runName)!;
    if (rec.perturbation === null && rec.split === run.mainSplit) out.push({ group: run.groups[0] });
  }
  return out;
}

/** The headline of a scoring recomputed from its run directory: mean over run groups of the group's instance mean. */
function headlineFromRunDir(dir: string): number {
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  const runs = new Map<string, { groups: string[]; mainMetric: string; mainSplit: string }>(results.runs.map((r: { name: string }) => [r.name, r]));
  const byGroup = new Map<string, number[]>();
  for (const line of readFileSync(join(dir, 'instances.jsonl'), 'utf8').trim().split('\n')) {
    const rec = JSON.parse(line);
    const run = runs.get(rec.runName)!;
    if (rec.perturbation !== null || rec.split !== run.mainSplit) continue;
    const g = run.groups[0];
    byGroup.set(g, [...(byGroup.get(g) ?? []), rec.error ? 0 : rec.scores[run.mainMetric]]);
  }
  const means = [...byGroup.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length);
  return means.reduce((a, b) => a + b, 0) / means.length;
}

describe('mix rank', function () {
  this.timeout(120_000);
  let dir: TempDir;
  beforeEach(() => {
    dir = new TempDir();
  });
  afterEach(() => dir.remove());

  it('trains each composition, scores it, and ranks them; identical compositions are indistinguishable', async () => {
    const a = dir.write('twin-a.yaml', MANIFESTS.bbq.replace('NAME', 'twin-a'));
    const b = dir.write('twin-b.yaml', MANIFESTS.bbq.replace('NAME', 'twin-b'));
    const m = dir.write('mmlu.yaml', MANIFESTS.mmlu);
    const out = dir.file('out');
    const r = await runCliAsync(['mix', 'rank', a, b, m, '--out', out, '--steps', '16', ...common, '--json']);
    expect(r.status, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout) as RankReport;
    expect(JSON.parse(readFileSync(join(out, 'rank.json'), 'utf8'))).to.deep.equal(report);
    expect(report.mode).to.equal('all');
    expect(report.compositions.map((c) => [c.name, c.status, c.step])).to.deep.equal([
      ['twin-a', 'ok', 16],
      ['twin-b', 'ok', 16],
      ['mmlu', 'ok', 16],
    ]);
    for (const c of report.compositions) {
      expect(c.version).to.equal(JSON.parse(readFileSync(join(c.mix_dir, 'mix.json'), 'utf8')).version);
      expect(c.score!.mean).to.be.closeTo(headlineFromRunDir(c.eval_dir!), 1e-12);
      expect(c.score!.low).to.be.at.most(c.score!.mean);
      // A task is ranked when the scoring has instances of its main split (with --limit 4 HELM's seeded
      // selection can take only valid instances of a run, as it does for mini_mmlu's subjects).
      expect(Object.keys(c.tasks).sort()).to.deep.equal(groupsWithMainSplit(c.eval_dir!));
      expect(Object.keys(c.tasks)).to.include.members(['mini_bbq', 'mini_gsm', 'mini_truthful_qa']);
    }
    // The twins train on byte-identical data with the same seed: the same adapter answers the same.
    expect(readFileSync(join(report.compositions[0].mix_dir, 'data.jsonl'))).to.deep.equal(readFileSync(join(report.compositions[1].mix_dir, 'data.jsonl')));
    const twins = report.ranking!.pairs.find((p) => [p.better, p.worse].sort().join() === 'twin-a,twin-b')!;
    expect(twins).to.deep.include({ delta: 0, distinguishable: false });
    expect(report.ranking!.pairs).to.have.length(3);
    expect(report.ranking!.instances).to.equal(mainSplitInstances(report.compositions[0].eval_dir!).length).and.greaterThan(5); // main-split instances only, as HELM's headline
    expect(report.ranking!.summary.join('\n')).to.match(/twin-. ≈ twin-.: indistinguishable at this budget/);
    const table = runCli(['mix', 'rank', a, b, m, '--out', dir.file('out-table'), '--steps', '16', ...common]);
    expect(table.status, table.stderr).to.equal(0);
    expect(table.stdout).to.match(/paired on \d+ instances \(Holm over 3 pair\(s\)\)/);
    expect(table.stdout).to.match(/twin-a/);
  });

  it('an external trainer through a template: a crashed composition is recorded and the others are ranked', async () => {
    const script = dir.write(
      'train.sh',
      [
        'name="$1"; data="$2"; out="$3"; seed="$4"; steps="$5"',
        'case "$name" in *broken*) echo "CUDA out of memory (simulated)" >&2; exit 3;; esac',
        `exec "${process.execPath}" --import tsx "${join(REPO_ROOT, 'harness', 'cli.ts')}" finetune --base "${TINY_BASE_PATH}" --data "$data" --out "$out" --seed "$seed" --max-steps "$steps" --checkpoint-every "$steps" --batch-size 2 --lr 0.003 --lora-dropout 0`,
        '',
      ].join('\n'),
    );
    const inputs = ['good-a', 'good-b', 'broken'].map((n, i) => dir.write(`${n}.yaml`, (i === 1 ? MANIFESTS.mmlu : MANIFESTS.bbq).replace(/name: (NAME|mmlu)/, `name: ${n}`)));
    const out = dir.file('out');
    const r = await runCliAsync(['mix', 'rank', ...inputs, '--out', out, '--steps', '8', ...common, '--trainer-template', `sh ${script} {name} {data} {out} {seed} {steps}`, '--trainer-cwd', REPO_ROOT]);
    expect(r.status, r.stderr + r.stdout).to.equal(0);
    const report = JSON.parse(readFileSync(join(out, 'rank.json'), 'utf8')) as RankReport;
    expect(report.trainer).to.deep.include({ kind: 'template' });
    const broken = report.compositions.find((c) => c.name === 'broken')!;
    expect(broken.status).to.equal('crashed');
    expect(broken.error).to.match(/exited with code 3: CUDA out of memory \(simulated\)/);
    expect(broken.score).to.equal(null);
    expect(report.ranking!.order.map((o) => o.name).sort()).to.deep.equal(['good-a', 'good-b']);
    expect(report.compositions.find((c) => c.name === 'good-a')!.checkpoint).to.match(/checkpoint-8$/);
    expect(r.stdout).to.match(/crashed at step 0: training: trainer exited with code 3/);
    expect(report.notes.join('\n')).to.match(/broken crashed/);
  });

  it('--ablate: the full mix and each source left out, with per-task effects oriented full − without', async () => {
    const m = dir.write('three.yaml', MANIFESTS.three);
    const out = dir.file('out');
    const r = await runCliAsync(['mix', 'rank', m, '--ablate', '--out', out, '--steps', '12', ...common]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/leave one source out of three/);
    const report = JSON.parse(readFileSync(join(out, 'rank.json'), 'utf8')) as RankReport;
    expect(report.mode).to.equal('ablate');
    expect(report.compositions.map((c) => c.name)).to.deep.equal(['three', 'three-without-bbq', 'three-without-gsm', 'three-without-geo']);
    const full = report.compositions[0];
    for (const [i, source] of ['bbq', 'gsm', 'geo'].entries()) {
      const v = report.compositions[i + 1];
      expect(v.ablation).to.deep.equal({ of: 'three', without: source });
      // Row counts: the others keep theirs.
      expect(v.sources.map((s) => s.name)).to.deep.equal(full.sources.map((s) => s.name).filter((s) => s !== source));
      for (const s of v.sources) expect(s.rows).to.equal(full.sources.find((f) => f.name === s.name)!.rows);
      const e = report.ablation!.effects[i];
      expect(e.source).to.equal(source);
      // Every composition is scored on the same instances, so the paired delta is the difference of headlines.
      expect(e.delta!).to.be.closeTo(full.score!.mean - v.score!.mean, 1e-12);
      for (const [task, t] of Object.entries(e.tasks)) {
        expect(t.delta).to.be.closeTo(full.tasks[task].mean - v.tasks[task].mean, 1e-12);
        expect(t.verdict).to.equal(t.low > 0 ? 'helps' : t.high < 0 ? 'hurts' : 'no clear effect');
      }
    }
  });

  it('--halving keeps the better half, resumes survivors from their checkpoints, and ranks the finalists', async () => {
    const inputs = ['h1', 'h2', 'h3', 'h4'].map((n, i) => dir.write(`${n}.yaml`, (i % 2 ? MANIFESTS.mmlu : MANIFESTS.bbq).replace(/name: (NAME|mmlu)/, `name: ${n}`).replace('seed: 3', `seed: ${i}`)));
    const out = dir.file('out');
    const r = await runCliAsync(['mix', 'rank', ...inputs, '--halving', '--out', out, '--steps', '20', '--checkpoint-every', '10', ...common]);
    expect(r.status, r.stderr).to.equal(0);
    const report = JSON.parse(readFileSync(join(out, 'rank.json'), 'utf8')) as RankReport;
    expect(report.mode).to.equal('halving');
    // 4 compositions, η = 2, two finalists: one cut at step 10, then the last step.
    expect(report.halving!.rungs.map((x) => [x.step, x.arms, x.keep])).to.deep.equal([
      [10, 4, 2],
      [20, 2, 1],
    ]);
    const reached = report.compositions.filter((c) => c.step === 20).map((c) => c.name);
    for (const c of report.compositions) expect(c.status).to.equal(c.step === 20 ? 'ok' : 'stopped');
    const stopped = report.compositions.filter((c) => c.status === 'stopped' && c.step === 10).map((c) => c.name);
    expect(reached.length + stopped.length).to.equal(4);
    expect(reached.length).to.be.within(1, 2);
    for (const name of reached) expect(readdirSync(join(out, 'runs', name, 'train')).filter((d) => d.startsWith('checkpoint-')).sort()).to.deep.equal(['checkpoint-10', 'checkpoint-20']);
    for (const name of stopped) expect(existsSync(join(out, 'runs', name, 'train', 'checkpoint-20'))).to.equal(false);
    expect(report.ranked_at_step).to.equal(reached.length === 2 ? 20 : 10);
    const winner = report.halving!.finished!.winner!;
    expect(reached).to.include(winner);
    if (reached.length === 2) expect(report.ranking!.order[0].mean).to.equal(report.compositions.find((c) => c.name === winner)!.score!.mean);
  });

  it('--halving --rule extrapolate scores the base, looks twice before the first cut, and records predictions', async () => {
    const inputs = ['e1', 'e2', 'e3'].map((n, i) => dir.write(`${n}.yaml`, (i === 1 ? MANIFESTS.mmlu : MANIFESTS.bbq).replace(/name: (NAME|mmlu)/, `name: ${n}`)));
    const out = dir.file('out');
    const r = await runCliAsync(['mix', 'rank', ...inputs, '--halving', '--rule', 'extrapolate', '--out', out, '--steps', '20', '--checkpoint-every', '5', ...common]);
    expect(r.status, r.stderr).to.equal(0);
    const report = JSON.parse(readFileSync(join(out, 'rank.json'), 'utf8')) as RankReport;
    expect(report.halving!.rungs.map((x) => [x.looks, x.arms, x.keep])).to.deep.equal([
      [[5, 10], 3, 2],
      [[20], 2, 1],
    ]);
    expect(existsSync(join(out, 'base-eval', 'results.json'))).to.equal(true);
    const verdicts = report.halving!.done[0].verdict!.verdicts;
    for (const v of verdicts) expect(v.predicted!.low).to.be.at.most(v.predicted!.high);
    // Kept by predicted score at step 20, not by the score now.
    const kept = verdicts.filter((v) => v.action === 'promote').map((v) => v.predicted!.mean);
    const cut = verdicts.filter((v) => v.action === 'stop').map((v) => v.predicted!.mean);
    expect(Math.min(...kept)).to.be.at.least(Math.max(...cut));
    for (const c of report.compositions) expect(existsSync(join(out, 'runs', c.name, 'eval-step-5', 'results.json'))).to.equal(true);
  });

  it('--deadline: a budget spent before the first rung ranks nothing and exits 1', () => {
    const inputs = ['d1', 'd2'].map((n) => dir.write(`${n}.yaml`, MANIFESTS.bbq.replace('NAME', n)));
    const out = dir.file('out');
    const r = runCli(['mix', 'rank', ...inputs, '--halving', '--deadline', '1ms', '--out', out, '--steps', '20', ...common]);
    expect(r.status, r.stderr).to.equal(1);
    const report = JSON.parse(readFileSync(join(out, 'rank.json'), 'utf8')) as RankReport;
    expect(report.halving!.finished).to.deep.include({ winner: null, reason: 'deadline' });
    expect(report.compositions.every((c) => c.step === 0 && c.status === 'not-run')).to.equal(true);
    expect(report.ranking).to.equal(null);
    expect(r.stdout).to.match(/nothing to rank/);
  });

  it('refuses bad input with exit 2 before training anything', () => {
    const a = dir.write('a.yaml', MANIFESTS.bbq.replace('NAME', 'a'));
    const b = dir.write('b.yaml', MANIFESTS.mmlu);
    const bad = dir.write('bad.yaml', 'sources:\n  - {name: x, benchmark: mini_gsm, rows: 3, colour: red}\n');
    const one = dir.write('one.yaml', 'sources:\n  - {name: x, benchmark: mini_gsm, rows: 3}\n');
    const cases: [string[], RegExp][] = [
      [[a, b, '--trainer-template', 'python train.py --data {data}'], /the template has no \{out\}/],
      [[a, b, '--trainer-template', 'python train.py --out {out} --lr {lr}'], /unknown placeholder \{lr\}/],
      [[a], /at least two compositions/],
      [[a, dir.file('missing.yaml')], /missing\.yaml: no such manifest or mix folder/],
      [[a, bad], /bad\.yaml:2: source "x": unknown field "colour"/],
      [[one, '--ablate'], /--ablate needs at least two sources/],
      [[a, b, '--base', dir.path], /not a model folder/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(['mix', 'rank', ...args, '--out', dir.file('never'), '--quiet']);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stderr).to.match(message);
    }
    expect(existsSync(dir.file('never/runs'))).to.equal(false);
  });
});

describe('mix rank parts', () => {
  it('leaving a source out of a share manifest scales the other shares to sum to 1', () => {
    const dir = new TempDir();
    try {
      const m = loadManifest(dir.write('s.yaml', 'name: s\ntotal: 30\nsources:\n  - {name: a, benchmark: mini_gsm, share: 0.5}\n  - {name: b, benchmark: mini_bbq, share: 0.3}\n  - {name: c, benchmark: mini_bbq, share: 0.2}\n'));
      const v = withoutSource(m, 'a');
      expect(v.name).to.equal('s-without-a');
      expect(v.total).to.equal(30);
      expect(v.sources.map((s) => [s.name, s.share])).to.deep.equal([
        ['b', 0.6],
        ['c', 0.4],
      ]);
      expect(() => withoutSource(m, 'zz')).to.throw(/no source "zz"/);
    } finally {
      dir.remove();
    }
  });

  it('trainer templates: placeholders shell-quoted, {out} required, the adapter found in checkpoint-N or OUT', () => {
    expect(() => checkTrainerTemplate('x {data}')).to.throw(/no \{out\}/);
    expect(() => checkTrainerTemplate('x {out} {stepz}')).to.throw(/unknown placeholder \{stepz\}/);
    expect(fillTemplate('t --out {out} --resume {resume}', { data: '', out: "/tmp/it's here", seed: '0', steps: '5', max_steps: '5', resume: '', name: 'n' })).to.equal(`t --out '/tmp/it'\\''s here' --resume ''`);
    const dir = new TempDir();
    try {
      dir.write('run/checkpoint-10/adapter_config.json', '{}');
      dir.write('run/checkpoint-20/adapter_config.json', '{}');
      dir.write('run/checkpoint-30/other.txt', '');
      expect(findAdapter(dir.file('run'), 20)).to.deep.equal({ path: dir.file('run/checkpoint-20'), step: 20 });
      expect(findAdapter(dir.file('run'), 15)).to.deep.equal({ path: dir.file('run/checkpoint-10'), step: 10 });
      dir.write('flat/adapter_config.json', '{}');
      expect(findAdapter(dir.file('flat'), 7)).to.deep.equal({ path: dir.file('flat'), step: 7 });
      expect(findAdapter(dir.file('nothing'), 7)).to.equal(null);
    } finally {
      dir.remove();
    }
  });
});
