import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { NeuripsBackend, processBody } from '../../model/backends/neurips.js';
import { OpenAIBackend } from '../../model/backends/openai.js';
import { RequestError } from '../../core/backend.js';
import { createBackend } from '../../model/backends/factory.js';
import { ReplicaPool } from '../../model/backends/replicas.js';
import { backoffDelayMs, parseRetryAfter } from '../../model/backends/retry.js';
import { DEFAULT_REQUEST, type CompletionRequest } from '../../core/request.js';

const fast = { timeoutMs: 5000, retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 } };
const req = (prompt: string, extra: Partial<CompletionRequest> = {}): CompletionRequest => ({ ...DEFAULT_REQUEST, prompt, ...extra });

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('model/backends', () => {
  const servers: ScriptedServer[] = [];
  const start = async (o: Parameters<typeof startScriptedServer>[0] = {}) => {
    const s = await startScriptedServer(o);
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  describe('challenge protocol (neurips)', () => {
    it('sends exactly HELM\'s /process body (temperature 0 → 1e-7) and reads every key', async () => {
      const s = await start({ answer: () => ' Paris is nice.\n\nMore' });
      const b = new NeuripsBackend({ urls: [s.url], http: fast });
      const c = await b.complete(req('The capital of France is', { maxTokens: 10, stopSequences: ['\n\n'], topKPerToken: 1 }));
      expect(s.log[0].body).to.deep.equal({
        prompt: 'The capital of France is',
        temperature: 1e-7,
        num_return_sequences: 1,
        max_new_tokens: 10,
        top_p: 1,
        echo_prompt: false,
        top_k_per_token: 1,
        stop_sequences: ['\n\n'],
      });
      expect(Object.keys(s.log[0].body)).to.have.length(8);
      expect(c.text).to.equal(' Paris is nice.');
      expect(c.tokens.map((t) => t.text)).to.deep.equal([' Paris', ' is', ' nice.']);
      expect(c.tokens[0].topLogprobs).to.have.property(' Paris');
      expect(c.logprob).to.be.closeTo(c.tokens.reduce((a, t) => a + t.logprob, 0), 1e-12);
      expect(c.requestTime).to.equal(0.001);
    });

    it('sends a non-zero temperature unchanged', () => {
      expect(processBody(req('x', { temperature: 0.3 })).temperature).to.equal(0.3);
    });

    it('tokenizes with {text, truncation, max_length} and decodes', async () => {
      const s = await start({ addBos: true });
      const b = new NeuripsBackend({ urls: [s.url], http: fast });
      const ids = await b.tokenize('abc');
      expect(s.log[0].body).to.deep.equal({ text: 'abc', truncation: false, max_length: 2048 });
      expect(ids).to.deep.equal([1, 97, 98, 99]);
      expect(await b.tokenize('abcdef', { truncation: true, maxLength: 3 })).to.deep.equal([1, 97, 98]);
      expect(await b.decode([1, 97, 98])).to.equal('ab');
    });

    it('fails a request whose response drops a required key, naming the key and the request', async () => {
      const s = await start({ fault: () => ({ kind: 'drop-key', key: 'request_time' }) });
      const b = new NeuripsBackend({ urls: [s.url], http: fast });
      const err = await rejection(b.complete(req('q')));
      expect(err).to.be.instanceOf(RequestError);
      expect(err.message).to.match(/request req-[0-9a-f]{12}: invalid response from http:\/\/127\.0\.0\.1:\d+\/process: missing key "request_time"/);
      expect(s.completions()).to.have.length(1);
    });

    it('names a mistyped nested key (tokens[0].top_logprob)', async () => {
      const { parseProcessResponse } = await import('../../model/backends/neurips.js');
      expect(() => parseProcessResponse({ text: 'A', logprob: 0, request_time: 0, tokens: [{ text: 'A', logprob: 0, top_logprob: { A: 'x' } }] })).to.throw(
        /tokens\[0\]\.top_logprob\["A"\]/,
      );
      expect(() => parseProcessResponse({ text: 'A', logprob: 0, request_time: 0, tokens: [{ text: 'A', logprob: 0 }] })).to.throw(/missing key "tokens\[0\]\.top_logprob"/);
      expect(() => parseProcessResponse({ text: 1, logprob: 0, request_time: 0, tokens: [] })).to.throw(/key "text" is number 1, expected a string/);
    });

    it('fails invalid JSON at once, without retrying', async () => {
      const s = await start({ fault: () => ({ kind: 'invalid-json' }) });
      const b = new NeuripsBackend({ urls: [s.url], http: fast });
      const err = await rejection(b.complete(req('q')));
      expect(err.message).to.match(/answered invalid JSON/);
      expect(s.completions()).to.have.length(1);
    });

    it('retries 500 and 429 (honouring Retry-After) and then succeeds', async () => {
      const s = await start({
        fault: (c) => (c.attempt === 1 ? { kind: 'status', status: 500 } : c.attempt === 2 ? { kind: 'status', status: 429, retryAfter: '0' } : undefined),
      });
      const b = new NeuripsBackend({ urls: [s.url], http: fast });
      const c = await b.complete(req('q'));
      expect(c.text).to.equal('A');
      expect(s.completions()).to.have.length(3);
    });

    it('retries a dropped connection', async () => {
      const s = await start({ fault: (c) => (c.attempt === 1 ? { kind: 'destroy' } : undefined) });
      const b = new NeuripsBackend({ urls: [s.url], http: fast });
      expect((await b.complete(req('q'))).text).to.equal('A');
      expect(s.completions()).to.have.length(2);
    });

    it('gives up after the retry budget with a clear per-request error', async () => {
      const s = await start({ fault: () => ({ kind: 'status', status: 503 }) });
      const b = new NeuripsBackend({ urls: [s.url], http: fast });
      const err = await rejection(b.complete(req('q')));
      expect(err.message).to.match(/HTTP 503.*gave up after 4 attempts/);
      expect(s.completions()).to.have.length(4);
    });

    it('does not retry a 4xx other than 429', async () => {
      const s = await start({ fault: () => ({ kind: 'status', status: 422 }) });
      const b = new NeuripsBackend({ urls: [s.url], http: fast });
      expect((await rejection(b.complete(req('q')))).message).to.match(/HTTP 422/);
      expect(s.completions()).to.have.length(1);
    });

    it('reports a refused connection by URL after retrying', async () => {
      const s = await start();
      const url = s.url;
      await s.close();
      servers.length = 0;
      const b = new NeuripsBackend({ urls: [url], http: fast });
      const err = await rejection(b.complete(req('q')));
      expect(err.message).to.contain(`POST ${url}/process failed`);
      expect(err.message).to.match(/ECONNREFUSED/);
    });

    it('times out a server that does not answer', async () => {
      const s = await start({ delayMs: 500 });
      const b = new NeuripsBackend({ urls: [s.url], http: { timeoutMs: 50, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } } });
      expect((await rejection(b.complete(req('q')))).message).to.match(/timed out after 50 ms.*gave up after 2 attempts/);
    });
  });

  describe('replicas', () => {
    it('spreads simultaneous requests evenly over replicas', async () => {
      const a = await start({ delayMs: 30 });
      const b2 = await start({ delayMs: 30 });
      const b = new NeuripsBackend({ urls: [a.url, b2.url], http: fast });
      await Promise.all(Array.from({ length: 10 }, (_, i) => b.complete(req(`q${i}`))));
      expect(a.completions()).to.have.length(5);
      expect(b2.completions()).to.have.length(5);
    });

    it('sends more to the replica that answers faster (fewest outstanding requests)', async () => {
      const slow = await start({ delayMs: 150 });
      const quick = await start();
      const b = new NeuripsBackend({ urls: [slow.url, quick.url], http: fast });
      const queue = Array.from({ length: 30 }, (_, i) => `q${i}`);
      const worker = async () => {
        for (let p = queue.shift(); p !== undefined; p = queue.shift()) await b.complete(req(p));
      };
      await Promise.all([worker(), worker()]);
      expect(slow.completions().length + quick.completions().length).to.equal(30);
      expect(quick.completions().length).to.be.greaterThan(4 * slow.completions().length);
    });

    it('picks the least-loaded index and releases it', () => {
      const p = new ReplicaPool(['a:1', 'http://b:2/']);
      expect(p.urls).to.deep.equal(['http://a:1', 'http://b:2']);
      const i = p.acquire();
      const j = p.acquire();
      expect(i).to.not.equal(j);
      p.release(i);
      expect(p.acquire()).to.equal(i);
      expect(p.inFlight()).to.deep.equal([1, 1]);
    });

    it('has an id made of the protocol and the sorted URLs', () => {
      const b = new NeuripsBackend({ urls: ['http://z:1', 'http://a:2/'] });
      expect(b.id).to.equal('neurips:http://a:2,http://z:1');
      expect(new OpenAIBackend({ urls: ['http://h:8000/v1'], model: 'm' }).id).to.equal('openai:http://h:8000#m');
    });
  });

  describe('retry policy', () => {
    it('backs off exponentially with jitter in [0.5, 1) and a cap', () => {
      const pol = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
      expect(backoffDelayMs(pol, 0, () => 0)).to.equal(50);
      expect(backoffDelayMs(pol, 2, () => 0.999999)).to.equal(400);
      expect(backoffDelayMs(pol, 10, () => 0)).to.equal(500);
    });
    it('reads Retry-After as seconds or an HTTP date', () => {
      expect(parseRetryAfter('2')).to.equal(2000);
      expect(parseRetryAfter(null)).to.equal(undefined);
      expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).to.equal(6000);
      expect(parseRetryAfter('soon')).to.equal(undefined);
    });
  });

  describe('OpenAI-compatible completions', () => {
    it('maps the request onto /v1/completions and its logprobs onto tokens', async () => {
      const s = await start({ protocol: 'openai', answer: () => ' 42.\n\nQ: next' });
      const b = new OpenAIBackend({ urls: [`${s.url}/v1`], model: 'llama', http: fast });
      const c = await b.complete(req('Q: 6*7?\nA:', { maxTokens: 400, stopSequences: ['\n\n'], seed: 7 }));
      expect(s.log[0].path).to.equal('/v1/completions');
      expect(s.log[0].body).to.deep.equal({ model: 'llama', prompt: 'Q: 6*7?\nA:', max_tokens: 400, temperature: 0, top_p: 1, n: 1, logprobs: 1, echo: false, stop: ['\n\n'], seed: 7 });
      expect(c.text).to.equal(' 42.');
      expect(c.tokens).to.have.length(1);
      expect(c.tokens[0].topLogprobs).to.deep.equal({ ' 42.': c.tokens[0].logprob });
      expect(c.requestTime).to.be.greaterThan(0);
    });

    it('treats the null logprob of the first echoed token as 0 and omits an empty stop list', async () => {
      const { parseCompletionsResponse, completionsBody } = await import('../../model/backends/openai.js');
      const c = parseCompletionsResponse({ choices: [{ text: 'ab', logprobs: { tokens: ['a', 'b'], token_logprobs: [null, -1.5], top_logprobs: [null, { b: -1.5 }] } }] }, 0.2);
      expect(c.logprob).to.equal(-1.5);
      expect(c.tokens[0]).to.deep.equal({ text: 'a', logprob: 0, topLogprobs: {} });
      expect(completionsBody(req('p'), undefined)).to.not.have.property('stop');
      expect(() => parseCompletionsResponse({ choices: [{ text: 'a', logprobs: null }] }, 0)).to.throw(/choices\[0\]\.logprobs/);
      expect(() => parseCompletionsResponse({ choices: [] }, 0)).to.throw(/choices\[0\]/);
    });

    it('tokenizes and detokenizes through the server', async () => {
      const s = await start({ protocol: 'openai' });
      const b = new OpenAIBackend({ urls: [s.url], model: 'm', http: fast });
      expect(await b.tokenize('hi')).to.deep.equal([104, 105]);
      expect(await b.decode([104, 105])).to.equal('hi');
    });
  });

  describe('local tokenizer.json', () => {
    function writeTokenizer(): string {
      const dir = mkdtempSync(join(tmpdir(), 'evalfirst-tok-'));
      const vocab = { '<unk>': 0, '<s>': 1, '</s>': 2, hello: 3, world: 4, '!': 5 };
      const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
      writeFileSync(
        join(dir, 'tokenizer.json'),
        JSON.stringify({
          version: '1.0',
          truncation: null,
          padding: null,
          added_tokens: [special(0, '<unk>'), special(1, '<s>')],
          normalizer: null,
          pre_tokenizer: { type: 'Whitespace' },
          post_processor: {
            type: 'TemplateProcessing',
            single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
            pair: [],
            special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
          },
          decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
          model: { type: 'WordLevel', vocab, unk_token: '<unk>' },
        }),
      );
      return dir;
    }

    it('counts tokens locally (with BOS) while completions still go to the server', async () => {
      const s = await start();
      const b = await createBackend({ kind: 'http', protocol: 'neurips', urls: [s.url], tokenizerPath: writeTokenizer(), timeoutMs: 5000, retries: 3 });
      expect(await b.tokenize('hello world !')).to.deep.equal([1, 3, 4, 5]);
      expect(await b.tokenize('hello world !', { truncation: true, maxLength: 2 })).to.deep.equal([1, 3]);
      expect(await b.decode([1, 3, 4])).to.equal('hello world');
      expect(s.log).to.have.length(0);
      expect((await b.complete(req('x'))).text).to.equal('A');
      expect(s.log).to.have.length(1);
    });

    it('names an unreadable tokenizer file', async () => {
      let msg = '';
      await createBackend({ kind: 'http', protocol: 'neurips', urls: ['http://x'], tokenizerPath: '/nonexistent/tokenizer.json' }).catch((e: Error) => (msg = e.message));
      expect(msg).to.match(/cannot read tokenizer file \/nonexistent\/tokenizer\.json/);
    });
  });
});
