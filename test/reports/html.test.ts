import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRunDir, scoresWith } from '../harness/compare-fixtures.js';
import { writeReport } from '../../reports/html/write-report.js';
import { escapeHtml, jsonForScript } from '../../reports/html/html-escape.js';
import { runCli, spawnCli } from '../helpers/run-cli.js';
import { launchChromium, openReport, skipWithoutChromium } from './chromium.js';

const XSS_PROMPT = 'Question: <script>window.__pwned = 1</script> and <img src=x onerror="window.__pwned = 2"> and </script><script>window.__pwned = 3</script>\nAnswer:';
const XSS_RUN = 'gsm:<img src=x onerror="window.__pwned=4">';

function trainJson() {
  const checkpoints = [100, 200, 300, 400].map((step, i) => ({
    step,
    path: `ckpt/step-${step}`,
    time_s: 60 * (i + 1),
    scores: {
      mmlu: { mean: 0.3 + 0.08 * i, ci_low: 0.25 + 0.08 * i, ci_high: 0.35 + 0.08 * i, n: 200 },
      gsm: { mean: 0.1 + 0.05 * i, ci_low: 0.06 + 0.05 * i, ci_high: 0.14 + 0.05 * i, n: 100 },
    },
    decision: i < 3 ? { action: 'continue', detail: 'target undecided' } : { action: 'stop', reason: 'target', detail: 'mmlu CI above 0.5' },
  }));
  return { version: 1, target: 'mmlu >= 0.5 && gsm >= 0.2', checkpoints, stop: { reason: 'target', step: 400, time_s: 250, detail: 'met' }, best: { step: 400, path: 'ckpt/step-400' } };
}

describe('HTML report', () => {
  let tmp: string;
  let total: number;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'evalfirst-report-'));
    const prompt = (id: string) => (id === 'id3' ? XSS_PROMPT : `Question ${id}: what is 2+2?\nAnswer:`);
    writeRunDir(join(tmp, 'base'), {
      runs: [
        { name: 'mmlu:subject=anatomy', groups: ['mmlu'], scores: scoresWith(30, (i) => i < 18), prompt },
        { name: XSS_RUN, groups: ['gsm'], scores: scoresWith(12, (i) => i < 4) },
      ],
    });
    writeRunDir(join(tmp, 'tuned'), {
      runs: [
        { name: 'mmlu:subject=anatomy', groups: ['mmlu'], scores: scoresWith(30, (i) => i < 15 || i > 26), prompt, completion: (id) => (id === 'id3' ? '<img src=x onerror="window.__pwned=5">' : ' 4') },
        { name: XSS_RUN, groups: ['gsm'], scores: scoresWith(12, (i) => i < 6) },
      ],
    });
    total = 2 * (30 + 12);
    mkdirSync(join(tmp, 'tuned'), { recursive: true });
    writeFileSync(join(tmp, 'tuned', 'train.json'), JSON.stringify(trainJson()));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('escapes HTML and JSON for script blocks', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).to.equal('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const j = jsonForScript({ s: '</script><!-- & \u2028' });
    expect(j).not.to.match(/[<>&\u2028]/);
    expect(JSON.parse(j)).to.deep.equal({ s: '</script><!-- & \u2028' });
  });

  it('writes one self-contained file with a strict CSP, inline SVG charts and no raw untrusted markup', async () => {
    const out = join(tmp, 'report.html');
    await writeReport([join(tmp, 'base'), join(tmp, 'tuned')], out);
    const html = readFileSync(out, 'utf8');
    expect(html).to.match(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;[^"]*script-src &#39;sha256-/);
    expect(html).not.to.match(/\b(src|href)="(https?:)?\/\//); // nothing loaded from anywhere
    expect((html.match(/<svg/g) ?? []).length).to.be.at.least(4);
    expect(html).not.to.contain('<script>window.__pwned');
    expect(html).not.to.contain('<img src=x');
    expect((html.match(/<script/g) ?? []).length).to.equal(2); // the data block and the browser
  });

  it('CLI writes the report; --serve serves it on 127.0.0.1', async function () {
    const out = join(tmp, 'cli.html');
    const r = runCli(['report', join(tmp, 'base'), '-o', out]);
    expect(r.status, r.stderr).to.equal(0);
    expect(statSync(out).size).to.be.greaterThan(1000);
    const bad = runCli(['report', join(tmp, 'nope'), '-o', out]);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/neither results\.json nor train\.json/);
    const child = spawnCli(['report', join(tmp, 'base'), '-o', join(tmp, 'served.html'), '--serve', '--port', '0']);
    try {
      const url = await new Promise<string>((ok, fail) => {
        let buf = '';
        child.stdout!.on('data', (d: Buffer) => {
          buf += d.toString();
          const m = buf.match(/serving (http:\/\/127\.0\.0\.1:\d+\/)/);
          if (m) ok(m[1]);
        });
        child.once('exit', (code) => fail(new Error(`report --serve exited ${code}`)));
      });
      const res = await fetch(url);
      expect(res.status).to.equal(200);
      expect(await res.text()).to.contain('evalfirst report');
      expect((await fetch(`${url}../etc/passwd`)).status).to.equal(404);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('renders in headless Chromium: charts, tables, instance rows, filters; untrusted text executes nothing', async function () {
    skipWithoutChromium(this);
    const out = join(tmp, 'browser.html');
    await writeReport([join(tmp, 'base'), join(tmp, 'tuned')], out);
    const browser = await launchChromium();
    try {
      const { page, problems } = await openReport(browser, out);
      expect(await page.locator('svg.marks').count()).to.be.at.least(4);
      expect(await page.locator('#challenge-table tbody tr').count()).to.equal(2);
      for (const id of ['#summary-table', '#task-table', '#compare-table', '#leaderboard-table', '#instance-table', '.checkpoint-table']) expect(await page.locator(id).count(), id).to.equal(1);
      expect(await page.locator('#instance-rows tr').count()).to.equal(total);
      expect(await page.locator('#instance-count').textContent()).to.contain(`${total} matching`);
      await page.selectOption('#f-ok', 'wrong');
      const wrong = 12 + 8 + 12 + 6; // base: 12 + 8 wrong; tuned: 12 + 6 wrong
      expect(await page.locator('#instance-rows tr').count()).to.equal(wrong);
      await page.selectOption('#f-ok', '');
      await page.selectOption('#f-task', 'mmlu:subject=anatomy');
      expect(await page.locator('#instance-rows tr').count()).to.equal(60);
      await page.selectOption('#f-task', '');
      // The hostile prompt shows as text, and nothing in it ran.
      const cell = page.locator('#instance-rows tr', { hasText: 'window.__pwned = 1' }).first();
      expect(await cell.locator('pre').first().textContent()).to.equal(XSS_PROMPT);
      expect(await page.locator('#instance-rows img').count()).to.equal(0);
      expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).to.equal(undefined);
      expect(await page.locator('text=Stopped at step 400').count()).to.equal(1);
      expect(await page.locator('#flips').textContent()).to.contain('right in A, wrong in B (3)');
      expect(problems, problems.join('\n')).to.deep.equal([]);
      const shot = join(tmpdir(), 'evalfirst-report-screenshot.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`      screenshot: ${shot}`);
      expect(statSync(shot).size).to.be.greaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
