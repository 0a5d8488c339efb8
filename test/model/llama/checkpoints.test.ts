import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nf4Quantize } from '../../../kernels/index.js';
import { writeSafetensors, type TensorToWrite } from '../../../model/formats/safetensors-write.js';
import { hfConfigJson } from '../../../model/llama/hf-write.js';
import { hfProjectionName, loadHfModel } from '../../../model/llama/hf-checkpoint.js';
import { LlamaModel } from '../../../model/llama/llama-model.js';
import { seededHfTensors, tinyConfig } from '../../../model/llama/seeded.js';
import { PROJECTIONS } from '../../../model/llama/projections.js';
import { UserError } from '../../../core/errors.js';

describe('model/llama HF checkpoint variants', () => {
  let dir: string;
  const config = tinyConfig();
  const tensors = seededHfTensors(config, 21);
  const tokens = [1, 5, 280, 64, 77];
  before(() => (dir = mkdtempSync(join(tmpdir(), 'ef-ckpt-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function logits(path: string, quant: 'none' | 'nf4' = 'none'): Float32Array {
    const { weights } = loadHfModel(path, quant);
    const m = new LlamaModel(config, weights);
    return m.forward(m.newCache(16), tokens, 'all');
  }

  it('loads a bitsandbytes-saved 4-bit checkpoint (packed uint8 + absmax/quant_map/nested_* + quant_state) like NF4 quantized on load', () => {
    const out: Record<string, TensorToWrite> = {};
    const projNames = new Set<string>();
    for (let l = 0; l < config.nLayers; l++) for (const p of PROJECTIONS) projNames.add(hfProjectionName(l, p));
    for (const [name, t] of Object.entries(tensors)) {
      if (!projNames.has(name)) {
        out[name] = { dtype: 'F32', shape: t.shape, data: t.data };
        continue;
      }
      const q = nf4Quantize(t.data, 64, true, t.shape);
      const state = { quant_type: 'nf4', blocksize: 64, dtype: 'float32', shape: t.shape, nested_blocksize: 256, nested_dtype: 'float32', nested_offset: q.nested!.offset };
      const stateBytes = new TextEncoder().encode(JSON.stringify(state));
      out[name] = { dtype: 'U8', shape: [q.packed.length, 1], data: q.packed };
      out[`${name}.absmax`] = { dtype: 'U8', shape: [q.nested!.qabsmax.length], data: q.nested!.qabsmax };
      out[`${name}.quant_map`] = { dtype: 'F32', shape: [16], data: q.code };
      out[`${name}.nested_absmax`] = { dtype: 'F32', shape: [q.nested!.absmax2.length], data: q.nested!.absmax2 };
      out[`${name}.nested_quant_map`] = { dtype: 'F32', shape: [256], data: q.nested!.code2 };
      out[`${name}.quant_state.bitsandbytes__nf4`] = { dtype: 'U8', shape: [stateBytes.length], data: stateBytes };
    }
    const bnb = join(dir, 'bnb');
    mkdirSync(bnb);
    writeSafetensors(join(bnb, 'model.safetensors'), out);
    writeFileSync(join(bnb, 'config.json'), JSON.stringify(hfConfigJson(config)));
    const f32 = join(dir, 'f32');
    mkdirSync(f32);
    writeSafetensors(join(f32, 'model.safetensors'), Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, { dtype: 'F32' as const, shape: t.shape, data: t.data }])));
    writeFileSync(join(f32, 'config.json'), JSON.stringify(hfConfigJson(config)));
    const { weights } = loadHfModel(bnb);
    expect(weights.layers[0].proj.q_proj.kind).to.equal('nf4');
    expect(Array.from(logits(bnb))).to.deep.equal(Array.from(logits(f32, 'nf4')));
  });

  it('reads a sharded checkpoint through model.safetensors.index.json, and BF16 tensors', () => {
    const sh = join(dir, 'sharded');
    mkdirSync(sh);
    const names = Object.keys(tensors);
    const half = Math.floor(names.length / 2);
    const shards = [names.slice(0, half), names.slice(half)];
    const weightMap: Record<string, string> = {};
    shards.forEach((ns, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      writeSafetensors(join(sh, file), Object.fromEntries(ns.map((n) => [n, { dtype: 'F32' as const, shape: tensors[n].shape, data: tensors[n].data }])));
      for (const n of ns) weightMap[n] = file;
    });
    writeFileSync(join(sh, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
    writeFileSync(join(sh, 'config.json'), JSON.stringify(hfConfigJson(config)));
    const one = join(dir, 'one');
    mkdirSync(one);
    writeSafetensors(join(one, 'model.safetensors'), Object.fromEntries(names.map((n) => [n, { dtype: 'F32' as const, shape: tensors[n].shape, data: tensors[n].data }])));
    writeFileSync(join(one, 'config.json'), JSON.stringify(hfConfigJson(config)));
    expect(Array.from(logits(sh))).to.deep.equal(Array.from(logits(one)));
    // BF16: truncate every fp32 to its top 16 bits; the model must load and stay close
    const bf = join(dir, 'bf16');
    mkdirSync(bf);
    writeSafetensors(join(bf, 'model.safetensors'), Object.fromEntries(names.map((n) => {
      const u32 = new Uint32Array(tensors[n].data.buffer, tensors[n].data.byteOffset, tensors[n].data.length);
      return [n, { dtype: 'BF16' as const, shape: tensors[n].shape, data: Uint16Array.from(u32, (x) => x >>> 16) }];
    })));
    writeFileSync(join(bf, 'config.json'), JSON.stringify(hfConfigJson(config)));
    const a = logits(bf), b = logits(one);
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    expect(d).to.be.greaterThan(0).and.lessThan(0.2);
    // an index pointing at a shard that lacks the tensor
    writeFileSync(join(sh, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { ...weightMap, 'model.norm.weight': 'model-00001-of-00002.safetensors' } }));
    expect(shards[0]).to.not.include('model.norm.weight');
    expect(() => loadHfModel(sh)).to.throw(UserError, /tensor "model\.norm\.weight" is mapped to model-00001-of-00002\.safetensors but that shard does not hold it/);
  });
});
