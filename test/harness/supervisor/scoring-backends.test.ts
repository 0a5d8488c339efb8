import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openaiLoraScoring, servedScoring } from '../../../harness/supervisor/scoring-backends.js';
import { withCheckpointIdentity } from '../../../harness/supervisor/checkpoint-eval.js';
import { DEFAULT_REQUEST } from '../../../core/request.js';

/** A vLLM-like server: /v1/load_lora_adapter registers a name; /v1/completions answers only for registered models. */
async function fakeVllm(): Promise<{ url: string; loads: unknown[]; models: string[]; close(): Promise<void> }> {
  const loads: unknown[] = [];
  const models: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const b = JSON.parse(body || '{}');
      if (req.url === '/v1/load_lora_adapter') {
        loads.push(b);
        res.writeHead(200).end('Success');
        return;
      }
      if (req.url === '/v1/completions') {
        models.push(b.model);
        if (!loads.some((l) => (l as { lora_name: string }).lora_name === b.model)) {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `model ${b.model} not found` }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ choices: [{ text: ' B', logprobs: { tokens: [' B'], token_logprobs: [-0.1], top_logprobs: [{ ' B': -0.1 }] } }] }),
        );
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, loads, models, close: () => new Promise((r) => server.close(() => r())) };
}

describe('supervisor scoring backends', () => {
  it('loads each checkpoint as a vLLM LoRA adapter once and completes with its name', async () => {
    const vllm = await fakeVllm();
    try {
      const backendFor = openaiLoraScoring({ urls: [vllm.url] });
      const ckpt = { step: 5, path: '/runs/x/checkpoint-5' };
      const { backend: b, via } = await backendFor(ckpt);
      expect(via).to.equal('openai-lora');
      const c = await b.complete({ ...DEFAULT_REQUEST, prompt: 'Q: ?\nA:' });
      expect(c.text).to.equal(' B');
      await backendFor(ckpt); // the same checkpoint again: no second load
      expect(vllm.loads).to.deep.equal([{ lora_name: 'evalfirst-step-5', lora_path: '/runs/x/checkpoint-5' }]);
      expect(vllm.models).to.deep.equal(['evalfirst-step-5']);
    } finally {
      await vllm.close();
    }
  });

  it('fails (no silent fallback) when the LoRA server is unreachable', async () => {
    const backendFor = openaiLoraScoring({ urls: ['http://127.0.0.1:9'], retries: 0 }); // nothing listens on the discard port
    let err: Error | null = null;
    try {
      await backendFor({ step: 1, path: '/nope' });
    } catch (e) {
      err = e as Error;
    }
    expect(err).to.not.equal(null);
  });

  it('prefers the serving_url the trainer reported, and refuses when there is none', async () => {
    const backendFor = servedScoring({ protocol: 'neurips', urls: null });
    const b = await backendFor({ step: 3, path: '/p', servingUrl: 'http://127.0.0.1:4567' });
    expect(b.backend.id).to.contain('127.0.0.1:4567');
    expect(b.via).to.equal('trainer');
    const fixed = await servedScoring({ protocol: 'neurips', urls: ['http://127.0.0.1:4568'] })({ step: 3, path: '/p' });
    expect(fixed.via).to.equal('server');
    let msg = '';
    try {
      await backendFor({ step: 4, path: '/p' });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).to.match(/no serving_url and no --server/);
  });

  it('gives each checkpoint its own cache identity', async () => {
    const { backend: b } = await servedScoring({ protocol: 'neurips', urls: ['http://127.0.0.1:4567'] })({ step: 1, path: '/a' });
    const a1 = withCheckpointIdentity(b, { step: 1, path: '/a' });
    const a2 = withCheckpointIdentity(b, { step: 2, path: '/b' });
    expect(a1.id).to.not.equal(a2.id);
    expect(a1.maxSequenceLength).to.equal(b.maxSequenceLength);
  });
});
