import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRunDir, scoresWith } from './compare-fixtures.js';
import { loadRunDir } from '../../core/run-dir.js';
import { explainRuns } from '../../harness/explain/explain.js';
import { locateInBlocks } from '../../harness/explain/prompt-blocks.js';
import { fieldDifferences } from '../../harness/explain/flat-diff.js';
import { runCli } from '../helpers/run-cli.js';

const fewShot = (second: string) => (id: string) => `The following are questions.\n\nQ: 1+1?\nA: 2\n\nQ: ${second}\nA: 4\n\nQ: ${id}?\nA:`;

describe('explain', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'evalfirst-explain-'));
    const scores = scoresWith(20, (i) => i % 2 === 0);
    writeRunDir(join(tmp, 'a'), { runs: [{ name: 'gsm', scores, prompt: fewShot('2+2?') }] });
    writeRunDir(join(tmp, 'same'), { runs: [{ name: 'gsm', scores, prompt: fewShot('2+2?'), completion: (id) => (id === 'id3' ? ' 7' : Number(id.slice(2)) % 2 === 0 ? ' 4' : ' 5') }] });
    writeRunDir(join(tmp, 'b'), {
      version: '0.2.0',
      gitCommit: 'fff0000',
      config: { suite: 'test', concurrency: 8 },
      backend: { id: 'http://localhost:9090', protocol: 'challenge', tokenizer: 'gpt2' },
      temperature: 0.7,
      runs: [
        {
          name: 'gsm',
          scores,
          prompt: fewShot('3+1?'),
          adapterSpec: { method: 'generation', maxTrainInstances: 2, temperature: 0.7, maxTokens: 5, stopSequences: ['\n'] },
          dataChecksums: { 'x/test.jsonl': 'bb'.repeat(32) },
        },
      ],
    });
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('locates a difference in the prompt blocks', () => {
    const p = fewShot('2+2?')('id0');
    expect(locateInBlocks(p, p.indexOf('2+2'))).to.deep.equal({ block: 3, blocks: 4, role: 'instructions or in-context example' });
    expect(locateInBlocks(p, p.length - 1)).to.deep.equal({ block: 4, blocks: 4, role: 'evaluated instance' });
  });

  it('fieldDifferences walks nested objects', () => {
    expect(fieldDifferences({ a: { b: 1, c: [1] } }, { a: { b: 2, c: [1] }, d: 'x' }).map((d) => d.path)).to.deep.equal(['a.b', 'd']);
  });

  it('names version, config, backend, tokenizer, few-shot, decoding, checksums and the first differing prompt character', async () => {
    const r = explainRuns(await loadRunDir(join(tmp, 'a')), await loadRunDir(join(tmp, 'b')));
    const sec = (t: string) => r.sections.find((s) => s.title === t)!.differences.join('\n');
    expect(sec('evalfirst version')).to.contain('evalfirst version: A 0.1.0 vs B 0.2.0').and.contain('git commit: A abc1234def5678 vs B fff0000');
    expect(sec('configuration')).to.contain('concurrency: A 4 vs B 8');
    expect(sec('backend')).to.contain('id: A "http://localhost:8080" vs B "http://localhost:9090"');
    expect(sec('tokenizer')).to.contain('tokenizer: A "llama" vs B "gpt2"');
    expect(sec('few-shot examples')).to.contain('gsm: maxTrainInstances: A 5 vs B 2');
    expect(sec('decoding parameters')).to.contain('gsm: temperature: A 0 vs B 0.7');
    expect(sec('dataset checksums')).to.contain('x/test.jsonl');
    const prompt = sec('prompts');
    expect(prompt).to.contain('20 prompt(s) differ');
    const idx = fewShot('2+2?')('id0').indexOf('2+2');
    expect(prompt).to.contain(`first difference at character ${idx} (line 6, column 4)`);
    expect(prompt).to.contain('in prompt block 3 of 4 (instructions or in-context example)');
    expect(r.identicalInputs).to.equal(false);
  });

  it('says when inputs are identical and only completions differ (CLI)', () => {
    const res = runCli(['explain', join(tmp, 'a'), join(tmp, 'same')]);
    expect(res.status, res.stderr).to.equal(0);
    expect(res.stdout).to.contain('Inputs are identical');
    expect(res.stdout).to.contain('1 identical request(s) got different completions');
    expect(res.stdout).to.contain('instance id3: A " 5" vs B " 7"');
    const j = runCli(['explain', join(tmp, 'a'), join(tmp, 'b'), '--json']);
    expect(j.status, j.stderr).to.equal(0);
    expect(JSON.parse(j.stdout).identicalInputs).to.equal(false);
  });

  it('says two unrelated runs share nothing instead of "same"', async () => {
    writeRunDir(join(tmp, 'other'), { runs: [{ name: 'mmlu:subject=anatomy', groups: ['mmlu'], scores: scoresWith(10, (i) => i < 5) }] });
    const r = explainRuns(await loadRunDir(join(tmp, 'a')), await loadRunDir(join(tmp, 'other')));
    expect(r.shared).to.deep.equal({ runs: 0, instances: 0 });
    expect(r.identicalInputs).to.equal(false);
    for (const t of ['prompts', 'completions', 'instances']) expect(r.sections.find((s) => s.title === t)!.notCompared).to.equal('no run in common');
    const res = runCli(['explain', join(tmp, 'a'), join(tmp, 'other')]);
    expect(res.stdout).to.contain('? prompts: not compared (no run in common)');
    expect(res.stdout).to.not.match(/= prompts: same|= completions: same/);
    expect(res.stdout).to.contain('A and B share nothing');
  });
});
