// Token embedding lookup, forward and backward.

// out[N,C] = table[tokens[n], :]
export function embeddingForward(out: Float32Array, tokens: ArrayLike<number>, table: Float32Array, N: number, C: number, V = table.length / C): void {
  for (let n = 0; n < N; n++) {
    const t = tokens[n];
    if (!(t >= 0 && t < V)) throw new Error(`embeddingForward: token ${t} at position ${n} is outside the vocabulary of ${V}`);
    out.set(table.subarray(t * C, t * C + C), n * C);
  }
}

// dtable[tokens[n], :] += dout[n, :]
export function embeddingBackward(dtable: Float32Array, dout: Float32Array, tokens: ArrayLike<number>, N: number, C: number): void {
  for (let n = 0; n < N; n++) {
    const o = tokens[n] * C;
    for (let c = 0; c < C; c++) dtable[o + c] += dout[n * C + c];
  }
}
