import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildReportModel } from '../../reports/html/report-model.js';
import { writeReport } from '../../reports/html/write-report.js';
import { loadRunDir } from '../../core/run-dir.js';
import { macroMean, pooledMean } from '../../harness/stats/aggregates.js';
import { runCli } from '../helpers/run-cli.js';
import { writeRunDir, scoresWith } from '../harness/compare-fixtures.js';
import { launchChromium, openReport, skipWithoutChromium } from './chromium.js';
import { HOSTILE_COMPLETION, question, writeTrainingRun, type TrainingRun } from './training-fixture.js';

const dataBlock = (html: string) => html.match(/<script type="application\/json" id="instance-data">([^<]*)<\/script>/)![1];
const rowsOf = (html: string, id: string) => html.match(new RegExp(`<table id="${id}">[\\s\\S]*?</table>`))![0];

describe('HTML report of a training run', function () {
  this.timeout(120_000);
  let tmp: string;
  let run: TrainingRun;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'evalfirst-train-report-'));
    run = await writeTrainingRun(join(tmp, 'start-run'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('finds the baseline and best full evaluations from train.json itself', async () => {
    const m = await buildReportModel([run.dir]);
    expect(m.runs.map((r) => r.label)).to.deep.equal(['start-run', 'baseline (step 0)', 'best (step 400)']);
    expect(m.runs.map((r) => r.instances.length)).to.deep.equal([0, 58, 58]);
    expect(m.runs[1].of).to.deep.equal({ training: 'start-run', role: 'baseline', step: 0 });
    // A directory named as well as found appears once.
    const again = await buildReportModel([run.dir, run.bestDir]);
    expect(again.runs.map((r) => r.label)).to.deep.equal(['start-run', 'baseline (step 0)', 'best (step 400)']);
  });

  it('`evalfirst report RUN` shows the same evaluations and instances as the report train writes today', async () => {
    const cli = join(tmp, 'cli.html');
    const r = runCli(['report', run.dir, '-o', cli]);
    expect(r.status, r.stderr).to.equal(0);
    // What harness/commands/train.ts writeTrainReport passes today: the run dir and the full-eval dirs.
    const explicit = join(tmp, 'explicit.html');
    await writeReport([run.dir, run.baselineDir, run.bestDir], explicit);
    const [a, b] = [readFileSync(cli, 'utf8'), readFileSync(explicit, 'utf8')];
    expect(JSON.parse(dataBlock(a)).instances).to.have.length(116);
    expect(dataBlock(a)).to.equal(dataBlock(b));
    expect(rowsOf(a, 'summary-table')).to.equal(rowsOf(b, 'summary-table'));
    expect(rowsOf(a, 'leaderboard-table')).to.equal(rowsOf(b, 'leaderboard-table'));
  });

  it('charts and table run from the baseline (step 0) through the checkpoints to the final full evaluation', async () => {
    const m = await buildReportModel([run.dir]);
    const curve = m.runs[0].curve!;
    expect(curve.map((c) => [c.kind, c.step])).to.deep.equal([['baseline', 0], ['checkpoint', 200], ['checkpoint', 400], ['final', 400]]);
    expect(curve[0].scores.pooled.mean).to.equal(run.state.baseline!.scores.pooled.mean);
    expect(curve[3].scores.pooled.mean).to.equal(run.state.best!.scores!.pooled.mean);
    const out = join(tmp, 'curve.html');
    await writeReport([run.dir], out);
    const html = readFileSync(out, 'utf8');
    const table = html.match(/<table class="checkpoint-table">[\s\S]*?<\/table>/)![0];
    const steps = [...table.matchAll(/<tr class="(\w+)[^"]*"><td class="num">(\d+)<\/td><td>([^<]*)<\/td>/g)].map((x) => [x[1], x[2], x[3]]);
    expect(steps).to.deep.equal([
      ['baseline', '0', 'baseline (before training, full suite)'],
      ['checkpoint', '200', 'checkpoint (adaptive sample)'],
      ['checkpoint', '400', 'checkpoint (adaptive sample)'],
      ['final', '400', 'final full evaluation of step 400, after the stop'],
    ]);
    // Every score of every row is a symbol in both charts (vega renders each point as a path).
    const symbols = curve.reduce((s, c) => s + Object.keys(c.scores).length, 0);
    const charts = html.match(/<section class="training"[\s\S]*?<\/section>/)![0].match(/<svg[\s\S]*?<\/svg>/g)!;
    for (const svg of charts) expect(svg.match(/class="mark-symbol role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/)![1].match(/<path/g)).to.have.length(symbols);
  });

  it('takes the final evaluation from evals/step-N-full when train.json lacks its full scores', async () => {
    const partial = await writeTrainingRun(join(tmp, 'mid-run'), { bestFull: false });
    const m = await buildReportModel([partial.dir]);
    const final = m.runs[0].curve!.at(-1)!;
    expect(final).to.deep.include({ kind: 'final', step: 400, source: partial.bestDir });
    expect(final.scores.pooled.mean).to.be.closeTo(run.state.best!.scores!.pooled.mean, 1e-12);
    expect(final.scores.mmlu.mean).to.be.closeTo(run.state.best!.scores!.mmlu.mean, 1e-12);
  });

  it('labels both aggregates the same everywhere: pooled is what train prints and decides on, macro is HELM-style', async () => {
    const out = join(tmp, 'aggregates.html');
    await writeReport([run.dir], out);
    const html = readFileSync(out, 'utf8');
    const best = await loadRunDir(run.bestDir);
    const pooled = pooledMean(best.results, best.instances).mean;
    const macro = macroMean(best.results).mean;
    // train.json's `pooled` (the CLI's final line) is the report's pooled number; the two differ on this run.
    expect(pooled).to.equal(run.state.best!.scores!.pooled.mean);
    expect(Math.abs(pooled - macro)).to.be.greaterThan(0.05);
    const board = rowsOf(html, 'leaderboard-table');
    expect(board).to.match(/<th>#<\/th><th>run<\/th><th>macro<\/th><th>pooled<\/th><th>n<\/th>/);
    expect(board).to.contain(`<td class="long">best (step 400)</td><td class="num">${macro.toFixed(4)}</td><td class="num">${pooled.toFixed(4)}</td><td class="num">58</td>`);
    expect(rowsOf(html, 'summary-table')).to.match(/<th>pooled<\/th><th>macro<\/th>/);
    expect(html).not.to.match(/<th>mean<\/th>/);
    expect(html.match(/<p class="note aggregates"><b>pooled<\/b>: the mean of the main metric over all main-split, unperturbed instances of all runs, pooled[^<]*<b>macro<\/b>: the unweighted mean over groups/g)).to.have.length(2);
  });

  describe('in headless Chromium', () => {
    let browser: Browser;
    before(async function () {
      skipWithoutChromium(this);
      browser = await launchChromium();
    });
    after(async () => browser?.close());
    const open = (file: string, width = 1400) => openReport(browser, file, width);

    it('side by side: baseline vs best of one instance, picked from the instance table; hostile text stays text', async () => {
      const out = join(tmp, 'sbs.html');
      await writeReport([run.dir], out);
      const { page, problems } = await open(out);
      // Defaults: the two evaluations, on the first instance whose result flips.
      expect(await page.locator('#sbs-a option:checked').textContent()).to.equal('baseline (step 0)');
      expect(await page.locator('#sbs-b option:checked').textContent()).to.equal('best (step 400)');
      expect(await page.locator('#sbs-view h3').textContent()).to.equal('mmlu:subject=anatomy · anat2');
      expect(await page.locator('#sbs-view .sbs-side h4').allTextContents()).to.deep.equal(['baseline (step 0)', 'best (step 400)']);
      expect(await page.locator('#sbs-view .sbs-result').allTextContents()).to.deep.equal(['wrong', 'right']);
      expect(await page.locator('#sbs-view pre.sbs-prompt').textContent()).to.contain(question('anat2'));
      await page.check('#sbs-flips');
      const flips = await page.locator('#sbs-id option').count();
      expect(flips).to.equal(5 + 3 + 1); // anatomy 2..6, virology 3..5, gsm 1
      // ⇄ on the hostile instance's row opens it side by side.
      await page.selectOption('#f-run', '2');
      const row = page.locator('#instance-rows tr', { hasText: 'anat3' }).first();
      await row.locator('button.sbs-open').click();
      expect(await page.locator('#sbs-id').inputValue()).to.equal('mmlu:subject=anatomy\u0000anat3\u0000');
      expect(await page.locator('#sbs-view .sbs-side pre').allTextContents()).to.deep.equal([' 5', HOSTILE_COMPLETION]);
      expect(await page.locator('#sbs-view img, #instance-rows img').count()).to.equal(0);
      expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).to.equal(undefined);
      // The preview is the instance's own question, from its first word.
      expect(await row.locator('summary').textContent()).to.equal(`${question('anat3')} A. bone B. muscle C. nerve D. skin`);
      expect(problems, problems.join('\n')).to.deep.equal([]);
      const shot = join(tmpdir(), 'evalfirst-report-training.png');
      await page.locator('#side-by-side').screenshot({ path: shot });
      console.log(`      screenshot: ${shot}`);
      expect(statSync(shot).size).to.be.greaterThan(5_000);
      await page.close();
    });

    it('side by side of two evaluation directories', async () => {
      const out = join(tmp, 'two-dirs.html');
      await writeReport([run.baselineDir, run.bestDir], out);
      const { page, problems } = await open(out);
      expect(await page.locator('#sbs-view .sbs-side h4').allTextContents()).to.deep.equal(['step-0-full', 'step-400-full']);
      await page.selectOption('#sbs-task', 'gsm:');
      await page.selectOption('#sbs-id', 'gsm:\u0000gsm5\u0000');
      expect(await page.locator('#sbs-view h3').textContent()).to.equal('gsm: · gsm5');
      expect(await page.locator('#sbs-view .sbs-result').allTextContents()).to.deep.equal(['wrong', 'wrong']);
      expect(problems, problems.join('\n')).to.deep.equal([]);
      await page.close();
    });

    it('the summary table (and the page) fit 1400 px with long paths, backend ids, run names and many groups', async () => {
      const deep = join(tmp, 'experiments_2026_llama_2_7b_qlora_rank_64_alpha_16_dropout_005_lr_2e4_neurips_efficiency_challenge_submission_candidates');
      const groups = ['mmlu', 'truthful_qa', 'bbq', 'gsm', 'cnn_dailymail_summarization', 'big_bench_analytic_entailment', 'big_bench_causal_judgment', 'ethics_justice', 'ethics_commonsense', 'ethics_virtue', 'ethics_deontology', 'ethics_utilitarianism', 'sam_sum', 'corr2cause'];
      const dirs = ['baseline_llama_2_7b_hf_without_any_finetuning_whatsoever', 'candidate_checkpoint_step_0012000_lora_merged_into_base_weights', 'candidate_checkpoint_step_0024000_lora_merged_into_base_weights'].map((d, k) =>
        writeRunDir(join(deep, d), {
          backend: { id: `http://gpu_node_0${k}.internal_cluster_hostname:8080#checkpoint=${12000 * k}:/mnt/shared_storage/checkpoints/llama_2_7b_qlora_rank_64/checkpoint_${12000 * k}/adapter_model_safetensors`, protocol: 'neurips' },
          runs: groups.map((g, i) => ({ name: `${g}:subject=a_long_subject_name_${i},method=multiple_choice_joint,model=neurips_local,data_augmentation=canonical`, groups: [g], scores: scoresWith(10, (j) => j < 3 + k + (i % 4)) })),
        }),
      );
      const out = join(tmp, 'wide.html');
      await writeReport(dirs, out);
      const { page, problems } = await open(out, 1400);
      // A string, so that the test compiler's helpers do not travel into the page.
      const widths = (await page.evaluate(`({
        page: document.documentElement.scrollWidth,
        table: document.querySelector('#summary-table').getBoundingClientRect().right,
        section: document.querySelector('#summary').getBoundingClientRect().right,
        sections: [...document.querySelectorAll('section')].map((s) => ({ id: s.id, over: s.scrollWidth - s.clientWidth })),
      })`)) as { page: number; table: number; section: number; sections: { id: string; over: number }[] };
      expect(widths.page).to.be.at.most(1400);
      expect(widths.table).to.be.at.most(widths.section);
      expect(widths.sections.filter((s) => s.over > 0), JSON.stringify(widths.sections)).to.deep.equal([]);
      expect(problems, problems.join('\n')).to.deep.equal([]);
      await page.close();
    });
  });
});
