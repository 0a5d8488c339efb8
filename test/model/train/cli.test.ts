import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/run-cli.js';
import { FIXTURE_ROWS, writeJsonl, writeTinyBase } from './fixture.js';

describe('evalfirst finetune / models (CLI)', function () {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ftcli-'));
    writeTinyBase(join(dir, 'base'));
    writeJsonl(join(dir, 'train.jsonl'), FIXTURE_ROWS);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fine-tunes and writes a PEFT checkpoint', () => {
    const r = runCli(['finetune', '--base', join(dir, 'base'), '--data', join(dir, 'train.jsonl'), '--out', join(dir, 'out'), '--max-steps', '4', '--checkpoint-every', '2', '--batch-size', '2', '--lora-r', '4']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/data: 6 rows, 6 used, 0 truncated, 0 skipped/);
    expect(r.stdout).to.match(/4 steps, stop: max_steps/);
    expect(existsSync(join(dir, 'out', 'checkpoint-2', 'adapter_model.safetensors'))).to.equal(true);
    expect(existsSync(join(dir, 'out', 'checkpoint-4', 'adapter_config.json'))).to.equal(true);
  });

  it('reports a malformed row with file and line, without a stack trace', () => {
    writeJsonl(join(dir, 'bad.jsonl'), [FIXTURE_ROWS[0], 'not json']);
    const r = runCli(['finetune', '--base', join(dir, 'base'), '--data', join(dir, 'bad.jsonl'), '--out', join(dir, 'out2')]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include(`${join(dir, 'bad.jsonl')}:2: not valid JSON`);
    expect(r.stderr).to.not.match(/\n\s+at /);
  });

  it('names a base folder without a model', () => {
    const r = runCli(['finetune', '--base', dir, '--data', join(dir, 'train.jsonl'), '--out', join(dir, 'out3')]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/config\.json/);
  });

  it('lists the shipped tiny base', () => {
    const r = runCli(['models', '--json']);
    expect(r.status, r.stderr).to.equal(0);
    const models = JSON.parse(r.stdout) as { name: string; path: string }[];
    expect(models.map((m) => m.name)).to.include('tiny-base');
    expect(models[0]!.path).to.match(/model\/assets\/tiny-base$/);
  });
});
