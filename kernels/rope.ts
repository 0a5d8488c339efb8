// Rotary position embedding, in the two layouts LLaMA checkpoints use:
//   'pairs'  — Meta / GGUF / llama2.c: rotates adjacent pairs (2i, 2i+1)      (ggml ROPE_TYPE_NORMAL)
//   'neox'   — HF transformers rotate_half: rotates pairs (i, i + HS/2)      (ggml ROPE_TYPE_NEOX)
// Pair i turns by angle pos · theta^(-2i/HS). Backward is the same rotation by the negative angle.

export type RopeLayout = 'pairs' | 'neox';

// x[T,NH,HS] rotated in place; row t sits at position pos0 + t (positions[t] when given)
export function ropeForward(
  x: Float32Array,
  T: number,
  NH: number,
  HS: number,
  pos0: number,
  theta: number,
  layout: RopeLayout,
  positions: Int32Array | null = null,
): void {
  rotate(x, T, NH, HS, pos0, theta, layout, positions, 1);
}

// dx[T,NH,HS] in place: the gradient through ropeForward (rotation by -angle)
export function ropeBackward(
  dx: Float32Array,
  T: number,
  NH: number,
  HS: number,
  pos0: number,
  theta: number,
  layout: RopeLayout,
  positions: Int32Array | null = null,
): void {
  rotate(dx, T, NH, HS, pos0, theta, layout, positions, -1);
}

let freqCache = { HS: 0, theta: 0, freqs: new Float64Array(0) };
function inverseFrequencies(HS: number, theta: number): Float64Array {
  if (freqCache.HS !== HS || freqCache.theta !== theta) {
    const freqs = new Float64Array(HS / 2);
    for (let i = 0; i < HS / 2; i++) freqs[i] = Math.pow(theta, (-2 * i) / HS);
    freqCache = { HS, theta, freqs };
  }
  return freqCache.freqs;
}

let csBuf = new Float64Array(0);

function rotate(
  x: Float32Array,
  T: number,
  NH: number,
  HS: number,
  pos0: number,
  theta: number,
  layout: RopeLayout,
  positions: Int32Array | null,
  sign: number,
): void {
  if (HS % 2 !== 0) throw new Error(`rope: head size ${HS} is odd`);
  const half = HS / 2;
  const freqs = inverseFrequencies(HS, theta);
  if (csBuf.length < HS) csBuf = new Float64Array(HS);
  const cs = csBuf; // cos at [i], sin at [half + i] for the current row
  for (let t = 0; t < T; t++) {
    const pos = positions ? positions[t] : pos0 + t;
    for (let i = 0; i < half; i++) {
      const a = pos * freqs[i];
      cs[i] = Math.cos(a);
      cs[half + i] = sign * Math.sin(a);
    }
    for (let h = 0; h < NH; h++) {
      const base = (t * NH + h) * HS;
      for (let i = 0; i < half; i++) {
        const i0 = layout === 'pairs' ? base + 2 * i : base + i;
        const i1 = layout === 'pairs' ? i0 + 1 : i0 + half;
        const c = cs[i], s = cs[half + i];
        const v0 = x[i0], v1 = x[i1];
        x[i0] = v0 * c - v1 * s;
        x[i1] = v0 * s + v1 * c;
      }
    }
  }
}
