// The LLaMA block stack for training, llm.c style: a forward that keeps the activations the
// backward needs, and a hand-written backward, for one sequence of T tokens (batch 1; gradient
// accumulation gives larger batches). RoPE uses HF's rotate_half ('neox') layout because the
// weights are HF checkpoints. Shapes per layer: x[T,C], q[T,NH·HS], k/v[T,NKV·HS], h[T,F].
import {
  attentionBackward,
  attentionForward,
  crossentropyBackward,
  crossentropyForward,
  embeddingBackward,
  embeddingForward,
  matmulBackward,
  matmulForward,
  rmsnormBackward,
  rmsnormForward,
  ropeBackward,
  ropeForward,
  swigluBackward,
  swigluForward,
} from '../../kernels/index.js';
import type { LlamaConfig } from '../llama/config.js';
import { allocLinearActs, linearBackward, linearForward, type Linear, type LinearActs, type LinearScratch } from './trainable-linear.js';
import type { LoraAdapters } from './lora.js';
import type { Rng } from '../../kernels/rng.js';
import { type BaseWeights } from './train-weights.js';
import { PROJECTIONS, projectionPath, projectionShape, type Projection } from '../llama/projections.js';

/** A trainable tensor with its gradient (and the HF/PEFT name it is saved under). */
export interface Param {
  name: string;
  data: Float32Array;
  grad: Float32Array;
  shape: number[];
  /** AdamW weight decay applies (matrices yes, norm gains no). */
  decay: boolean;
}

interface LayerActs {
  x: Float32Array; // block input (residual) [T,C]
  xn1: Float32Array;
  rstd1: Float32Array;
  q: Float32Array; // after RoPE
  k: Float32Array;
  v: Float32Array;
  att: Float32Array;
  lse: Float32Array;
  x1: Float32Array; // after attention residual
  xn2: Float32Array;
  rstd2: Float32Array;
  g: Float32Array;
  u: Float32Array;
  h: Float32Array;
  lin: Record<Projection, LinearActs>;
}

export type TrainMode = 'full' | 'lora';

export class TrainModel {
  readonly config: LlamaConfig;
  readonly mode: TrainMode;
  readonly params: Param[] = [];
  readonly linears: Record<Projection, Linear>[] = [];
  private readonly base: BaseWeights;
  private readonly gradOf = new Map<Float32Array, Float32Array>();
  readonly maxT: number;
  /** When set, milliseconds spent per kernel family are added here (bench/train.bench.ts). */
  profile: Record<string, number> | null = null;
  private acts: LayerActs[] = [];
  private xFinal: Float32Array;
  private xfn: Float32Array;
  private rstdF: Float32Array;
  private logits: Float32Array;
  private scratch: LinearScratch;
  // backward buffers
  private dres: Float32Array;
  private dxn: Float32Array;
  private dq: Float32Array;
  private dk: Float32Array;
  private dv: Float32Array;
  private datt: Float32Array;
  private dg: Float32Array;
  private du: Float32Array;
  private dh: Float32Array;
  private dlogits: Float32Array;
  private tmpC: Float32Array;

  constructor(base: BaseWeights, lora: LoraAdapters | null, maxT: number) {
    const c = base.config;
    this.config = c;
    this.base = base;
    this.mode = lora ? 'lora' : 'full';
    this.maxT = maxT;
    const full = this.mode === 'full';
    const grad = (name: string, data: Float32Array, shape: number[], decay: boolean): Float32Array => {
      const existing = this.gradOf.get(data);
      if (existing) return existing; // tied embedding / lm_head share one gradient
      const g = new Float32Array(data.length);
      this.gradOf.set(data, g);
      this.params.push({ name, data, grad: g, shape, decay });
      return g;
    };
    if (full) grad('model.embed_tokens.weight', base.embed, [c.vocabSize, c.dim], true);
    base.layers.forEach((lw, i) => {
      if (full) {
        grad(`model.layers.${i}.input_layernorm.weight`, lw.inputNorm, [c.dim], false);
        grad(`model.layers.${i}.post_attention_layernorm.weight`, lw.postNorm, [c.dim], false);
      }
      const lin = {} as Record<Projection, Linear>;
      for (const p of PROJECTIONS) {
        const b = lw.proj[p];
        const pair = lora?.layers[i]?.[p] ?? null;
        const [outDim, inD] = projectionShape(c, p);
        if (full && b.kind !== 'f32') throw new Error(`full-parameter training needs fp32 weights (${projectionPath(i, p)} is NF4)`);
        const path = projectionPath(i, p);
        lin[p] = {
          inDim: inD,
          outDim,
          base: b,
          lora: pair,
          scaling: lora ? lora.scaling : 0,
          dropout: lora ? lora.options.dropout : 0,
          grads: {
            w: full && b.kind === 'f32' ? grad(`${path}.weight`, b.w, [outDim, inD], true) : null,
            A: pair ? grad(`base_model.model.${path}.lora_A.weight`, pair.a, [lora!.options.r, inD], true) : null,
            B: pair ? grad(`base_model.model.${path}.lora_B.weight`, pair.b, [outDim, lora!.options.r], true) : null,
          },
        };
      }
      this.linears.push(lin);
    });
    if (full) {
      grad('model.norm.weight', base.norm, [c.dim], false);
      grad(c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight', base.lmHead, [c.vocabSize, c.dim], true);
    }
    // activations
    const C = c.dim, qD = c.nHeads * c.headDim, kvD = c.nKvHeads * c.headDim, F = c.hiddenDim, T = maxT;
    const f = (n: number) => new Float32Array(n);
    const r = lora?.options.r ?? 0;
    for (let i = 0; i < c.nLayers; i++) {
      const lin = {} as Record<Projection, LinearActs>;
      for (const p of PROJECTIONS) lin[p] = allocLinearActs(this.linears[i]![p], T, r);
      this.acts.push({
        x: f(T * C), xn1: f(T * C), rstd1: f(T), q: f(T * qD), k: f(T * kvD), v: f(T * kvD), att: f(T * qD), lse: f(T * c.nHeads),
        x1: f(T * C), xn2: f(T * C), rstd2: f(T), g: f(T * F), u: f(T * F), h: f(T * F), lin,
      });
    }
    const maxDim = Math.max(C, qD, kvD, F);
    this.scratch = { a: f(T * maxDim), b: f(T * Math.max(r, 1)) };
    this.xFinal = f(T * C);
    this.xfn = f(T * C);
    this.rstdF = f(T);
    this.logits = f(T * c.vocabSize);
    this.dres = f(T * C);
    this.dxn = f(T * C);
    this.dq = f(T * qD);
    this.dk = f(T * kvD);
    this.dv = f(T * kvD);
    this.datt = f(T * qD);
    this.dg = f(T * F);
    this.du = f(T * F);
    this.dh = f(T * F);
    this.dlogits = f(T * c.vocabSize);
    this.tmpC = f(T * C);
  }

  private p(name: string, fn: () => void): void {
    if (!this.profile) return fn();
    const t0 = performance.now();
    fn();
    this.profile[name] = (this.profile[name] ?? 0) + performance.now() - t0;
  }

  zeroGrads(): void {
    for (const p of this.params) p.grad.fill(0);
  }

  private checkT(T: number): void {
    if (T < 1 || T > this.maxT) throw new Error(`sequence of ${T} tokens does not fit the ${this.maxT}-token training window`);
  }

  /** Forward over tokens[0..T): logits[T,V] (a view valid until the next call). rng: dropout when training. */
  forward(tokens: ArrayLike<number>, T: number, rng: Rng | null): Float32Array {
    this.forwardBlocks(tokens, T, rng);
    const c = this.config;
    this.p('rmsnorm', () => rmsnormForward(this.xfn, this.rstdF, this.xFinal, this.base.norm, T, c.dim, c.normEps));
    this.p('lm_head', () => matmulForward(this.logits, this.xfn, this.base.lmHead, null, T, c.dim, c.vocabSize));
    return this.logits;
  }

  /** Inference only: the logits [V] of the last position (no lm_head work for the others). */
  forwardLast(tokens: ArrayLike<number>, T: number): Float32Array {
    this.forwardBlocks(tokens, T, null);
    const c = this.config;
    const C = c.dim;
    const last = this.xFinal.subarray((T - 1) * C, T * C);
    this.p('rmsnorm', () => rmsnormForward(this.xfn, this.rstdF, last, this.base.norm, 1, C, c.normEps));
    const out = this.logits.subarray(0, c.vocabSize);
    this.p('lm_head', () => matmulForward(out, this.xfn, this.base.lmHead, null, 1, C, c.vocabSize));
    return out;
  }

  private forwardBlocks(tokens: ArrayLike<number>, T: number, rng: Rng | null): void {
    this.checkT(T);
    const c = this.config;
    const C = c.dim, NH = c.nHeads, NKV = c.nKvHeads, HS = c.headDim, F = c.hiddenDim;
    const s = this.scratch;
    let x = this.acts.length > 0 ? this.acts[0]!.x : this.xFinal;
    this.p('embedding', () => embeddingForward(x, tokens, this.base.embed, T, C, c.vocabSize));
    for (let i = 0; i < c.nLayers; i++) {
      const a = this.acts[i]!;
      const lw = this.base.layers[i]!;
      const lin = this.linears[i]!;
      if (a.x !== x) a.x.set(x.subarray(0, T * C));
      this.p('rmsnorm', () => rmsnormForward(a.xn1, a.rstd1, a.x, lw.inputNorm, T, C, c.normEps));
      this.p('matmul', () => linearForward(a.q, a.xn1, T, lin.q_proj, a.lin.q_proj, s, rng));
      this.p('matmul', () => linearForward(a.k, a.xn1, T, lin.k_proj, a.lin.k_proj, s, rng));
      this.p('matmul', () => linearForward(a.v, a.xn1, T, lin.v_proj, a.lin.v_proj, s, rng));
      this.p('rope', () => ropeForward(a.q, T, NH, HS, 0, c.ropeTheta, 'neox'));
      this.p('rope', () => ropeForward(a.k, T, NKV, HS, 0, c.ropeTheta, 'neox'));
      this.p('attention', () => attentionForward(a.att, a.lse, a.q, a.k, a.v, T, 0, NH, NKV, HS));
      this.p('matmul', () => linearForward(this.tmpC, a.att, T, lin.o_proj, a.lin.o_proj, s, rng));
      for (let j = 0; j < T * C; j++) a.x1[j] = a.x[j]! + this.tmpC[j]!;
      this.p('rmsnorm', () => rmsnormForward(a.xn2, a.rstd2, a.x1, lw.postNorm, T, C, c.normEps));
      this.p('matmul', () => linearForward(a.g, a.xn2, T, lin.gate_proj, a.lin.gate_proj, s, rng));
      this.p('matmul', () => linearForward(a.u, a.xn2, T, lin.up_proj, a.lin.up_proj, s, rng));
      this.p('swiglu', () => swigluForward(a.h, a.g, a.u, T * F));
      this.p('matmul', () => linearForward(this.tmpC, a.h, T, lin.down_proj, a.lin.down_proj, s, rng));
      const next = i + 1 < c.nLayers ? this.acts[i + 1]!.x : this.xFinal;
      for (let j = 0; j < T * C; j++) next[j] = a.x1[j]! + this.tmpC[j]!;
      x = next;
    }
  }

  /** Mean cross-entropy of targets where mask != 0, from the last forward's logits. */
  loss(targets: Int32Array, mask: Uint8Array, T: number): number {
    return crossentropyForward(null, this.logits, targets, mask, T, this.config.vocabSize);
  }

  /** Accumulates gradients of dloss·loss into params[].grad (call after forward with the same T). */
  backward(tokens: ArrayLike<number>, targets: Int32Array, mask: Uint8Array, T: number, dloss: number, training: boolean): void {
    const c = this.config;
    const C = c.dim, NH = c.nHeads, NKV = c.nKvHeads, HS = c.headDim, F = c.hiddenDim, V = c.vocabSize;
    const s = this.scratch;
    const full = this.mode === 'full';
    const dlogits = this.dlogits.subarray(0, T * V);
    dlogits.fill(0);
    this.p('crossentropy', () => crossentropyBackward(dlogits, this.logits, targets, mask, T, V, dloss));
    const dxfn = this.dxn.subarray(0, T * C);
    dxfn.fill(0);
    this.p('lm_head', () => matmulBackward(dxfn, full ? this.gradOf.get(this.base.lmHead)! : null, null, dlogits, this.xfn, this.base.lmHead, T, C, V));
    const dres = this.dres.subarray(0, T * C);
    dres.fill(0);
    this.p('rmsnorm', () => rmsnormBackward(dres, full ? this.gradOf.get(this.base.norm)! : null, dxfn, this.xFinal, this.base.norm, this.rstdF, T, C));
    for (let i = c.nLayers - 1; i >= 0; i--) {
      const a = this.acts[i]!;
      const lw = this.base.layers[i]!;
      const lin = this.linears[i]!;
      // FFN: x2 = x1 + down(swiglu(gate(xn2), up(xn2)))
      const dh = this.dh.subarray(0, T * F);
      dh.fill(0);
      this.p('matmul', () => linearBackward(dh, dres, a.h, T, lin.down_proj, a.lin.down_proj, s, training));
      const dg = this.dg.subarray(0, T * F);
      const du = this.du.subarray(0, T * F);
      dg.fill(0);
      du.fill(0);
      this.p('swiglu', () => swigluBackward(dg, du, dh, a.g, a.u, T * F));
      const dxn2 = this.dxn.subarray(0, T * C);
      dxn2.fill(0);
      this.p('matmul', () => linearBackward(dxn2, dg, a.xn2, T, lin.gate_proj, a.lin.gate_proj, s, training));
      this.p('matmul', () => linearBackward(dxn2, du, a.xn2, T, lin.up_proj, a.lin.up_proj, s, training));
      this.p('rmsnorm', () => rmsnormBackward(dres, full ? this.gradOf.get(lw.postNorm)! : null, dxn2, a.x1, lw.postNorm, a.rstd2, T, C));
      // attention: x1 = x + o(attn(rope(q(xn1)), rope(k(xn1)), v(xn1)))
      const datt = this.datt.subarray(0, T * NH * HS);
      datt.fill(0);
      this.p('matmul', () => linearBackward(datt, dres, a.att, T, lin.o_proj, a.lin.o_proj, s, training));
      const dq = this.dq.subarray(0, T * NH * HS);
      const dk = this.dk.subarray(0, T * NKV * HS);
      const dv = this.dv.subarray(0, T * NKV * HS);
      dq.fill(0);
      dk.fill(0);
      dv.fill(0);
      this.p('attention', () => attentionBackward(dq, dk, dv, datt, a.q, a.k, a.v, a.att, a.lse, T, 0, NH, NKV, HS));
      this.p('rope', () => ropeBackward(dq, T, NH, HS, 0, c.ropeTheta, 'neox'));
      this.p('rope', () => ropeBackward(dk, T, NKV, HS, 0, c.ropeTheta, 'neox'));
      // q/k were rotated in place; the linear backward needs only the block input xn1
      const dxn1 = this.dxn.subarray(0, T * C);
      dxn1.fill(0);
      this.p('matmul', () => linearBackward(dxn1, dq, a.xn1, T, lin.q_proj, a.lin.q_proj, s, training));
      this.p('matmul', () => linearBackward(dxn1, dk, a.xn1, T, lin.k_proj, a.lin.k_proj, s, training));
      this.p('matmul', () => linearBackward(dxn1, dv, a.xn1, T, lin.v_proj, a.lin.v_proj, s, training));
      this.p('rmsnorm', () => rmsnormBackward(dres, full ? this.gradOf.get(lw.inputNorm)! : null, dxn1, a.x, lw.inputNorm, a.rstd1, T, C));
    }
    if (full) embeddingBackward(this.gradOf.get(this.base.embed)!, dres, tokens, T, C);
  }
}
