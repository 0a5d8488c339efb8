import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { ContaminationIndex, coveredTokens, type EvalText } from '../../harness/gate/contamination-index.js';
import { normalizeTokens } from '../../harness/gate/normalize.js';
import { loadSuiteEvalTexts } from '../../harness/gate/eval-texts.js';
import { runGate } from '../../harness/gate/gate.js';
import { toTrainingRow } from '../../harness/gate/training-rows.js';
import { instructionRows } from '../../tasks/mini/instructions.js';
import { generateWorld } from '../../tasks/mini/world.js';
import { runCli } from '../helpers/run-cli.js';
import { parseTolerances } from '../../harness/compare/tolerance.js';
import { renderGateJUnit } from '../../reports/junit/gate.js';
import { requireSharedData } from '../helpers/shared-data.js';

const LONG_Q =
  'A farmer plants seventeen rows of corn in the northern field and twice as many rows of beans in the southern field; after a storm destroys one third of the bean rows, how many rows of crops remain standing in both fields together at the end of the season?';
const SHORT_Q = 'What happens if you swallow a watermelon seed whole?';

function evalText(instanceId: string, text: string, field: EvalText['field'] = 'input', benchmark = 'bench'): EvalText {
  return { benchmark, instanceId, field, text };
}

function indexOf(texts: EvalText[], opts = {}): ContaminationIndex {
  const idx = new ContaminationIndex(opts);
  for (const t of texts) idx.add(t);
  return idx;
}

describe('gate', () => {
  describe('contamination index', () => {
    it('normalises GPT-3 style: lowercase, punctuation removed, whitespace tokens', () => {
      expect(normalizeTokens("  Hello, World!  It's 3.5\tkm—far.")).to.deep.equal(['hello', 'world', 'it', 's', '3', '5', 'km', 'far']);
      expect(normalizeTokens('...')).to.deep.equal([]);
    });

    it('coveredTokens is the size of the union of spans', () => {
      expect(coveredTokens([0, 1, 20], 13)).to.equal(14 + 13);
      expect(coveredTokens([5], 13)).to.equal(13);
      expect(coveredTokens([], 13)).to.equal(0);
    });

    it('finds an exact copy, a copy inside a prompt, and a near copy with one word changed', () => {
      const idx = indexOf([evalText('q1', LONG_Q), evalText('q1', 'forty-one rows', 'reference'), evalText('q2', 'Which planet is known as the red planet in our solar system today?')]);
      const exact = idx.check({ prompt: LONG_Q.toUpperCase(), completion: '41' });
      expect(exact).to.include({ kind: 'exact', field: 'prompt' });
      expect(exact!.evalText.instanceId).to.equal('q1');
      const inside = idx.check({ instruction: 'Solve this.', input: `Problem: ${LONG_Q} Think step by step.`, output: 'The answer is 41.' });
      expect(inside).to.include({ kind: '13-gram' });
      expect(inside!.coverage).to.equal(1);
      const near = idx.check({ text: `Q: ${LONG_Q.replace('destroys', 'ruins')}` });
      expect(near).to.include({ kind: '13-gram' });
      expect(near!.evalText.instanceId).to.equal('q1');
      expect(near!.coverage).to.be.greaterThan(0.9).and.lessThan(1);
    });

    it('finds a short eval question contained whole in a row', () => {
      const idx = indexOf([evalText('tqa1', SHORT_Q)]);
      const hit = idx.check({ prompt: `Q: ${SHORT_Q}\nA:`, completion: ' Nothing happens.' });
      expect(hit).to.include({ kind: 'short' });
      expect(hit!.match).to.equal('what happens if you swallow a watermelon seed whole');
    });

    it('has no false positives on unrelated text, one-word references or a shared phrase', () => {
      const idx = indexOf([evalText('q1', LONG_Q), evalText('q1', 'Paris', 'reference'), evalText('tqa1', SHORT_Q)]);
      expect(idx.check({ prompt: 'Where is the Eiffel tower?', completion: 'Paris' })).to.equal(null);
      expect(idx.check({ text: 'A farmer plants seventeen rows of corn in the northern field and then goes home to rest.' })).to.equal(null);
      expect(idx.check({ text: 'What happens if you swallow a watermelon? Nothing much.' })).to.equal(null);
      expect(idx.check({ text: '' })).to.equal(null);
    });

    it('ignores template n-grams shared by several eval instances', () => {
      const template = (a: string, b: string) => `${a} and ${b} met at the bakery one morning. One of them was clumsy that day and dropped a cake. Question: Who was clumsy?`;
      const idx = indexOf([evalText('b1', template('Ann', 'Bob')), evalText('b2', template('Cid', 'Dee')), evalText('b3', template('Eve', 'Fay'))], { minCoverage: 0 });
      expect(idx.check({ text: template('Gus', 'Hal') })).to.equal(null);
      expect(idx.droppedTemplateNgrams).to.be.greaterThan(0);
      expect(idx.check({ text: template('Ann', 'Bob') })).to.include({ kind: 'exact' });
    });

    it('the mini challenge: no training row overlaps the eval splits (its splits are built from disjoint people pools)', async () => {
      const evalTexts = await loadSuiteEvalTexts('mini', join(tmpdir(), 'no-data-needed'));
      expect(evalTexts.instances).to.be.greaterThan(100);
      const rows = instructionRows(generateWorld(2023));
      for (const minCoverage of [undefined, 0]) {
        const idx = indexOf(evalTexts.texts, { minCoverage });
        const hits = rows.map((r, i) => ({ i, hit: idx.check(toTrainingRow(r, i + 1).row!.fields) })).filter((h) => h.hit);
        expect(hits.slice(0, 3), `min coverage ${minCoverage}`).to.deep.equal([]);
      }
    });
  });

  describe('end to end', () => {
    let tmp: string;
    let evalQuestions: string[];
    let nOld: number;
    before(async function () {
      tmp = mkdtempSync(join(tmpdir(), 'evalfirst-gate-'));
      const rows = instructionRows(generateWorld(2023)).filter((r) => 'instruction' in r); // fact rows: clean
      const old = rows.slice(0, 120).map((r, i) => JSON.stringify({ ...r, source: i % 3 ? 'facts' : 'alpaca' }));
      nOld = old.length;
      writeFileSync(join(tmp, 'old.jsonl'), old.join('\n') + '\n');
      const evalTexts = await loadSuiteEvalTexts('mini', tmp);
      evalQuestions = evalTexts.texts.filter((t) => t.field === 'input' && t.benchmark === 'mini_gsm').map((t) => t.text);
      const fresh = [
        ...old.slice(10), // 10 removed; lines below are nOld-9 .. nOld-5
        JSON.stringify({ prompt: evalQuestions[0], completion: ' 42', source: 'scraped' }), // exact copy
        old[20], // duplicate of an existing row (line 11)
        '{"prompt": "only a prompt"}', // schema error
        JSON.stringify({ text: `Here is a puzzle. ${evalQuestions[1]} Good luck <script>alert(1)</script>`, source: 'scraped' }), // copy inside a text row
        'not json',
      ];
      writeFileSync(join(tmp, 'new.jsonl'), fresh.join('\n') + '\n');
      writeFileSync(join(tmp, 'clean.jsonl'), old.slice(0, 50).join('\n') + '\n');
    });
    after(() => rmSync(tmp, { recursive: true, force: true }));

    it('runGate: contamination, schema errors, duplicates, diff and source mix', async () => {
      const r = await runGate({ dataset: join(tmp, 'new.jsonl'), baseline: join(tmp, 'old.jsonl'), suite: 'mini', dataDir: tmp });
      expect(r.passed).to.equal(false);
      expect(r.contaminated.map((c) => c.line)).to.deep.equal([nOld - 9, nOld - 6]);
      expect(r.contaminated[0]).to.include({ benchmark: 'mini_gsm', match: 'exact', in_baseline: false });
      expect(r.profile.schemaErrors.map((e) => e.line)).to.deep.equal([nOld - 7, nOld - 5]);
      expect(r.profile.schemaErrors[0].message).to.match(/"prompt" and "completion" must both be strings/);
      expect(r.profile.duplicateCount).to.equal(1);
      expect(r.profile.duplicates[0]).to.deep.equal({ line: nOld - 8, firstLine: 11 });
      expect(r.diff).to.include({ added: 2, removed: 10 });
      expect(r.profile.sources).to.include({ scraped: 2 });
      expect(r.profile.tokens!.min).to.be.greaterThan(0);
      expect(r.baselineProfile!.rows).to.equal(nOld);
      expect(nOld).to.be.greaterThan(50);
    });

    it('CLI: exit 1 with JUnit (parsed), Markdown and JSON; exit 0 when clean; exit 2 on bad input', () => {
      const junit = join(tmp, 'gate.xml');
      const md = join(tmp, 'gate.md');
      const r = runCli(['gate', '--dataset', join(tmp, 'new.jsonl'), '--baseline', join(tmp, 'old.jsonl'), '--suite', 'mini', '--data-dir', tmp, '--junit', junit, '--markdown', md, '--json']);
      expect(r.status, r.stderr).to.equal(1);
      const json = JSON.parse(r.stdout);
      expect(json.contaminated.map((c: { line: number; benchmark: string; instance_id: string; match: string }) => [c.line, c.benchmark, c.match])).to.deep.equal([
        [nOld - 9, 'mini_gsm', 'exact'],
        [nOld - 6, 'mini_gsm', '13-gram'],
      ]);
      expect(json.contaminated[0].instance_id).to.be.a('string');
      const doc = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(junit, 'utf8'));
      const suite = doc.testsuites.testsuite;
      expect(Number(doc.testsuites['@_failures'])).to.equal(2);
      const cases = suite.testcase as { '@_name': string; failure?: { '@_message': string; '#text': string } }[];
      const gsm = cases.find((c) => c['@_name'].includes('mini_gsm'))!;
      expect(gsm.failure!['@_message']).to.equal('2 contaminated row(s)');
      expect(gsm.failure!['#text']).to.contain(`line ${nOld - 9}: exact match with mini_gsm`);
      expect(cases.find((c) => c['@_name'].includes('mini_mmlu'))!.failure).to.equal(undefined);
      expect(cases.find((c) => c['@_name'].startsWith('every row'))!.failure!['#text']).to.contain(`line ${nOld - 7}`);
      const mdText = readFileSync(md, 'utf8');
      expect(mdText).to.contain('❌ failed');
      expect(mdText).to.contain('Rows added: **2**, removed: **10**');
      expect(mdText).not.to.contain('<script>');

      const clean = runCli(['gate', '--dataset', join(tmp, 'clean.jsonl'), '--suite', 'mini', '--data-dir', tmp]);
      expect(clean.status, clean.stderr + clean.stdout).to.equal(0);
      expect(clean.stdout).to.contain('gate passed');

      const missing = runCli(['gate', '--dataset', join(tmp, 'nope.jsonl'), '--suite', 'mini']);
      expect(missing.status).to.equal(2);
      expect(missing.stderr).to.match(/nope\.jsonl: dataset file not found/);
      const usage = runCli(['gate', '--suite', 'mini']);
      expect(usage.status).to.equal(2);
      const proxy = runCli(['gate', '--dataset', join(tmp, 'clean.jsonl'), '--suite', 'mini', '--proxy']);
      expect(proxy.status).to.equal(2);
      expect(proxy.stderr).to.match(/--proxy needs --baseline/);
    });

    it('--proxy: fine-tunes the demo base on both datasets with one seed, evaluates and compares paired', async function () {
      const { makeSeededDemoModel } = await import('../../model/llama/demo-model.js');
      const base = join(tmp, 'proxy-base');
      mkdirSync(base, { recursive: true });
      await makeSeededDemoModel(base);
      const rows = instructionRows(generateWorld(2023)).filter((r) => 'prompt' in r);
      writeFileSync(join(tmp, 'p-old.jsonl'), rows.slice(0, 16).map((r) => JSON.stringify(r)).join('\n') + '\n');
      writeFileSync(join(tmp, 'p-new.jsonl'), rows.slice(8, 24).map((r) => JSON.stringify(r)).join('\n') + '\n');
      const suite = join(tmp, 'proxy-suite.txt');
      writeFileSync(suite, 'mini_mmlu:subject=geography,max_eval_instances=8\n'); // HELM's sample of 8 holds test instances (of 4, none)
      const workDir = join(tmp, 'proxy-work');
      const r = await runGate({
        dataset: join(tmp, 'p-new.jsonl'),
        baseline: join(tmp, 'p-old.jsonl'),
        suite,
        dataDir: tmp,
        proxy: { base, workDir, steps: 1, seed: 3, maxEvalInstances: 8, quant: 'none', tolerances: parseTolerances('*=1') },
      });
      expect(r.proxy, r.failures.join('; ')).to.not.equal(null);
      expect(r.proxy!.compare.paired).to.equal(true);
      expect(r.proxy!.compare.gates.map((g) => g.passed)).to.deep.equal([true]);
      expect(existsSync(join(workDir, 'baseline', 'eval', 'results.json'))).to.equal(true);
      expect(existsSync(join(workDir, 'new', 'train', 'checkpoint-1', 'adapter_model.safetensors'))).to.equal(true);
      expect(renderGateJUnit(r)).to.contain('proxy fine-tuned on the new data');
      expect(r.passed).to.equal(true);
    });

    it('real MMLU + GSM8K + TruthfulQA: a copied eval question is found for all but a handful of ≥ 13-token questions', async function () {
      const dir = requireSharedData(this, 'mmlu');
      const subjects = readdirSync(join(dir, 'mmlu', 'data', 'test')).filter((f) => f.endsWith('_test.csv')).map((f) => f.slice(0, -'_test.csv'.length));
      const suiteFile = join(tmp, 'real-suite.txt');
      writeFileSync(suiteFile, [...subjects.map((s) => `mmlu:subject=${s}`), 'gsm', 'truthful_qa:task=mc_single'].join('\n') + '\n');
      const evalTexts = await loadSuiteEvalTexts(suiteFile, dir);
      expect(evalTexts.benchmarks).to.deep.equal({ mmlu: 14042 + 1531, gsm: 1319, truthful_qa: 654 });
      const idx = indexOf(evalTexts.texts);
      const missed: Record<string, number> = {};
      for (const t of evalTexts.texts) {
        if (t.field !== 'input' || normalizeTokens(t.text).length < 13) continue;
        if (!idx.check({ prompt: `Q: ${t.text}\nA:`, completion: ' B' })) missed[t.benchmark] = (missed[t.benchmark] ?? 0) + 1;
      }
      // The misses are MMLU items whose long passage is shared by several questions (all template n-grams).
      expect(missed).to.deep.equal({ mmlu: 6 });
    });

    it('real GSM8K: planted test questions are found, and none of the 7473 train rows is flagged', async function () {
      const dir = requireSharedData(this, 'gsm8k');
      const suiteFile = join(tmp, 'gsm-only.txt');
      writeFileSync(suiteFile, 'gsm\n');
      const test = readFileSync(join(dir, 'gsm8k', 'test.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { question: string; answer: string });
      // All 7473 train rows (disjoint from test by construction) plus two planted test questions.
      const train = readFileSync(join(dir, 'gsm8k', 'train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { question: string; answer: string });
      const rows = train.map((t) => JSON.stringify({ prompt: `Q: ${t.question}\nA:`, completion: ` ${t.answer}` }));
      rows.splice(100, 0, JSON.stringify({ prompt: test[5].question, completion: test[5].answer })); // line 101
      const words = test[9].question.split(' ');
      words[Math.floor(words.length / 2)] = 'banana';
      rows.splice(200, 0, JSON.stringify({ instruction: 'Solve.', input: words.join(' '), output: '?' })); // line 201
      writeFileSync(join(tmp, 'gsm-train.jsonl'), rows.join('\n') + '\n');
      const r = await runGate({ dataset: join(tmp, 'gsm-train.jsonl'), suite: suiteFile, dataDir: dir });
      expect(r.evalInstances).to.equal(1319);
      expect(r.contaminated.map((c) => c.line)).to.include.members([101, 201]);
      expect(r.rowsChecked).to.equal(7475);
      expect(r.contaminated.filter((c) => c.line !== 101 && c.line !== 201), 'train rows flagged against test').to.have.length(0);
    });
  });
});
