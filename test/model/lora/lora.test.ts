import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHfModel } from '../../../model/llama/hf-checkpoint.js';
import { writeHfModel } from '../../../model/llama/hf-write.js';
import { linearToF32 } from '../../../model/llama/linear.js';
import { LlamaModel } from '../../../model/llama/llama-model.js';
import { seededHfTensors, tinyConfig } from '../../../model/llama/seeded.js';
import { type LlamaWeights } from '../../../model/llama/weights.js';
import { PROJECTIONS } from '../../../model/llama/projections.js';
import { adapterToKernelMemory, freeAdapterKernelMemory, mergedWeight } from '../../../model/lora/adapter.js';
import { inKernelMemory, kernelBackend } from '../../../kernels/index.js';
import { loadPeftAdapter } from '../../../model/lora/peft.js';
import { peftTensorName, seededPeftTensors, writePeftAdapter, type PeftWriteOptions } from '../../../model/lora/peft-write.js';
import { UserError } from '../../../core/errors.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('model/lora', () => {
  let dir: string;
  const config = tinyConfig();
  const tokens = [1, 17, 250, 33, 4, 180];
  const opts: PeftWriteOptions = { r: 4, loraAlpha: 8, targetModules: [...PROJECTIONS] };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ef-lora-'));
    writeHfModel(join(dir, 'base'), config, seededHfTensors(config, 3));
    writePeftAdapter(join(dir, 'ad1'), opts, seededPeftTensors(config, opts, 11));
    writePeftAdapter(join(dir, 'ad2'), { ...opts, useRslora: true, targetModules: ['q_proj', 'v_proj'] }, seededPeftTensors(config, { ...opts, targetModules: ['q_proj', 'v_proj'] }, 12));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function merged(weights: LlamaWeights, adapterDir: string): LlamaWeights {
    const ad = loadPeftAdapter(adapterDir, config);
    return {
      ...weights,
      layers: weights.layers.map((L, l) => {
        const proj = { ...L.proj };
        for (const p of PROJECTIONS) {
          const m = ad.layers[l][p];
          if (m) proj[p] = { kind: 'f32', rows: proj[p].rows, cols: proj[p].cols, data: mergedWeight(linearToF32(proj[p]), m) };
        }
        return { ...L, proj };
      }),
    };
  }

  for (const quant of ['none', 'nf4'] as const) {
    it(`unmerged LoRA over a ${quant === 'nf4' ? 'NF4' : 'fp32'} base equals the merged-weights forward within 1e-5`, () => {
      const { weights } = loadHfModel(join(dir, 'base'), quant);
      const m = new LlamaModel(config, weights);
      m.adapter = loadPeftAdapter(join(dir, 'ad1'), config);
      expect(m.adapter.layers[1].down_proj?.scaling).to.equal(2);
      const un = m.forward(m.newCache(32), tokens, 'all');
      const mm = new LlamaModel(config, merged(weights, join(dir, 'ad1')));
      const me = mm.forward(mm.newCache(32), tokens, 'all');
      expect(maxAbsDiff(un, me)).to.be.lessThan(1e-5);
      m.adapter = null;
      const base = m.forward(m.newCache(32), tokens, 'all');
      expect(maxAbsDiff(un, base)).to.be.greaterThan(1e-3);
    });
  }

  it('rsLoRA scales by alpha/sqrt(r); switching adapters reuses the same base weights', () => {
    const { weights } = loadHfModel(join(dir, 'base'), 'nf4');
    const m = new LlamaModel(config, weights);
    const a2 = loadPeftAdapter(join(dir, 'ad2'), config);
    expect(a2.layers[0].q_proj?.scaling).to.equal(8 / 2);
    expect(a2.layers[0].k_proj).to.equal(undefined);
    const q = weights.layers[0].proj.q_proj;
    m.adapter = a2;
    const x = m.forward(m.newCache(32), tokens);
    m.adapter = loadPeftAdapter(join(dir, 'ad1'), config);
    const y = m.forward(m.newCache(32), tokens);
    expect(m.weights.layers[0].proj.q_proj).to.equal(q);
    expect(maxAbsDiff(x, y)).to.be.greaterThan(1e-4);
  });

  it('an adapter in kernel memory (wasm matmuls) gives the same logits as in JS arrays, and can be freed', () => {
    const { weights } = loadHfModel(join(dir, 'base'));
    const m = new LlamaModel(config, weights);
    m.adapter = loadPeftAdapter(join(dir, 'ad1'), config);
    const js = m.forward(m.newCache(32), tokens, 'all');
    const placed = adapterToKernelMemory(m.adapter);
    expect(inKernelMemory(placed.layers[0].q_proj!.a)).to.equal(kernelBackend().backend === 'wasm');
    m.adapter = placed;
    const wasm = m.forward(m.newCache(32), tokens, 'all');
    expect(maxAbsDiff(js, wasm)).to.be.lessThan(1e-5);
    m.adapter = null;
    freeAdapterKernelMemory(placed);
  });

  it('refuses an adapter whose shapes do not fit the base, naming file and tensor', () => {
    const t = seededPeftTensors(config, opts, 5);
    const name = peftTensorName(1, 'k_proj', 'B');
    t[name] = { shape: [64, 4], data: new Float32Array(256) };
    writePeftAdapter(join(dir, 'bad'), opts, t);
    expect(() => loadPeftAdapter(join(dir, 'bad'), config)).to.throw(UserError, /adapter_model\.safetensors: tensor "base_model\.model\.model\.layers\.1\.self_attn\.k_proj\.lora_B\.weight" has shape \[64,4\], expected \[16, 4\]/);
    const t2 = seededPeftTensors(config, opts, 5);
    delete t2[peftTensorName(0, 'q_proj', 'A')];
    writePeftAdapter(join(dir, 'bad2'), opts, t2);
    expect(() => loadPeftAdapter(join(dir, 'bad2'), config)).to.throw(UserError, /q_proj\.lora_B\.weight has no matching lora_A/);
    writeFileSync(join(dir, 'bad2', 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 4, lora_alpha: 8, use_dora: true }));
    expect(() => loadPeftAdapter(join(dir, 'bad2'), config)).to.throw(UserError, /DoRA/);
    expect(() => loadPeftAdapter(join(dir, 'nope'), config)).to.throw(UserError, /no adapter_config\.json/);
  });

  it('refuses an adapter missing the tensors of a targeted layer or module, or holding untargeted ones, naming file and tensor', () => {
    const t = seededPeftTensors(config, opts, 5);
    for (const p of PROJECTIONS) for (const ab of ['A', 'B'] as const) delete t[peftTensorName(1, p, ab)]; // every layer-1 tensor
    writePeftAdapter(join(dir, 'no-layer-1'), opts, t);
    expect(() => loadPeftAdapter(join(dir, 'no-layer-1'), config)).to.throw(UserError, /no-layer-1\/adapter_model\.safetensors: no LoRA tensors for 7 of the 14 modules target_modules .* names \(layers 1\); first: base_model\.model\.model\.layers\.1\.self_attn\.q_proj\.lora_A\.weight/);
    // the same tensors with layers_to_transform = [0] are a whole adapter
    writeFileSync(join(dir, 'no-layer-1', 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: [...PROJECTIONS], layers_to_transform: [0] }));
    expect(loadPeftAdapter(join(dir, 'no-layer-1'), config).layers[1]).to.deep.equal({});
    const qv = seededPeftTensors(config, { ...opts, targetModules: ['q_proj', 'v_proj'] }, 6);
    writePeftAdapter(join(dir, 'stray'), { ...opts, targetModules: ['q_proj'] }, qv);
    expect(() => loadPeftAdapter(join(dir, 'stray'), config)).to.throw(UserError, /stray\/adapter_model\.safetensors: holds LoRA tensors for model\.layers\.0\.self_attn\.v_proj, which target_modules \["q_proj"\] .* does not name/);
  });

  it('names target_modules the base does not have: a warning when others match (as peft), an error when none does', () => {
    const qv = seededPeftTensors(config, { ...opts, targetModules: ['q_proj', 'v_proj'] }, 7);
    writePeftAdapter(join(dir, 'extra-target'), { ...opts, targetModules: ['q_proj', 'v_proj', 'c_attn' as never] }, qv);
    const ad = loadPeftAdapter(join(dir, 'extra-target'), config);
    expect(ad.warnings).to.deep.equal([`${join(dir, 'extra-target', 'adapter_config.json')}: target_modules names "c_attn", which this LLaMA base does not have; ignored, as peft ignores it when other names match`]);
    expect(Object.keys(ad.layers[0]).sort()).to.deep.equal(['q_proj', 'v_proj']);
    writeFileSync(join(dir, 'extra-target', 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['c_attn', 'c_proj'] }));
    expect(() => loadPeftAdapter(join(dir, 'extra-target'), config)).to.throw(UserError, /adapter_config\.json: target_modules \["c_attn","c_proj"\] names no module of this base \(a LLaMA with 2 layers; its projections: q_proj, /);
    // a regex, as peft takes a string: full match over the module name
    writeFileSync(join(dir, 'extra-target', 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: '.*\\.(q|v)_proj' }));
    expect(loadPeftAdapter(join(dir, 'extra-target'), config).warnings).to.equal(undefined);
  });
});

