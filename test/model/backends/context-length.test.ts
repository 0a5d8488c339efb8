// Backend.contextLength(): the model's own context as each kind of server reports it, passed
// through the decorators the runner and the local tokenizer put around a backend.
import { expect } from 'chai';
import { startScriptedServer, type ScriptedServer } from '../../helpers/scripted-server.js';
import { NeuripsBackend } from '../../../model/backends/neurips.js';
import { OpenAIBackend, maxModelLen } from '../../../model/backends/openai.js';
import { createEmbeddedBackend } from '../../../model/backends/embedded.js';
import { loadLocalTokenizer, withLocalTokenizer } from '../../../model/backends/local-tokenizer.js';
import { withTokenizerCalls } from '../../../harness/runner/tokenizer-decorator.js';
import { startChallengeServer } from '../../../model/serve/challenge-server.js';
import { TINY_BASE_PATH } from '../../../model/assets/shipped.js';

const fast = { timeoutMs: 5000, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 } };

describe('Backend.contextLength', () => {
  const servers: ScriptedServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const start = async (o: Parameters<typeof startScriptedServer>[0]) => {
    const s = await startScriptedServer(o);
    servers.push(s);
    return s;
  };

  it('challenge protocol: GET /info max_sequence_length, asked once; null for a server without /info', async () => {
    const s = await start({ contextLength: 4096 });
    const b = new NeuripsBackend({ urls: [s.url], http: fast });
    expect(await b.contextLength()).to.equal(4096);
    expect(await b.contextLength()).to.equal(4096);
    expect(s.log.filter((r) => r.path === '/info')).to.have.length(1);
    const plain = await start({});
    expect(await new NeuripsBackend({ urls: [plain.url], http: fast }).contextLength()).to.equal(null);
  });

  it('challenge protocol: a mistyped max_sequence_length is an error naming the key', async () => {
    const s = await start({ contextLength: 4096, fault: (c) => (c.path === '/info' ? { kind: 'drop-key', key: 'max_sequence_length' } : undefined) });
    expect(await new NeuripsBackend({ urls: [s.url], http: fast }).contextLength()).to.equal(null); // absent: not reported
    const bad = await startScriptedServer({ contextLength: 0 });
    servers.push(bad);
    const err = await new NeuripsBackend({ urls: [bad.url], http: fast }).contextLength().then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/request info: invalid response from .*\/info: key "max_sequence_length" is number 0, expected a positive integer/);
  });

  it("vLLM: the model's max_model_len in /v1/models, a LoRA adapter's from its parent", () => {
    const body = {
      object: 'list',
      data: [
        { id: 'base', object: 'model', max_model_len: 4096, root: '/m' },
        { id: 'evalfirst-step-200', object: 'model', root: '/ckpt', parent: 'base' },
      ],
    };
    expect(maxModelLen(body, 'base')).to.equal(4096);
    expect(maxModelLen(body, 'evalfirst-step-200')).to.equal(4096);
    expect(maxModelLen(body, 'other')).to.equal(null);
    expect(maxModelLen({ data: [{ id: 'only', max_model_len: 2048 }] }, undefined)).to.equal(2048);
    expect(() => maxModelLen({ data: [{ id: 'm', max_model_len: '2k' }] }, 'm')).to.throw(/data\[0\]\.max_model_len/);
  });

  it('vLLM: asks GET /v1/models; null when the server has no such route', async () => {
    const s = await start({ protocol: 'openai' });
    expect(await new OpenAIBackend({ urls: [s.url], model: 'm', http: fast }).contextLength()).to.equal(null);
    expect(s.log.map((r) => r.path)).to.include('/v1/models');
  });

  it('embedded: the model config; decorators and `evalfirst serve` /info pass it on', async () => {
    const embedded = await createEmbeddedBackend({ model: TINY_BASE_PATH });
    expect(await embedded.contextLength!()).to.equal(256);
    const local = withLocalTokenizer(embedded, loadLocalTokenizer(TINY_BASE_PATH));
    expect(await local.contextLength!()).to.equal(256);
    const calls = withTokenizerCalls(embedded, { tokenize: async () => [], decode: async () => '' });
    expect(await calls.contextLength!()).to.equal(256);
    const srv = await startChallengeServer(embedded, { port: 0 });
    try {
      const info = (await (await fetch(`${srv.url}/info`)).json()) as Record<string, unknown>;
      expect(info).to.deep.equal({ model: embedded.id, max_sequence_length: 256 });
      expect(await new NeuripsBackend({ urls: [srv.url], http: fast }).contextLength()).to.equal(256);
    } finally {
      await srv.close();
    }
  });

  it('a backend without contextLength stays without it through the decorators', () => {
    const bare = { id: 'x', maxSequenceLength: 2048, complete: async () => Promise.reject(new Error('unused')), tokenize: async () => [], decode: async () => '' };
    expect(withTokenizerCalls(bare, { tokenize: async () => [], decode: async () => '' }).contextLength).to.equal(undefined);
  });
});
