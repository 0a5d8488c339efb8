import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../../harness/runner/evaluate.js';
import { UserError } from '../../core/errors.js';
import type { Backend } from '../../core/backend.js';
import type { InstanceRecord } from '../../core/results-schema.js';
import { NeuripsBackend } from '../../model/backends/neurips.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { gsmAnswer, writeSyntheticGsm } from './runner-fixtures.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), `evalfirst-${p}-`));

/** A backend that fails the test if evaluate() asks it anything. */
function untouchable(): Backend & { calls: number } {
  const b = {
    id: 'untouchable',
    maxSequenceLength: 2048,
    calls: 0,
    async complete() {
      b.calls++;
      throw new Error('complete() called');
    },
    async tokenize() {
      b.calls++;
      throw new Error('tokenize() called');
    },
    async decode() {
      b.calls++;
      throw new Error('decode() called');
    },
  };
  return b;
}

describe('harness/runner evaluate(): entries checked before the run directory is written', function () {
  this.timeout(60_000);

  it('refuses an unknown scenario without creating the run directory or asking the backend', async () => {
    const out = join(tmp('pre-entry'), 'r');
    const backend = untouchable();
    const err = await evaluate({ entries: ['gsm:max_eval_instances=2', 'no_such_scenario'], backend, dataDir: writeSyntheticGsm(4), outDir: out }).catch((e: Error) => e);
    expect(err).to.be.instanceOf(UserError);
    expect((err as Error).message).to.match(/no_such_scenario/);
    expect(existsSync(out)).to.equal(false);
    expect(backend.calls).to.equal(0);
  });

  it('refuses a data dir that does not exist, naming it and the file a run reads', async () => {
    const out = join(tmp('pre-data'), 'r');
    const missing = join(tmp('pre-data-dir'), 'not-there');
    const backend = untouchable();
    const err = await evaluate({ entries: ['gsm:max_eval_instances=2'], backend, dataDir: missing, outDir: out }).catch((e: Error) => e);
    expect(err).to.be.instanceOf(UserError);
    expect((err as Error).message).to.include(missing).and.include('gsm8k/').and.include('does not exist');
    expect(existsSync(out)).to.equal(false);
    expect(backend.calls).to.equal(0);
  });

  it('needs no data dir for a scenario that reads no files (the mini suite)', async () => {
    const out = join(tmp('pre-mini'), 'r');
    const server = await startScriptedServer({ answer: () => 'A' });
    try {
      const { results } = await evaluate({
        entries: ['mini_mmlu:subject=geography,max_eval_instances=3'],
        backend: new NeuripsBackend({ urls: [server.url] }),
        dataDir: join(tmp('pre-mini-data'), 'not-there'),
        outDir: out,
      });
      expect(results.errors.count).to.equal(0);
      expect(results.runs[0].numInstances).to.be.greaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('returns the instance records it wrote to instances.jsonl', async () => {
    const out = join(tmp('pre-records'), 'r');
    const server = await startScriptedServer({ answer: (p) => gsmAnswer(p) });
    try {
      const { results, records } = await evaluate({ entries: ['gsm:max_eval_instances=5'], backend: new NeuripsBackend({ urls: [server.url] }), dataDir: writeSyntheticGsm(8), outDir: out });
      const onDisk = readFileSync(join(out, 'instances.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as InstanceRecord);
      expect(records).to.have.length(5);
      expect(JSON.parse(JSON.stringify(records))).to.deep.equal(onDisk);
      expect(results.runs[0].numRequests).to.equal(5);
    } finally {
      await server.close();
    }
  });
});
