import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBackend, incrementalTexts } from '../../../model/backends/embedded.js';
import { makeSeededDemoModel } from '../../../model/llama/demo-model.js';
import { findStop, generate, generateAsync } from '../../../model/llama/generate.js';
import { loadModel } from '../../../model/llama/load.js';
import { Rng } from '../../../kernels/rng.js';
import { sampleToken } from '../../../model/llama/sampling.js';
import { DEFAULT_REQUEST } from '../../../core/request.js';
import { RequestError } from '../../../core/backend.js';
import { PROJECTIONS } from '../../../model/llama/projections.js';
import { seededPeftTensors, writePeftAdapter } from '../../../model/lora/peft-write.js';

describe('model/llama generation and the embedded backend', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ef-gen-'));
    await makeSeededDemoModel(join(dir, 'demo'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('samples deterministically with a seed; top-k 1 and tiny temperatures are greedy; top-p keeps the nucleus', () => {
    const logits = Float32Array.from([0.1, 2.0, 1.9, -1, 0.5]);
    const draw = (seed: number, p: { temperature: number; topK: number; topP: number }) => {
      const r = new Rng(seed);
      return Array.from({ length: 50 }, () => sampleToken(logits, p, r));
    };
    const p = { temperature: 1, topK: 0, topP: 1 };
    expect(draw(5, p)).to.deep.equal(draw(5, p));
    expect(draw(5, p)).to.not.deep.equal(draw(6, p));
    expect(new Set(draw(5, p)).size).to.be.greaterThan(2);
    expect(new Set(draw(5, { temperature: 1e-7, topK: 0, topP: 1 }))).to.deep.equal(new Set([1]));
    expect(new Set(draw(5, { temperature: 1, topK: 1, topP: 1 }))).to.deep.equal(new Set([1]));
    expect(new Set(draw(5, { temperature: 1, topK: 0, topP: 0.5 })).size).to.be.lessThanOrEqual(2);
    expect([...new Set(draw(5, { temperature: 1, topK: 0, topP: 0.5 }))].every((i) => i === 1 || i === 2)).to.equal(true);
  });

  it('greedy decode with the KV cache equals re-running the whole sequence each step', () => {
    const { model } = loadModel(join(dir, 'demo'));
    const prompt = [1, 300, 270, 281];
    const r = generate(model, prompt, { maxNewTokens: 12, temperature: 0, topK: 0, topP: 1, stopAtEos: false, topLogprobs: 3 });
    expect(r.steps).to.have.length(12);
    const seq = [...prompt];
    for (const s of r.steps) {
      const logits = model.forward(model.newCache(64), seq, 'last');
      let best = 0;
      for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
      expect(s.id).to.equal(best);
      expect(s.top[0][0]).to.equal(best);
      expect(s.top[0][1]).to.be.closeTo(s.logprob, 1e-6);
      expect(s.top).to.have.length(3);
      seq.push(best);
    }
    expect(r.prefillSeconds).to.be.greaterThan(0);
  });

  it('generateAsync yields to the event loop, matches generate, and stops on an abort signal', async () => {
    const { model } = loadModel(join(dir, 'demo'));
    const o = { maxNewTokens: 40, temperature: 0, topK: 0, topP: 1, stopAtEos: false };
    const sync = generate(model, [1, 300], o);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const asyncR = await generateAsync(model, [1, 300], o);
    clearInterval(timer);
    expect(asyncR.steps.map((s) => s.id)).to.deep.equal(sync.steps.map((s) => s.id));
    expect(ticks, 'event loop ran during generation').to.be.greaterThan(0);
    const ac = new AbortController();
    setImmediate(() => ac.abort());
    const cut = await generateAsync(model, [1, 300], o, ac.signal, 1);
    expect(cut.finish).to.equal('aborted');
    expect(cut.steps.length).to.be.lessThan(40);
  });

  it('stop sequences cut the text before the stop and drop the tokens past it', () => {
    expect(findStop('abc\n\ndef###', ['###', '\n\n'])).to.equal(3);
    const loaded = loadModel(join(dir, 'demo'));
    const tok = loaded.tokenizer;
    const free = generate(loaded.model, tok.encode('The'), { maxNewTokens: 20, temperature: 0, topK: 0, topP: 1, stopAtEos: false, decode: (i) => tok.decode(i) });
    const text = free.text!;
    expect(text.length).to.be.greaterThan(3);
    const stop = text.slice(Math.floor(text.length / 2), Math.floor(text.length / 2) + 2);
    const at = text.indexOf(stop);
    const cut = generate(loaded.model, tok.encode('The'), { maxNewTokens: 20, temperature: 0, topK: 0, topP: 1, stopAtEos: false, stopSequences: [stop], decode: (i) => tok.decode(i) });
    expect(cut.finish).to.equal('stop');
    expect(cut.text).to.equal(text.slice(0, at));
    expect(tok.decode(cut.steps.map((s) => s.id)).length).to.be.at.most(at);
    expect(incrementalTexts(tok, free.steps.map((s) => s.id)).join('')).to.equal(text);
  });

  it('embedded backend: completion, echo logprobs, tokenize/decode, context errors, adapter switching', async () => {
    const b = await createEmbeddedBackend({ model: join(dir, 'demo') });
    const req = { ...DEFAULT_REQUEST, prompt: 'The capital of France is', maxTokens: 6, topKPerToken: 5, stopAtEos: false };
    const c = await b.complete(req);
    expect(c.tokens.length).to.be.at.most(6);
    expect(c.tokens.map((t) => t.text).join('')).to.equal(c.text);
    expect(c.logprob).to.be.closeTo(c.tokens.reduce((s, t) => s + t.logprob, 0), 1e-9);
    for (const t of c.tokens) {
      expect(Object.keys(t.topLogprobs).length).to.be.within(1, 5);
      expect(Math.max(...Object.values(t.topLogprobs))).to.be.closeTo(t.logprob, 1e-6);
    }
    const again = await b.complete(req);
    expect(again.text).to.equal(c.text);
    const echo = await b.complete({ ...req, echoPrompt: true, maxTokens: 0 });
    const ids = await b.tokenize(req.prompt);
    expect(ids[0]).to.equal(1);
    expect(echo.tokens).to.have.length(ids.length);
    expect(echo.text).to.equal(req.prompt);
    expect(echo.tokens[0].logprob).to.equal(0);
    expect(echo.tokens.slice(1).every((t) => t.logprob < 0)).to.equal(true);
    expect(await b.decode(ids)).to.equal(req.prompt);
    expect((await b.tokenize(req.prompt, { truncation: true, maxLength: 2 })).length).to.equal(2);
    await b.complete({ ...req, prompt: 'x '.repeat(1100), maxTokens: 10 }).then(
      () => expect.fail('should refuse'),
      (e) => expect(e).to.be.instanceOf(RequestError),
    );
    const ac = new AbortController();
    ac.abort();
    await b.complete(req, ac.signal).then(
      () => expect.fail('should refuse an aborted request'),
      (e) => expect(e).to.be.instanceOf(RequestError).and.have.property('retryable', true),
    );
    const id0 = b.id;
    const opts = { r: 2, loraAlpha: 4, targetModules: [...PROJECTIONS] };
    writePeftAdapter(join(dir, 'ad'), opts, seededPeftTensors(b.loaded.model.config, opts, 3));
    await b.setAdapter(join(dir, 'ad'));
    expect(b.id).to.not.equal(id0);
    const withAd = await b.complete({ ...req, echoPrompt: true, maxTokens: 0 });
    expect(withAd.logprob).to.not.equal(echo.logprob);
    await b.setAdapter(null);
    expect(b.id).to.equal(id0);
    expect((await b.complete({ ...req, echoPrompt: true, maxTokens: 0 })).logprob).to.equal(echo.logprob);
    await b.close?.();
  });
});
