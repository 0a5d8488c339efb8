import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GGMLType } from '../../../model/formats/ggml-type.js';
import { GGUFFile } from '../../../model/formats/gguf.js';
import { writeLlamaGGUF } from '../../../model/llama/gguf-export.js';
import { loadGGUFModel } from '../../../model/llama/gguf-checkpoint.js';
import { loadHfModel } from '../../../model/llama/hf-checkpoint.js';
import { writeHfModel } from '../../../model/llama/hf-write.js';
import { LlamaModel, PREFILL_CHUNK } from '../../../model/llama/llama-model.js';
import { seededHfTensors, tinyConfig } from '../../../model/llama/seeded.js';
import { seededSpmVocab } from '../../../model/tokenizer/seeded-vocab.js';
import { UserError } from '../../../core/errors.js';
import { referenceLogits } from './reference.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('model/llama forward', () => {
  let dir: string;
  const config = tinyConfig(); // 8 heads, 2 KV heads (GQA), 2 layers
  const tensors = seededHfTensors(config, 7);
  const tokens = [1, 40, 77, 290, 5, 123, 260, 3, 99, 42];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ef-fwd-'));
    writeHfModel(join(dir, 'hf'), config, tensors);
    writeLlamaGGUF(join(dir, 'f32.gguf'), config, tensors, { vocab: seededSpmVocab(config.vocabSize) });
    writeLlamaGGUF(join(dir, 'q8.gguf'), config, tensors, { vocab: seededSpmVocab(config.vocabSize), projectionType: GGMLType.Q8_0 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('matches a naive float64 reference (GQA 8 heads / 2 KV heads), prefill and step-by-step decode', () => {
    const ref = referenceLogits(config, tensors, tokens);
    const { config: c, weights } = loadHfModel(join(dir, 'hf'));
    expect(c).to.deep.include({ nHeads: 8, nKvHeads: 2, headDim: 8 });
    const m = new LlamaModel(c, weights);
    const all = m.forward(m.newCache(64), tokens, 'all');
    for (let t = 0; t < tokens.length; t++) {
      expect(maxAbsDiff(all.subarray(t * c.vocabSize, (t + 1) * c.vocabSize), ref[t]), `position ${t}`).to.be.lessThan(2e-4);
    }
    // decode one token at a time through the KV cache
    const cache = m.newCache(64);
    for (let t = 0; t < tokens.length; t++) {
      const last = m.forward(cache, [tokens[t]], 'last');
      expect(maxAbsDiff(last, ref[t]), `decode position ${t}`).to.be.lessThan(2e-4);
    }
    expect(cache.length).to.equal(tokens.length);
  });

  it('prefill in chunks of PREFILL_CHUNK (a 300-token prompt) equals token-by-token decode', () => {
    const c = tinyConfig({ maxSeqLen: 512 });
    const t = seededHfTensors(c, 9);
    writeHfModel(join(dir, 'long'), c, t);
    const { weights } = loadHfModel(join(dir, 'long'));
    const m = new LlamaModel(c, weights);
    const long = Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % c.vocabSize);
    expect(long.length).to.be.greaterThan(PREFILL_CHUNK);
    const all = m.forward(m.newCache(512), long, 'all');
    const last = m.forward(m.newCache(512), long, 'last');
    const cache = m.newCache(512);
    const V = c.vocabSize;
    for (let i = 0; i < long.length; i++) {
      const row = m.forward(cache, [long[i]], 'last');
      if (i === 0 || i === PREFILL_CHUNK - 1 || i === PREFILL_CHUNK || i === long.length - 1) {
        expect(maxAbsDiff(row, all.subarray(i * V, (i + 1) * V)), `position ${i}`).to.be.lessThan(1e-4);
      }
    }
    expect(maxAbsDiff(last, all.subarray((long.length - 1) * V))).to.be.lessThan(1e-5);
  });

  it('safetensors and GGUF (q/k permuted, adjacent-pair RoPE) of the same weights give the same logits', () => {
    const hf = loadHfModel(join(dir, 'hf'));
    const gg = loadGGUFModel(join(dir, 'f32.gguf'));
    expect(gg.weights.ropeLayout).to.equal('pairs');
    expect(gg.config).to.deep.include({ dim: 64, nHeads: 8, nKvHeads: 2, vocabSize: 300 });
    const a = new LlamaModel(hf.config, hf.weights).forward(new LlamaModel(hf.config, hf.weights).newCache(64), tokens, 'all');
    const gm = new LlamaModel(gg.config, gg.weights);
    const b = gm.forward(gm.newCache(64), tokens, 'all');
    expect(maxAbsDiff(a, b)).to.be.lessThan(1e-5);
  });

  it('reads F16 GGUF weights (converted to fp32 on load) close to fp32', () => {
    writeLlamaGGUF(join(dir, 'f16.gguf'), config, tensors, { vocab: seededSpmVocab(config.vocabSize), projectionType: GGMLType.F16 });
    const f16 = loadGGUFModel(join(dir, 'f16.gguf'));
    const f32 = loadGGUFModel(join(dir, 'f32.gguf'));
    expect(f16.weights.layers[0].proj.q_proj.kind).to.equal('f32');
    const a = new LlamaModel(f16.config, f16.weights);
    const b = new LlamaModel(f32.config, f32.weights);
    const d = maxAbsDiff(a.forward(a.newCache(64), tokens, 'last'), b.forward(b.newCache(64), tokens, 'last'));
    expect(d).to.be.greaterThan(0).and.lessThan(5e-3);
  });

  it('tied embeddings: no lm_head / no output.weight, HF and GGUF agree with the reference', () => {
    const tc = tinyConfig({ tieWordEmbeddings: true });
    const tt = seededHfTensors(tc, 8);
    expect(tt['lm_head.weight']).to.equal(undefined);
    writeHfModel(join(dir, 'tied'), tc, tt);
    writeLlamaGGUF(join(dir, 'tied.gguf'), tc, tt, { vocab: seededSpmVocab(tc.vocabSize) });
    const ref = referenceLogits(tc, tt, tokens);
    const hf = loadHfModel(join(dir, 'tied'));
    const gg = loadGGUFModel(join(dir, 'tied.gguf'));
    expect(gg.config.tieWordEmbeddings).to.equal(true);
    for (const { config: c, weights } of [hf, gg]) {
      const m = new LlamaModel(c, weights);
      const last = m.forward(m.newCache(64), tokens, 'last');
      expect(maxAbsDiff(last, ref[tokens.length - 1])).to.be.lessThan(2e-4);
    }
  });

  it('runs Q8_0 GGUF weights close to fp32', () => {
    const hf = loadHfModel(join(dir, 'hf'));
    const q8 = loadGGUFModel(join(dir, 'q8.gguf'));
    expect(q8.weights.layers[0].proj.q_proj.kind).to.equal('q8_0');
    const a = new LlamaModel(hf.config, hf.weights);
    const b = new LlamaModel(q8.config, q8.weights);
    const la = a.forward(a.newCache(64), tokens, 'last');
    const lb = b.forward(b.newCache(64), tokens, 'last');
    const d = maxAbsDiff(la, lb);
    expect(d).to.be.greaterThan(0);
    expect(d).to.be.lessThan(0.1);
  });

  it('NF4 quantization on load runs and stays close to fp32', () => {
    const hf = loadHfModel(join(dir, 'hf'));
    const nf = loadHfModel(join(dir, 'hf'), 'nf4');
    expect(nf.weights.layers[1].proj.down_proj.kind).to.equal('nf4');
    const a = new LlamaModel(hf.config, hf.weights);
    const b = new LlamaModel(nf.config, nf.weights);
    const la = a.forward(a.newCache(64), tokens, 'last');
    const lb = b.forward(b.newCache(64), tokens, 'last');
    const d = maxAbsDiff(la, lb);
    expect(d).to.be.greaterThan(0);
    expect(d).to.be.lessThan(0.5);
  });

  it('refuses NaN weights, wrong shapes and out-of-range tokens with the tensor named', () => {
    const bad = join(dir, 'nan');
    const t2 = { ...tensors, 'model.norm.weight': { shape: [64], data: Float32Array.from(tensors['model.norm.weight'].data) } };
    t2['model.norm.weight'].data[5] = NaN;
    writeHfModel(bad, config, t2);
    expect(() => loadHfModel(bad)).to.throw(UserError, /model\.safetensors: tensor "model\.norm\.weight" holds NaN at element 5/);
    const shp = join(dir, 'shape');
    writeHfModel(shp, config, { ...tensors, 'model.layers.1.self_attn.k_proj.weight': { shape: [64, 64], data: new Float32Array(64 * 64) } });
    expect(() => loadHfModel(shp)).to.throw(UserError, /tensor "model\.layers\.1\.self_attn\.k_proj\.weight" has shape \[64,64\], expected \[16,64\]/);
    const cfg = JSON.parse(readFileSync(join(shp, 'config.json'), 'utf8'));
    writeFileSync(join(shp, 'config.json'), JSON.stringify({ ...cfg, rope_scaling: { type: 'linear', factor: 2 } }));
    expect(() => loadHfModel(shp)).to.throw(UserError, /config\.json: rope_scaling .* is not supported/);
    // a Q8_0 block scale turned into fp16 NaN
    const q8 = readFileSync(join(dir, 'q8.gguf'));
    const gf = GGUFFile.open(join(dir, 'q8.gguf'));
    const at = gf.info('blk.1.ffn_up.weight').fileOffset + 34 * 5;
    gf.close();
    q8[at] = 0x01;
    q8[at + 1] = 0x7e;
    writeFileSync(join(dir, 'q8-nan.gguf'), q8);
    expect(() => loadGGUFModel(join(dir, 'q8-nan.gguf'))).to.throw(UserError, /q8-nan\.gguf: tensor "blk\.1\.ffn_up\.weight" has a non-finite scale in block 5/);
    const hf = loadHfModel(join(dir, 'hf'));
    const m = new LlamaModel(hf.config, hf.weights);
    expect(() => m.forward(m.newCache(8), [1, 300])).to.throw(UserError, /token id 300 is outside the vocabulary/);
    expect(() => m.forward(m.newCache(2), [1, 2, 3])).to.throw(UserError, /exceeds the context of 2 tokens/);
  });
});
