// RMSNorm (LLaMA): out = x / sqrt(mean(x²) + eps) * weight, forward and backward.

// out[N,C] = inp[N,C] * rstd[N] * weight[C]; rstd[N] saved for backward (may be null).
// Sum of squares in double, then as llama.cpp: scale = 1/sqrtf(mean + eps) in fp32, y = fp32(x*scale)*w
export function rmsnormForward(
  out: Float32Array,
  rstd: Float32Array | null,
  inp: Float32Array,
  weight: Float32Array,
  N: number,
  C: number,
  eps: number,
): void {
  const fr = Math.fround;
  for (let n = 0; n < N; n++) {
    const o = n * C;
    let ss = 0;
    for (let c = 0; c < C; c++) ss += inp[o + c] * inp[o + c];
    const r = fr(1 / fr(Math.sqrt(fr(fr(ss / C) + eps))));
    if (rstd) rstd[n] = r;
    for (let c = 0; c < C; c++) out[o + c] = fr(inp[o + c] * r) * weight[c];
  }
}

// dinp[N,C] += ∂L/∂inp, dweight[C] += ∂L/∂weight (null to skip), from dout[N,C], inp, weight, rstd[N].
// y = x·r·w with r = (mean(x²)+eps)^-½:  dx = r·(dout∘w) − r³/C · x · Σ(dout∘w∘x)
export function rmsnormBackward(
  dinp: Float32Array,
  dweight: Float32Array | null,
  dout: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  rstd: Float32Array,
  N: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    const o = n * C;
    const r = rstd[n];
    let dot = 0;
    for (let c = 0; c < C; c++) dot += dout[o + c] * weight[c] * inp[o + c];
    const k = (r * r * r * dot) / C;
    for (let c = 0; c < C; c++) {
      dinp[o + c] += r * dout[o + c] * weight[c] - k * inp[o + c];
      if (dweight) dweight[c] += dout[o + c] * inp[o + c] * r;
    }
  }
}
