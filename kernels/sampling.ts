// Numerical helpers for sampling: argmax and top-k selection over a logit row.

// index of the largest x[0..n) (first on ties)
export function argmax(x: Float32Array, n: number = x.length, off = 0): number {
  let best = 0;
  let bv = -Infinity;
  for (let i = 0; i < n; i++) {
    if (x[off + i] > bv) {
      bv = x[off + i];
      best = i;
    }
  }
  return best;
}

// the k largest of x[0..n): writes their indices to outIdx[k] in descending value order (ties: lower
// index first); returns how many were written (min(k, n)). O(n log k) with a small min-heap.
export function topK(outIdx: Int32Array, x: Float32Array, n: number, k: number, off = 0): number {
  k = Math.min(k, n);
  if (k <= 0) return 0;
  // heap of indices ordered so the root is the worst kept element
  const heap = outIdx;
  const worse = (a: number, b: number): boolean => x[off + a] < x[off + b] || (x[off + a] === x[off + b] && a > b);
  let size = 0;
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let w = i;
      if (l < size && worse(heap[l], heap[w])) w = l;
      if (r < size && worse(heap[r], heap[w])) w = r;
      if (w === i) return;
      const t = heap[i]; heap[i] = heap[w]; heap[w] = t;
      i = w;
    }
  };
  for (let i = 0; i < n; i++) {
    if (size < k) {
      heap[size] = i;
      let j = size++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (!worse(heap[j], heap[p])) break;
        const t = heap[j]; heap[j] = heap[p]; heap[p] = t;
        j = p;
      }
    } else if (worse(heap[0], i)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  // pop worst-first into the tail: descending order
  for (let end = k - 1; end > 0; end--) {
    const t = heap[0]; heap[0] = heap[end]; heap[end] = t;
    size = end;
    siftDown(0);
  }
  return k;
}
