// Row-wise softmax and log-softmax (max-subtracted), forward and backward.

// out[N,V] = softmax(inp[N,V]) per row (out may alias inp)
export function softmaxForward(out: Float32Array, inp: Float32Array, N: number, V: number): void {
  for (let n = 0; n < N; n++) {
    const o = n * V;
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (inp[o + v] > max) max = inp[o + v];
    let sum = 0;
    for (let v = 0; v < V; v++) {
      const e = Math.exp(inp[o + v] - max);
      out[o + v] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let v = 0; v < V; v++) out[o + v] *= inv;
  }
}

// dinp[N,V] += out ∘ (dout − Σ dout∘out) per row, from the softmax output out[N,V]
export function softmaxBackward(dinp: Float32Array, dout: Float32Array, out: Float32Array, N: number, V: number): void {
  for (let n = 0; n < N; n++) {
    const o = n * V;
    let dot = 0;
    for (let v = 0; v < V; v++) dot += dout[o + v] * out[o + v];
    for (let v = 0; v < V; v++) dinp[o + v] += out[o + v] * (dout[o + v] - dot);
  }
}

// log Σ exp(x[off .. off+n)), max-subtracted, accumulated in double
export function logSumExp(x: Float32Array, n: number, off = 0): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (x[off + i] > max) max = x[off + i];
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(x[off + i] - max);
  return max + Math.log(sum);
}

// out[N,V] = inp − logsumexp(inp) per row (out may alias inp)
export function logSoftmaxForward(out: Float32Array, inp: Float32Array, N: number, V: number): void {
  for (let n = 0; n < N; n++) {
    const o = n * V;
    const lse = logSumExp(inp, V, o);
    for (let v = 0; v < V; v++) out[o + v] = inp[o + v] - lse;
  }
}
