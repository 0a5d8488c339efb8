import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSeededDemoModel } from '../../model/llama/demo-model.js';
import { runCli } from '../helpers/run-cli.js';

describe('evalfirst generate', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ef-gencmd-'));
    await makeSeededDemoModel(join(dir, 'demo'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints ids, top-K logprobs per position and speeds as JSON; ', () => {
    const args = ['generate', '--model', join(dir, 'demo'), '--tokens', '1,300,290', '--max-new-tokens', '8', '--top-logprobs', '3', '--no-eos', '--json'];
    const r = runCli(args);
    expect(r.status, r.stderr).to.equal(0);
    const j = JSON.parse(r.stdout);
    expect(j.ids).to.have.length(8);
    expect(j.top_logprobs).to.have.length(8);
    for (let i = 0; i < 8; i++) {
      const entries = Object.entries(j.top_logprobs[i] as Record<string, number>).sort((a, b) => b[1] - a[1]);
      expect(entries).to.have.length(3);
      expect(Number(entries[0][0]), 'greedy id is the most likely').to.equal(j.ids[i]);
      expect(entries[0][1]).to.be.closeTo(j.logprobs[i], 1e-9);
    }
    expect(j.prefill_tokens_per_s).to.be.greaterThan(0);
    expect(j.decode_tokens_per_s).to.be.greaterThan(0);
  });

  it('exits 2 with a clear message on bad input', () => {
    const r = runCli(['generate', '--model', join(dir, 'demo')]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/exactly one of --prompt TEXT or --tokens IDS/);
    const t = runCli(['generate', '--model', join(dir, 'demo'), '--tokens', '1,99999']);
    expect(t.status).to.equal(2);
    expect(t.stderr).to.match(/token id 99999 is outside the vocabulary/);
  });
});
