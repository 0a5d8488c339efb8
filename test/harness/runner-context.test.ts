// The runner fits prompts to min(HELM's window, the model's own context as the server reports it),
// and a request that cannot fit at all is a user error naming the run, the lengths and the context.
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../../harness/runner/evaluate.js';
import { NeuripsBackend } from '../../model/backends/neurips.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { gsmAnswer, writeSyntheticGsm } from './runner-fixtures.js';
import { windowFromBackend } from '../../tasks/adapters/window.js';

const fast = { timeoutMs: 5000, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 } };
const out = () => join(mkdtempSync(join(tmpdir(), 'ef-ctx-run-')), 'r');

describe("runner: the model's own context", function () {
  this.timeout(30_000);
  const dataDir = writeSyntheticGsm(6);
  const servers: ScriptedServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const start = async (contextLength: number) => {
    const s = await startScriptedServer({ answer: (p) => gsmAnswer(p), addBos: true, contextLength });
    servers.push(s);
    return s;
  };

  it('windowFromBackend: the smaller of HELM\'s window and the reported context', () => {
    const backend = { id: 'b', maxSequenceLength: 2048, complete: async () => Promise.reject(new Error('unused')), tokenize: async () => [], decode: async () => '' };
    expect(windowFromBackend(backend).maxSequenceLength).to.equal(2048);
    expect(windowFromBackend(backend, 4096).maxSequenceLength).to.equal(2048);
    const small = windowFromBackend(backend, 560);
    expect(small.maxSequenceLength).to.equal(560);
    expect(small.origin).to.equal("the model's context of 560 tokens as the server reports it, less than HELM's window of 2048");
  });

  it('fits prompts to a context smaller than HELM\'s window, so the model takes every request', async () => {
    const s = await start(560); // gsm asks for 400 new tokens: prompts get 160
    const { results } = await evaluate({ entries: ['gsm:max_eval_instances=6'], backend: new NeuripsBackend({ urls: [s.url], http: fast }), dataDir, outDir: out() });
    expect(results.errors.count).to.equal(0);
    const prompts = s.completions().map((q) => String(q.body.prompt));
    expect(prompts).to.have.length(6);
    for (const p of prompts) expect(1 + [...p].length + 400).to.be.at.most(560);
  });

  it('a request that cannot fit at all: a user error naming the run, max_tokens, the window and the context', async () => {
    const s = await start(300);
    const err = await evaluate({ entries: ['gsm:max_eval_instances=6'], backend: new NeuripsBackend({ urls: [s.url], http: fast }), dataDir, outDir: out() }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.name).to.equal('UserError');
    expect(err?.message).to.match(
      /^run gsm\S*: the request cannot fit: max_tokens=400 plus an empty prompt \(\d+ tokens?\) exceeds the 300-token window \(the model's context of 300 tokens as the server reports it, less than HELM's window of 2048;/,
    );
    expect(s.completions()).to.have.length(0);
  });
});
