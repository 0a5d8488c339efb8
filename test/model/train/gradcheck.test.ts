import { expect } from 'chai';
import { initLora, type LoraOptions } from '../../../model/train/lora.js';
import { TrainModel } from '../../../model/train/train-model.js';
import { Rng } from '../../../kernels/rng.js';
import { quantizeProjections } from '../../../model/train/train-weights.js';
import { PROJECTIONS } from '../../../model/llama/projections.js';
import { tinyBase, tinyConfig } from './tiny-model.js';

const tokens = Int32Array.from([1, 5, 3, 9, 4, 7, 2]);
const T = tokens.length - 1;
const inputs = tokens.subarray(0, T);
const targets = tokens.subarray(1);
const mask = Uint8Array.from([0, 0, 1, 1, 1, 1]); // prompt positions masked

function lossOf(m: TrainModel, dropoutSeed: number | null): number {
  m.forward(inputs, T, dropoutSeed === null ? null : new Rng(dropoutSeed));
  return m.loss(targets, mask, T);
}

/** Compares analytic gradients with central differences at a few indices of every parameter. */
function gradcheck(m: TrainModel, dropoutSeed: number | null, perParam = 4): { checked: number; worst: number } {
  m.zeroGrads();
  m.forward(inputs, T, dropoutSeed === null ? null : new Rng(dropoutSeed));
  m.backward(inputs, targets, mask, T, 1, true);
  const pick = new Rng(99);
  let checked = 0;
  let worst = 0;
  for (const p of m.params) {
    for (let k = 0; k < perParam; k++) {
      const i = Math.floor(pick.uniform() * p.data.length);
      const orig = p.data[i]!;
      const eps = 1e-2;
      p.data[i] = orig + eps;
      const lp = lossOf(m, dropoutSeed);
      p.data[i] = orig - eps;
      const lm = lossOf(m, dropoutSeed);
      p.data[i] = orig;
      const numeric = (lp - lm) / (2 * eps);
      const analytic = p.grad[i]!;
      const err = Math.abs(numeric - analytic) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic));
      expect(err, `${p.name}[${i}]: analytic ${analytic} vs numeric ${numeric}`).to.be.lessThan(2e-2);
      worst = Math.max(worst, err);
      checked++;
    }
  }
  return { checked, worst };
}

describe('trainer backward (finite-difference gradient checks)', () => {
  it('full-parameter mode: embedding, RMSNorm gains, all seven projections, final norm, lm_head', () => {
    const m = new TrainModel(tinyBase(tinyConfig()), null, 8);
    const names = m.params.map((p) => p.name);
    expect(names).to.include.members(['model.embed_tokens.weight', 'lm_head.weight', 'model.norm.weight', 'model.layers.1.mlp.down_proj.weight', 'model.layers.0.input_layernorm.weight']);
    const { checked } = gradcheck(m, null);
    expect(checked).to.equal(4 * m.params.length);
  });

  it('full-parameter mode with tied embeddings accumulates both uses into one gradient', () => {
    const m = new TrainModel(tinyBase(tinyConfig({ tieWordEmbeddings: true })), null, 8);
    expect(m.params.filter((p) => p.name === 'model.embed_tokens.weight')).to.have.length(1);
    expect(m.params.some((p) => p.name === 'lm_head.weight')).to.equal(false);
    gradcheck(m, null);
  });

  it('LoRA over a frozen NF4 base (all seven targets), backward through the NF4 weights', () => {
    const config = tinyConfig();
    const base = tinyBase(config);
    quantizeProjections(base);
    const rng = new Rng(3);
    const opts: LoraOptions = { r: 4, alpha: 8, dropout: 0, useRslora: false, targetModules: [...PROJECTIONS] };
    const lora = initLora(config, opts, () => rng.uniform());
    for (const l of lora.layers) for (const p of PROJECTIONS) { const B = l[p]!.b; for (let i = 0; i < B.length; i++) B[i] = 0.3 * rng.normal(); }
    const m = new TrainModel(base, lora, 8);
    expect(m.params).to.have.length(2 * 7 * 2);
    expect(m.params.every((p) => /lora_[AB]\.weight$/.test(p.name))).to.equal(true);
    gradcheck(m, null);
  });

  it('LoRA with dropout and rsLoRA scaling (same dropout mask in every evaluation)', () => {
    const config = tinyConfig();
    const base = tinyBase(config, 5);
    quantizeProjections(base);
    const rng = new Rng(4);
    const lora = initLora(config, { r: 2, alpha: 4, dropout: 0.25, useRslora: true, targetModules: ['q_proj', 'v_proj', 'down_proj'] }, () => rng.uniform());
    expect(lora.scaling).to.be.closeTo(4 / Math.sqrt(2), 1e-12);
    for (const l of lora.layers) for (const p of ['q_proj', 'v_proj', 'down_proj'] as const) { const B = l[p]!.b; for (let i = 0; i < B.length; i++) B[i] = 0.3 * rng.normal(); }
    const m = new TrainModel(base, lora, 8);
    expect(m.params).to.have.length(2 * 3 * 2);
    gradcheck(m, 77);
  });
});
