// SwiGLU feed-forward gate (LLaMA): out = silu(gate) * up, silu(g) = g * sigmoid(g).

// out[n] = silu(gate[n]) * up[n]
export function swigluForward(out: Float32Array, gate: Float32Array, up: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i];
    out[i] = (g / (1 + Math.exp(-g))) * up[i];
  }
}

// dgate[n] += dout·up·silu'(gate), dup[n] += dout·silu(gate);  silu'(g) = s·(1 + g·(1 − s)), s = sigmoid(g)
export function swigluBackward(
  dgate: Float32Array | null,
  dup: Float32Array | null,
  dout: Float32Array,
  gate: Float32Array,
  up: Float32Array,
  n: number,
): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i];
    const s = 1 / (1 + Math.exp(-g));
    if (dgate) dgate[i] += dout[i] * up[i] * s * (1 + g * (1 - s));
    if (dup) dup[i] += dout[i] * g * s;
  }
}
