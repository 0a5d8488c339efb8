// `evalfirst demo mix` and `evalfirst demo sweep` (npm run demo:mix / demo:sweep): the seed's two
// loops on the embedded default — the shipped tiny base, the mini-challenge's data, no GPU, no
// network — each in a few minutes on 2 cores. `mix`: a 3-composition `mix rank` over the mini
// families' train splits, one composition adding a noisy source (answers shuffled among rows), one a
// deliberately contaminated source (mini test questions with their gold answers) that decontamination
// must catch; prints the ranking with paired intervals and what was caught. `sweep`: a 6-arm LoRA
// sweep (learning rate × target modules) by successive halving with the extrapolating rule; prints the
// arms, the winner and why. Exit 0 done, 1 the demo did not reach a result, 2 usage error.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT, UserError } from '../../core/errors.js';
import { POSITIVE_INT, numberFlag } from '../../core/number-flag.js';
import { defaultRunDir } from '../../core/run-dir.js';
import { TINY_BASE_PATH } from '../../model/assets/shipped.js';
import { MINI_FINETUNE_RECIPE } from '../../model/train/finetune.js';
import { writeMiniData } from '../../tasks/mini/write-data.js';
import { contaminatedRows } from '../demo/contamination-report.js';
import { writeDemoMixInputs } from '../demo/mix-sources.js';
import type { RankReport } from '../mix/rank-report.js';
import type { SweepReport } from '../sweep/sweep-report.js';
import { runMixRank } from './mix.js';
import { runSweepCommand } from './sweep.js';

const r = MINI_FINETUNE_RECIPE;
export const DEMO_SWEEP_GRID = 'lr=1e-3,3e-3,1e-2 target=q_proj+v_proj,all';
const pt = (x: number) => (100 * x).toFixed(1);

async function miniData(out: string): Promise<{ train: string; test: string }> {
  const files = await writeMiniData(join(out, 'data'));
  return { train: files.find((f) => f.endsWith('train.jsonl'))!, test: files.find((f) => f.endsWith('test.jsonl'))! };
}

export async function demoMix(o: { out?: string; steps: number }): Promise<number> {
  const started = performance.now();
  const out = resolve(o.out ?? defaultRunDir(new Date(), 'runs', 'demo-mix'));
  const mini = await miniData(out);
  const inputs = writeDemoMixInputs(join(out, 'inputs'), mini);
  console.log(`demo mix: 3 compositions of the mini families (+ a noisy source, + a contaminated source with ${inputs.planted} mini test rows planted), tiny base, ${o.steps} steps each, scored on the full mini suite`);
  const rankOut = join(out, 'rank');
  const code = await runMixRank(inputs.manifests, {
    out: rankOut, suite: 'mini', base: TINY_BASE_PATH, quant: 'nf4', steps: o.steps, seed: 0, lr: r.lr, batchSize: r.batchSize, loraR: r.loraR, loraAlpha: r.loraAlpha, loraDropout: r.loraDropout,
    checkpointEvery: 10, alpha: 0.05, eta: 2, rule: 'confidence+budget', concurrency: 1, quiet: true,
  });
  const report = JSON.parse(readFileSync(join(rankOut, 'rank.json'), 'utf8')) as RankReport;
  const contaminated = report.compositions.find((c) => c.name === 'families-contaminated')!;
  const caught = contaminatedRows(contaminated.mix_dir).filter((x) => x.source === 'contaminated');
  console.log(`decontamination: ${caught.length} of the ${inputs.planted} planted test rows caught in "contaminated" (all listed in ${join(contaminated.mix_dir, 'removed.jsonl')}), e.g.:`);
  for (const c of caught.slice(0, 5)) console.log(`  ${c.benchmark} ${c.instance_id} (${c.match})`);
  if (report.ranking) {
    const top = report.ranking.order[0];
    const c = report.compositions.find((x) => x.name === top.name)!;
    const tied = report.ranking.tiedWithTop.filter((n) => n !== top.name);
    console.log(`won: ${top.name} at ${pt(c.score!.mean)} [${pt(c.score!.low)}, ${pt(c.score!.high)}]; ${tied.length ? `not told apart from ${tied.join(', ')} at this budget (paired intervals above cover 0)` : 'ahead of every other composition on paired Holm-corrected intervals'}`);
  }
  console.log(`demo mix: ${((performance.now() - started) / 1000).toFixed(1)}s wall; ${out}`);
  return code === EXIT.ok && caught.length === inputs.planted ? EXIT.ok : EXIT.failed;
}

export async function demoSweep(o: { out?: string; steps: number }): Promise<number> {
  // Six checkpoints over the schedule: the rungs sit on them.
  if (o.steps % 6 !== 0) throw new UserError(`demo sweep: --steps must be a multiple of 6, got ${o.steps}`);
  const started = performance.now();
  const out = resolve(o.out ?? defaultRunDir(new Date(), 'runs', 'demo-sweep'));
  const mini = await miniData(out);
  console.log(`demo sweep: 6 LoRA arms (${DEMO_SWEEP_GRID}) of the tiny base on the mini instruction data, ${o.steps} steps at most, η = 3, rule extrapolate, deadline 9m`);
  const code = await runSweepCommand({
    base: TINY_BASE_PATH, data: mini.train, suite: 'mini', grid: DEMO_SWEEP_GRID, maxSteps: o.steps, checkpointEvery: o.steps / 6, eta: 3, rule: 'extrapolate', deadline: '9m', alpha: 0.05,
    out: join(out, 'sweep'), grace: 10, seed: 0, quant: 'nf4', lr: r.lr, batchSize: r.batchSize, loraR: r.loraR, loraAlpha: r.loraAlpha, loraDropout: r.loraDropout, concurrency: 1, quiet: true,
  });
  const report = JSON.parse(readFileSync(join(out, 'sweep', 'sweep.json'), 'utf8')) as SweepReport;
  if (report.winner) {
    const why = report.decisions.filter((d) => d.arm === report.winner).map((d) => `rung ${d.rung} (step ${d.step}): ${d.reason} — ${d.detail}`);
    console.log(`won: ${report.winner} (${report.arms.find((a) => a.id === report.winner)!.label}) because:`);
    for (const w of why) console.log(`  ${w}`);
  }
  console.log(`demo sweep: ${((performance.now() - started) / 1000).toFixed(1)}s wall; ${out}`);
  return code;
}

export function command(): Command {
  return new Command('demo')
    .description('the seed\'s two loops on the embedded default (tiny base, mini data, no GPU, no network): `demo mix` ranks 3 compositions, `demo sweep` runs a 6-arm LoRA sweep')
    .addCommand(
      new Command('mix')
        .description('3-composition mix rank over the mini families, a noisy source and a contaminated source (caught by decontamination); exit 0 ranked and every planted row caught')
        .option('--out <dir>', 'output folder (default runs/<time>-demo-mix-<id>)')
        .option('--steps <n>', 'training steps per composition', numberFlag('--steps', POSITIVE_INT), 400)
        .action(async (f: { out?: string; steps: number }) => {
          process.exitCode = await demoMix(f);
        }),
    )
    .addCommand(
      new Command('sweep')
        .description('6-arm LoRA sweep (learning rate × target modules) on the mini data; exit 0 a winner with its final evaluation')
        .option('--out <dir>', 'output folder (default runs/<time>-demo-sweep-<id>)')
        .option('--steps <n>', 'steps of the full schedule (a multiple of 6)', numberFlag('--steps', POSITIVE_INT), 360)
        .action(async (f: { out?: string; steps: number }) => {
          process.exitCode = await demoSweep(f);
        }),
    );
}
