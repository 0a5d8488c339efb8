// An independent naive LLaMA forward in float64 with plain loops, for checking the runtime:
// HF layout (rotate_half RoPE), full causal attention with explicit softmax, GQA by h / (NH/NKV).
import type { LlamaConfig } from '../../../model/llama/config.js';
import type { NamedTensors } from '../../../model/llama/seeded.js';

function matvec(w: Float32Array, x: Float64Array, rows: number, cols: number): Float64Array {
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w[r * cols + c] * x[c];
    y[r] = s;
  }
  return y;
}

function rmsnorm(x: Float64Array, w: Float32Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const r = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * r * w[i]);
}

function ropeHalf(x: Float64Array, nh: number, hs: number, pos: number, theta: number): void {
  const half = hs / 2;
  for (let h = 0; h < nh; h++) {
    for (let i = 0; i < half; i++) {
      const ang = pos * Math.pow(theta, (-2 * i) / hs);
      const a = x[h * hs + i], b = x[h * hs + i + half];
      x[h * hs + i] = a * Math.cos(ang) - b * Math.sin(ang);
      x[h * hs + i + half] = b * Math.cos(ang) + a * Math.sin(ang);
    }
  }
}

/** logits[T][vocab] for the token sequence, every position. */
export function referenceLogits(c: LlamaConfig, t: NamedTensors, tokens: number[]): Float64Array[] {
  const D = c.dim, HS = c.headDim, NH = c.nHeads, NKV = c.nKvHeads;
  const emb = t['model.embed_tokens.weight'].data;
  const out = (t['lm_head.weight'] ?? t['model.embed_tokens.weight']).data;
  const keys: Float64Array[][] = Array.from({ length: c.nLayers }, () => []);
  const vals: Float64Array[][] = Array.from({ length: c.nLayers }, () => []);
  const result: Float64Array[] = [];
  tokens.forEach((tok, pos) => {
    let x = Float64Array.from(emb.subarray(tok * D, tok * D + D));
    for (let l = 0; l < c.nLayers; l++) {
      const g = (n: string) => t[`model.layers.${l}.${n}.weight`].data;
      const n1 = rmsnorm(x, g('input_layernorm'), c.normEps);
      const q = matvec(g('self_attn.q_proj'), n1, NH * HS, D);
      const k = matvec(g('self_attn.k_proj'), n1, NKV * HS, D);
      const v = matvec(g('self_attn.v_proj'), n1, NKV * HS, D);
      ropeHalf(q, NH, HS, pos, c.ropeTheta);
      ropeHalf(k, NKV, HS, pos, c.ropeTheta);
      keys[l].push(k);
      vals[l].push(v);
      const att = new Float64Array(NH * HS);
      for (let h = 0; h < NH; h++) {
        const kh = Math.floor(h / (NH / NKV));
        const scores = keys[l].map((kk) => {
          let s = 0;
          for (let i = 0; i < HS; i++) s += q[h * HS + i] * kk[kh * HS + i];
          return s / Math.sqrt(HS);
        });
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let p = 0; p <= pos; p++) for (let i = 0; i < HS; i++) att[h * HS + i] += (e[p] / z) * vals[l][p][kh * HS + i];
      }
      const o = matvec(g('self_attn.o_proj'), att, D, NH * HS);
      x = x.map((xv, i) => xv + o[i]);
      const n2 = rmsnorm(x, g('post_attention_layernorm'), c.normEps);
      const gate = matvec(g('mlp.gate_proj'), n2, c.hiddenDim, D);
      const up = matvec(g('mlp.up_proj'), n2, c.hiddenDim, D);
      const hdn = gate.map((gv, i) => (gv / (1 + Math.exp(-gv))) * up[i]);
      const d = matvec(g('mlp.down_proj'), hdn, D, c.hiddenDim);
      x = x.map((xv, i) => xv + d[i]);
    }
    result.push(matvec(out, rmsnorm(x, t['model.norm.weight'].data, c.normEps), c.vocabSize, D));
  });
  return result;
}
