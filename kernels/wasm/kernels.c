// WebAssembly SIMD (v128) matmuls for evalfirst's kernels/ — the fast paths behind
// matmulForward, matmulNF4Forward, matmulQ8_0Forward and matmulQ4_0Forward.
// Built by build.sh (clang --target=wasm32 -msimd128) into kernels-wasm.ts; pointers are byte
// offsets into one shared linear memory, so worker threads run the same code over the same tensors.
// Every function computes output columns [o0, o1) only: the pool splits a matmul on that.
// No function uses the C stack (each thread's instance would share it).
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

static inline float hsum(v128_t v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) +
         wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}

// fp16 bits -> fp32: shift into place and rescale by 2^112 (exact for normals and subnormals)
static inline float fp16_to_fp32(uint16_t h) {
  union { uint32_t u; float f; } x;
  x.u = (uint32_t)(h & 0x7fff) << 13;
  float f = x.f * 0x1p112f;
  return (h & 0x8000) ? -f : f;
}

// one tile: four weight rows at a time share each input load; for N > 1 two input rows per pass
// reuse each weight load (8 accumulators)
static void matmul_f32_tile(float* out, const float* inp, const float* w, const float* bias,
                            int N, int C, int OC, int o0, int o1);

// out[N,OC] = inp[N,C] · w[OC,C]ᵀ (+ bias[OC]); C % 4 == 0. Output rows are taken in tiles of
// about 32 KiB of weights, so for N > 1 a tile stays in cache while every input row passes over it.
EXPORT(matmul_f32)
void matmul_f32(float* out, const float* inp, const float* w, const float* bias,
                int N, int C, int OC, int o0, int o1) {
  int tile = N > 1 ? (8192 / C) & ~3 : o1 - o0;
  if (tile < 4) tile = 4;
  for (int t = o0; t < o1; t += tile) matmul_f32_tile(out, inp, w, bias, N, C, OC, t, t + tile < o1 ? t + tile : o1);
}

static void matmul_f32_tile(float* out, const float* inp, const float* w, const float* bias,
                            int N, int C, int OC, int o0, int o1) {
  int n = 0;
  for (; n + 2 <= N; n += 2) {
    const float* x0 = inp + n * C;
    const float* x1 = x0 + C;
    int o = o0;
    for (; o + 4 <= o1; o += 4) {
      const float* w0 = w + o * C;
      const float* w1 = w0 + C;
      const float* w2 = w1 + C;
      const float* w3 = w2 + C;
      v128_t a00 = wasm_f32x4_splat(0), a01 = a00, a02 = a00, a03 = a00;
      v128_t a10 = a00, a11 = a00, a12 = a00, a13 = a00;
      for (int c = 0; c < C; c += 4) {
        v128_t xa = wasm_v128_load(x0 + c), xb = wasm_v128_load(x1 + c);
        v128_t v0 = wasm_v128_load(w0 + c), v1 = wasm_v128_load(w1 + c);
        v128_t v2 = wasm_v128_load(w2 + c), v3 = wasm_v128_load(w3 + c);
        a00 = wasm_f32x4_add(a00, wasm_f32x4_mul(xa, v0));
        a01 = wasm_f32x4_add(a01, wasm_f32x4_mul(xa, v1));
        a02 = wasm_f32x4_add(a02, wasm_f32x4_mul(xa, v2));
        a03 = wasm_f32x4_add(a03, wasm_f32x4_mul(xa, v3));
        a10 = wasm_f32x4_add(a10, wasm_f32x4_mul(xb, v0));
        a11 = wasm_f32x4_add(a11, wasm_f32x4_mul(xb, v1));
        a12 = wasm_f32x4_add(a12, wasm_f32x4_mul(xb, v2));
        a13 = wasm_f32x4_add(a13, wasm_f32x4_mul(xb, v3));
      }
      float b0 = bias ? bias[o] : 0, b1 = bias ? bias[o + 1] : 0;
      float b2 = bias ? bias[o + 2] : 0, b3 = bias ? bias[o + 3] : 0;
      float* y0 = out + n * OC + o;
      float* y1 = y0 + OC;
      y0[0] = hsum(a00) + b0; y0[1] = hsum(a01) + b1; y0[2] = hsum(a02) + b2; y0[3] = hsum(a03) + b3;
      y1[0] = hsum(a10) + b0; y1[1] = hsum(a11) + b1; y1[2] = hsum(a12) + b2; y1[3] = hsum(a13) + b3;
    }
    for (; o < o1; o++) {
      const float* wr = w + o * C;
      v128_t a0 = wasm_f32x4_splat(0), a1 = a0;
      for (int c = 0; c < C; c += 4) {
        v128_t v = wasm_v128_load(wr + c);
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(x0 + c), v));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(x1 + c), v));
      }
      float b = bias ? bias[o] : 0;
      out[n * OC + o] = hsum(a0) + b;
      out[(n + 1) * OC + o] = hsum(a1) + b;
    }
  }
  for (; n < N; n++) {
    const float* x = inp + n * C;
    int o = o0;
    for (; o + 4 <= o1; o += 4) {
      const float* w0 = w + o * C;
      const float* w1 = w0 + C;
      const float* w2 = w1 + C;
      const float* w3 = w2 + C;
      v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
      for (int c = 0; c < C; c += 4) {
        v128_t xv = wasm_v128_load(x + c);
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(xv, wasm_v128_load(w0 + c)));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(xv, wasm_v128_load(w1 + c)));
        a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(xv, wasm_v128_load(w2 + c)));
        a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(xv, wasm_v128_load(w3 + c)));
      }
      float* y = out + n * OC + o;
      y[0] = hsum(a0) + (bias ? bias[o] : 0);
      y[1] = hsum(a1) + (bias ? bias[o + 1] : 0);
      y[2] = hsum(a2) + (bias ? bias[o + 2] : 0);
      y[3] = hsum(a3) + (bias ? bias[o + 3] : 0);
    }
    for (; o < o1; o++) {
      const float* wr = w + o * C;
      v128_t a = wasm_f32x4_splat(0);
      for (int c = 0; c < C; c += 4) a = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_v128_load(x + c), wasm_v128_load(wr + c)));
      out[n * OC + o] = hsum(a) + (bias ? bias[o] : 0);
    }
  }
}

// NF4: out[N,OC] = inp[N,C] · (code[q]·absmax[block])[OC,C]ᵀ (+ bias). Blocks of `blocksize`
// run over the flattened weight, so with C % blocksize != 0 (stories15M: C = 288) they straddle
// rows. Each weight row is dequantized once into `tmp` (per thread: 512 floats of pair table, then
// C floats) and reused for all N input rows. C must be even. The pair table maps a packed byte to
// its two values (code[byte >> 4], code[byte & 15]): first element in the high nibble.
static inline float dot_f32(const float* a, const float* b, int n) {
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0;
  int c = 0;
  for (; c + 8 <= n; c += 8) {
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a + c), wasm_v128_load(b + c)));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(a + c + 4), wasm_v128_load(b + c + 4)));
  }
  float s = hsum(wasm_f32x4_add(s0, s1));
  for (; c < n; c++) s += a[c] * b[c];
  return s;
}

EXPORT(matmul_nf4)
void matmul_nf4(float* out, const float* inp, const uint8_t* packed, const float* absmax,
                const float* code, const float* bias, float* tmp, int N, int C, int OC,
                int blocksize, int o0, int o1) {
  float* pair = tmp;
  float* row = tmp + 512;
  for (int b = 0; b < 256; b++) {
    pair[2 * b] = code[b >> 4];
    pair[2 * b + 1] = code[b & 15];
  }
  if (N == 1) {
    // decode: no row to reuse, so multiply codes by x directly and scale each block segment once
    for (int o = o0; o < o1; o++) {
      const int s = o * C;
      float sum = 0;
      int c0 = 0;
      while (c0 < C) {
        const int blk = (s + c0) / blocksize;
        int end = (blk + 1) * blocksize - s;
        if (end > C) end = C;
        const uint8_t* p = packed + (s + c0) / 2;
        v128_t acc0 = wasm_f32x4_splat(0), acc1 = acc0;
        int c = c0;
        for (; c + 8 <= end; c += 8, p += 4) {
          v128_t v0 = wasm_v128_load64_zero(pair + 2 * p[0]);
          v0 = wasm_v128_load64_lane(pair + 2 * p[1], v0, 1);
          v128_t v1 = wasm_v128_load64_zero(pair + 2 * p[2]);
          v1 = wasm_v128_load64_lane(pair + 2 * p[3], v1, 1);
          acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(v0, wasm_v128_load(inp + c)));
          acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(v1, wasm_v128_load(inp + c + 4)));
        }
        float seg = hsum(wasm_f32x4_add(acc0, acc1));
        for (; c < end; c += 2, p++) seg += pair[2 * p[0]] * inp[c] + pair[2 * p[0] + 1] * inp[c + 1];
        sum += seg * absmax[blk];
        c0 = end;
      }
      out[o] = sum + (bias ? bias[o] : 0);
    }
    return;
  }
  for (int o = o0; o < o1; o++) {
    const int s = o * C; // first element of the row (even, since C is even)
    int c0 = 0;
    while (c0 < C) {
      const int blk = (s + c0) / blocksize;
      int end = (blk + 1) * blocksize - s;
      if (end > C) end = C;
      const v128_t av = wasm_f32x4_splat(absmax[blk]);
      const uint8_t* p = packed + (s + c0) / 2;
      int c = c0;
      for (; c + 4 <= end; c += 4, p += 2) {
        v128_t v = wasm_v128_load64_zero(pair + 2 * p[0]);
        v = wasm_v128_load64_lane(pair + 2 * p[1], v, 1);
        wasm_v128_store(row + c, wasm_f32x4_mul(v, av));
      }
      for (; c < end; c += 2, p++) {
        row[c] = pair[2 * p[0]] * absmax[blk];
        row[c + 1] = pair[2 * p[0] + 1] * absmax[blk];
      }
      c0 = end;
    }
    const float b = bias ? bias[o] : 0;
    for (int n = 0; n < N; n++) out[n * OC + o] = dot_f32(inp + n * C, row, C) + b;
  }
}

// int8 dot of 32 values as four i32 partial sums: 16-bit products (i16x8.extmul), two of them
// added in 16 bits (|a·b| <= 127·127, so a pair stays below 32767; activations never reach -128),
// then widened pairwise to 32 bits
static inline v128_t dot32_i8(v128_t a0, v128_t a1, v128_t b0, v128_t b1) {
  v128_t p0 = wasm_i16x8_add(wasm_i16x8_extmul_low_i8x16(a0, b0), wasm_i16x8_extmul_high_i8x16(a0, b0));
  v128_t p1 = wasm_i16x8_add(wasm_i16x8_extmul_low_i8x16(a1, b1), wasm_i16x8_extmul_high_i8x16(a1, b1));
  return wasm_i32x4_add(wasm_i32x4_extadd_pairwise_i16x8(p0), wasm_i32x4_extadd_pairwise_i16x8(p1));
}


// x[N*C] -> Q8_0 activations qs[N*C] int8, d[N*C/32] (fp16-rounded fp32), as llama.cpp's x86
// quantize_row_q8_0: d = amax/127, id = 127/amax, round half to even (f32x4.nearest)
EXPORT(quantize_act_q8_0)
void quantize_act_q8_0(int8_t* qs, float* d, const float* x, int nblocks, const uint16_t* unused) {
  (void)unused;
  for (int b = 0; b < nblocks; b++) {
    const float* xb = x + b * 32;
    v128_t m = wasm_f32x4_abs(wasm_v128_load(xb));
    for (int k = 1; k < 8; k++) m = wasm_f32x4_max(m, wasm_f32x4_abs(wasm_v128_load(xb + 4 * k)));
    float amax = wasm_f32x4_extract_lane(m, 0);
    for (int l = 1; l < 4; l++) {
      float v = l == 1 ? wasm_f32x4_extract_lane(m, 1) : l == 2 ? wasm_f32x4_extract_lane(m, 2) : wasm_f32x4_extract_lane(m, 3);
      amax = v > amax ? v : amax;
    }
    float dd = amax / 127.f;
    float id = amax != 0.f ? 127.f / amax : 0.f;
    // store d rounded through fp16 (round to nearest even), as the block would hold it
    union { float f; uint32_t u; } bits;
    bits.f = dd;
    uint32_t u = bits.u;
    uint32_t e = (u >> 23) & 0xff;
    float dh;
    if (e < 113) {
      // below fp16's normal range: round to a multiple of 2^-24 (ties to even via nearest)
      dh = __builtin_nearbyintf(dd * 0x1p24f) * 0x1p-24f;
    } else {
      uint32_t rest = u & 0x1fff, r = u & ~0x1fffu;
      if (rest > 0x1000 || (rest == 0x1000 && (u & 0x2000))) r += 0x2000;
      bits.u = r;
      dh = bits.f;
    }
    d[b] = dh;
    const v128_t iv = wasm_f32x4_splat(id);
    for (int k = 0; k < 2; k++) {
      v128_t i0 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(wasm_v128_load(xb + 16 * k), iv)));
      v128_t i1 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(wasm_v128_load(xb + 16 * k + 4), iv)));
      v128_t i2 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(wasm_v128_load(xb + 16 * k + 8), iv)));
      v128_t i3 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(wasm_v128_load(xb + 16 * k + 12), iv)));
      v128_t h = wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(i0, i1), wasm_i16x8_narrow_i32x4(i2, i3));
      wasm_v128_store(qs + b * 32 + 16 * k, h);
    }
  }
}

// out[N,OC] = Q8_0 activations · Q8_0 weight rows (34-byte blocks: fp16 d, 32 int8). Two
// activation rows per pass share each weight block's loads (prefill).
EXPORT(matmul_q8_0)
void matmul_q8_0(float* out, const int8_t* aq, const float* ad, const uint8_t* w,
                 int N, int C, int OC, int o0, int o1) {
  const int nb = C / 32;
  for (int o = o0; o < o1; o++) {
    const uint8_t* wr = w + o * nb * 34;
    int n = 0;
    for (; n + 2 <= N; n += 2) {
      const int8_t* a0 = aq + n * C;
      const int8_t* a1 = a0 + C;
      const float* d0 = ad + n * nb;
      const float* d1 = d0 + nb;
      v128_t acc0 = wasm_f32x4_splat(0), acc1 = acc0;
      for (int b = 0; b < nb; b++) {
        const uint8_t* blk = wr + b * 34;
        const float dw = fp16_to_fp32((uint16_t)(blk[0] | (blk[1] << 8)));
        const v128_t q0 = wasm_v128_load(blk + 2), q1 = wasm_v128_load(blk + 18);
        v128_t s0 = dot32_i8(q0, q1, wasm_v128_load(a0 + b * 32), wasm_v128_load(a0 + b * 32 + 16));
        v128_t s1 = dot32_i8(q0, q1, wasm_v128_load(a1 + b * 32), wasm_v128_load(a1 + b * 32 + 16));
        acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(s0), wasm_f32x4_splat(dw * d0[b])));
        acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(s1), wasm_f32x4_splat(dw * d1[b])));
      }
      out[n * OC + o] = hsum(acc0);
      out[(n + 1) * OC + o] = hsum(acc1);
    }
    for (; n < N; n++) {
      const int8_t* a = aq + n * C;
      const float* da = ad + n * nb;
      v128_t acc = wasm_f32x4_splat(0);
      for (int b = 0; b < nb; b++) {
        const uint8_t* blk = wr + b * 34;
        const float dw = fp16_to_fp32((uint16_t)(blk[0] | (blk[1] << 8)));
        v128_t s = dot32_i8(wasm_v128_load(blk + 2), wasm_v128_load(blk + 18),
                            wasm_v128_load(a + b * 32), wasm_v128_load(a + b * 32 + 16));
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(s), wasm_f32x4_splat(dw * da[b])));
      }
      out[n * OC + o] = hsum(acc);
    }
  }
}

// out[N,OC] = Q8_0 activations · Q4_0 weight rows (18-byte blocks: fp16 d, 16 bytes; element j
// in the low nibble of byte j, element j+16 in the high nibble; value q - 8). Two activation rows
// per pass share each unpacked weight block (prefill).
EXPORT(matmul_q4_0)
void matmul_q4_0(float* out, const int8_t* aq, const float* ad, const uint8_t* w,
                 int N, int C, int OC, int o0, int o1) {
  const int nb = C / 32;
  const v128_t lo = wasm_i8x16_splat(0x0f), eight = wasm_i8x16_splat(8);
  for (int o = o0; o < o1; o++) {
    const uint8_t* wr = w + o * nb * 18;
    int n = 0;
    for (; n + 2 <= N; n += 2) {
      const int8_t* a0 = aq + n * C;
      const int8_t* a1 = a0 + C;
      const float* d0 = ad + n * nb;
      const float* d1 = d0 + nb;
      v128_t acc0 = wasm_f32x4_splat(0), acc1 = acc0;
      for (int b = 0; b < nb; b++) {
        const uint8_t* blk = wr + b * 18;
        const float dw = fp16_to_fp32((uint16_t)(blk[0] | (blk[1] << 8)));
        const v128_t q = wasm_v128_load(blk + 2);
        const v128_t q0 = wasm_i8x16_sub(wasm_v128_and(q, lo), eight);
        const v128_t q1 = wasm_i8x16_sub(wasm_u8x16_shr(q, 4), eight);
        v128_t s0 = dot32_i8(q0, q1, wasm_v128_load(a0 + b * 32), wasm_v128_load(a0 + b * 32 + 16));
        v128_t s1 = dot32_i8(q0, q1, wasm_v128_load(a1 + b * 32), wasm_v128_load(a1 + b * 32 + 16));
        acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(s0), wasm_f32x4_splat(dw * d0[b])));
        acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(s1), wasm_f32x4_splat(dw * d1[b])));
      }
      out[n * OC + o] = hsum(acc0);
      out[(n + 1) * OC + o] = hsum(acc1);
    }
    for (; n < N; n++) {
      const int8_t* a = aq + n * C;
      const float* da = ad + n * nb;
      v128_t acc = wasm_f32x4_splat(0);
      for (int b = 0; b < nb; b++) {
        const uint8_t* blk = wr + b * 18;
        const float dw = fp16_to_fp32((uint16_t)(blk[0] | (blk[1] << 8)));
        const v128_t q = wasm_v128_load(blk + 2);
        const v128_t q0 = wasm_i8x16_sub(wasm_v128_and(q, lo), eight);
        const v128_t q1 = wasm_i8x16_sub(wasm_u8x16_shr(q, 4), eight);
        v128_t s = dot32_i8(q0, q1, wasm_v128_load(a + b * 32), wasm_v128_load(a + b * 32 + 16));
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(s), wasm_f32x4_splat(dw * da[b])));
      }
      out[n * OC + o] = hsum(acc);
    }
  }
}

// ---- backward ----

// y[0..n) += a · x[0..n)
static inline void axpy(float* y, float a, const float* x, int n) {
  const v128_t av = wasm_f32x4_splat(a);
  int c = 0;
  for (; c + 4 <= n; c += 4) wasm_v128_store(y + c, wasm_f32x4_add(wasm_v128_load(y + c), wasm_f32x4_mul(av, wasm_v128_load(x + c))));
  for (; c < n; c++) y[c] += a * x[c];
}

// dinp[N,C] += dout[N,OC] · w[OC,C], input rows [n0, n1). Four rows at a time share each
// weight-row load.
EXPORT(matmul_backward_input)
void matmul_backward_input(float* dinp, const float* dout, const float* w, int N, int C, int OC, int n0, int n1) {
  (void)N;
  int n = n0;
  for (; n + 4 <= n1; n += 4) {
    float* d0 = dinp + n * C;
    float* d1 = d0 + C;
    float* d2 = d1 + C;
    float* d3 = d2 + C;
    for (int o = 0; o < OC; o++) {
      const float* wr = w + o * C;
      const v128_t g0 = wasm_f32x4_splat(dout[n * OC + o]), g1 = wasm_f32x4_splat(dout[(n + 1) * OC + o]);
      const v128_t g2 = wasm_f32x4_splat(dout[(n + 2) * OC + o]), g3 = wasm_f32x4_splat(dout[(n + 3) * OC + o]);
      int c = 0;
      for (; c + 4 <= C; c += 4) {
        const v128_t x = wasm_v128_load(wr + c);
        wasm_v128_store(d0 + c, wasm_f32x4_add(wasm_v128_load(d0 + c), wasm_f32x4_mul(g0, x)));
        wasm_v128_store(d1 + c, wasm_f32x4_add(wasm_v128_load(d1 + c), wasm_f32x4_mul(g1, x)));
        wasm_v128_store(d2 + c, wasm_f32x4_add(wasm_v128_load(d2 + c), wasm_f32x4_mul(g2, x)));
        wasm_v128_store(d3 + c, wasm_f32x4_add(wasm_v128_load(d3 + c), wasm_f32x4_mul(g3, x)));
      }
      for (; c < C; c++) {
        d0[c] += dout[n * OC + o] * wr[c];
        d1[c] += dout[(n + 1) * OC + o] * wr[c];
        d2[c] += dout[(n + 2) * OC + o] * wr[c];
        d3[c] += dout[(n + 3) * OC + o] * wr[c];
      }
    }
  }
  for (; n < n1; n++)
    for (int o = 0; o < OC; o++) axpy(dinp + n * C, dout[n * OC + o], w + o * C, C);
}

// dweight[OC,C] += dout[N,OC]ᵀ · inp[N,C], dbias[OC] += Σ_n dout (dbias may be 0), weight rows
// [o0, o1)
EXPORT(matmul_backward_weight)
void matmul_backward_weight(float* dweight, float* dbias, const float* dout, const float* inp,
                            int N, int C, int OC, int o0, int o1) {
  for (int o = o0; o < o1; o++) {
    float* dw = dweight + o * C;
    float db = 0;
    for (int n = 0; n < N; n++) {
      const float g = dout[n * OC + o];
      db += g;
      if (g != 0.f) axpy(dw, g, inp + n * C, C);
    }
    if (dbias) dbias[o] += db;
  }
}

// dinp[N,C] += dout[N,OC] · dequant(w)[OC,C] for input rows [n0, n1); tmp as matmul_nf4's
// (each thread dequantizes every weight row once)
EXPORT(matmul_nf4_backward_input)
void matmul_nf4_backward_input(float* dinp, const float* dout, const uint8_t* packed, const float* absmax,
                               const float* code, float* tmp, int N, int C, int OC, int blocksize,
                               int n0, int n1) {
  (void)N;
  float* pair = tmp;
  float* row = tmp + 512;
  for (int b = 0; b < 256; b++) {
    pair[2 * b] = code[b >> 4];
    pair[2 * b + 1] = code[b & 15];
  }
  for (int o = 0; o < OC; o++) {
    const int s = o * C;
    int c0 = 0;
    while (c0 < C) {
      const int blk = (s + c0) / blocksize;
      int end = (blk + 1) * blocksize - s;
      if (end > C) end = C;
      const v128_t av = wasm_f32x4_splat(absmax[blk]);
      const uint8_t* p = packed + (s + c0) / 2;
      int c = c0;
      for (; c + 4 <= end; c += 4, p += 2) {
        v128_t v = wasm_v128_load64_zero(pair + 2 * p[0]);
        v = wasm_v128_load64_lane(pair + 2 * p[1], v, 1);
        wasm_v128_store(row + c, wasm_f32x4_mul(v, av));
      }
      for (; c < end; c += 2, p++) {
        row[c] = pair[2 * p[0]] * absmax[blk];
        row[c + 1] = pair[2 * p[0] + 1] * absmax[blk];
      }
      c0 = end;
    }
    for (int n = n0; n < n1; n++) {
      const float g = dout[n * OC + o];
      if (g != 0.f) axpy(dinp + n * C, g, row, C);
    }
  }
}

// ---- attention ----

// e^x for x <= 0 (softmax weights after max subtraction), relative error ~2e-7: x = n·ln2 + r,
// |r| <= ln2/2, e^r by its Taylor series to r^7, times 2^n built in the exponent bits
static inline float exp_neg(float x) {
  if (x < -87.0f) return 0.0f;
  const float n = __builtin_nearbyintf(x * 1.44269504088896341f);
  const float r = (x - n * 0.693145751953125f) - n * 1.428606765330187e-06f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  union { uint32_t u; float f; } s;
  s.u = (uint32_t)((int)n + 127) << 23;
  return p * s.f;
}

static inline float ln_pos(float x) {
  // log for the final logsumexp (x >= 1): exponent + atanh series of the mantissa ratio
  union { uint32_t u; float f; } b;
  b.f = x;
  int e = (int)((b.u >> 23) & 0xff) - 127;
  b.u = (b.u & 0x007fffff) | 0x3f800000; // mantissa in [1, 2)
  float m = b.f;
  if (m > 1.41421356f) { m *= 0.5f; e += 1; }
  const float z = (m - 1.0f) / (m + 1.0f), z2 = z * z;
  const float s = 2.0f * z * (1.0f + z2 * (1.0f / 3 + z2 * (1.0f / 5 + z2 * (1.0f / 7 + z2 * (1.0f / 9)))));
  return s + (float)e * 0.693147180559945309f;
}

// out[T,NH,HS], lse[T,NH] (lse may be 0) from q[T,NH,HS], k/v[Tk,NKV,HS]; query heads [h0, h1);
// the online softmax of kernels/attention.ts over blocks of 64 keys; `scores` holds 64 floats
// for this thread. HS % 4 == 0.
EXPORT(attention_forward)
void attention_forward(float* out, float* lse, const float* q, const float* k, const float* v, float* scores,
                       int T, int pos0, int NH, int NKV, int HS, int h0, int h1) {
  const int rep = NH / NKV;
  const float scale = 1.0f / __builtin_sqrtf((float)HS);
  const int kvStride = NKV * HS;
  for (int t = 0; t < T; t++) {
    const int nkeys = pos0 + t + 1;
    for (int h = h0; h < h1; h++) {
      const float* qr = q + (t * NH + h) * HS;
      float* o = out + (t * NH + h) * HS;
      const int kvh = (h / rep) * HS;
      for (int d = 0; d < HS; d += 4) wasm_v128_store(o + d, wasm_f32x4_splat(0));
      float m = -__builtin_inff();
      float l = 0;
      for (int j0 = 0; j0 < nkeys; j0 += 64) {
        const int j1 = j0 + 64 < nkeys ? j0 + 64 : nkeys;
        float bmax = -__builtin_inff();
        for (int j = j0; j < j1; j++) {
          const float* kr = k + j * kvStride + kvh;
          v128_t acc = wasm_f32x4_mul(wasm_v128_load(qr), wasm_v128_load(kr));
          for (int d = 4; d < HS; d += 4) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(qr + d), wasm_v128_load(kr + d)));
          const float sc = hsum(acc) * scale;
          scores[j - j0] = sc;
          bmax = sc > bmax ? sc : bmax;
        }
        const float mNew = m > bmax ? m : bmax;
        const float corr = exp_neg(m - mNew);
        if (corr != 1.0f) {
          l *= corr;
          const v128_t cv = wasm_f32x4_splat(corr);
          for (int d = 0; d < HS; d += 4) wasm_v128_store(o + d, wasm_f32x4_mul(wasm_v128_load(o + d), cv));
        }
        for (int j = j0; j < j1; j++) {
          const float p = exp_neg(scores[j - j0] - mNew);
          l += p;
          const float* vr = v + j * kvStride + kvh;
          const v128_t pv = wasm_f32x4_splat(p);
          for (int d = 0; d < HS; d += 4) wasm_v128_store(o + d, wasm_f32x4_add(wasm_v128_load(o + d), wasm_f32x4_mul(pv, wasm_v128_load(vr + d))));
        }
        m = mNew;
      }
      const v128_t inv = wasm_f32x4_splat(1.0f / l);
      for (int d = 0; d < HS; d += 4) wasm_v128_store(o + d, wasm_f32x4_mul(wasm_v128_load(o + d), inv));
      if (lse) lse[t * NH + h] = m + ln_pos(l);
    }
  }
}

// accumulates dq[T,NH,HS], dk/dv[Tk,NKV,HS] from dout, recomputing P = exp(q·kᵀ·scale − lse) key
// by key (kernels/attention.ts attentionBackward); kv heads [g0, g1) and the query heads reading
// them, so threads never write the same dk/dv rows. HS % 4 == 0.
EXPORT(attention_backward)
void attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* q, const float* k,
                        const float* v, const float* out, const float* lse, int T, int pos0, int NH, int NKV,
                        int HS, int g0, int g1) {
  const int rep = NH / NKV;
  const float scale = 1.0f / __builtin_sqrtf((float)HS);
  const int kvStride = NKV * HS;
  for (int t = 0; t < T; t++) {
    const int nkeys = pos0 + t + 1;
    for (int h = g0 * rep; h < g1 * rep; h++) {
      const int qo = (t * NH + h) * HS;
      const int kvh = (h / rep) * HS;
      const float L = lse[t * NH + h];
      v128_t dacc = wasm_f32x4_splat(0);
      for (int d = 0; d < HS; d += 4) dacc = wasm_f32x4_add(dacc, wasm_f32x4_mul(wasm_v128_load(dout + qo + d), wasm_v128_load(out + qo + d)));
      const float D = hsum(dacc);
      for (int j = 0; j < nkeys; j++) {
        const int ko = j * kvStride + kvh;
        v128_t sacc = wasm_f32x4_splat(0), pacc = sacc;
        for (int d = 0; d < HS; d += 4) {
          sacc = wasm_f32x4_add(sacc, wasm_f32x4_mul(wasm_v128_load(q + qo + d), wasm_v128_load(k + ko + d)));
          pacc = wasm_f32x4_add(pacc, wasm_f32x4_mul(wasm_v128_load(dout + qo + d), wasm_v128_load(v + ko + d)));
        }
        const float p = exp_neg(hsum(sacc) * scale - L);
        const float ds = p * (hsum(pacc) - D) * scale;
        const v128_t pv = wasm_f32x4_splat(p), dsv = wasm_f32x4_splat(ds);
        for (int d = 0; d < HS; d += 4) {
          wasm_v128_store(dv + ko + d, wasm_f32x4_add(wasm_v128_load(dv + ko + d), wasm_f32x4_mul(pv, wasm_v128_load(dout + qo + d))));
          wasm_v128_store(dq + qo + d, wasm_f32x4_add(wasm_v128_load(dq + qo + d), wasm_f32x4_mul(dsv, wasm_v128_load(k + ko + d))));
          wasm_v128_store(dk + ko + d, wasm_f32x4_add(wasm_v128_load(dk + ko + d), wasm_f32x4_mul(dsv, wasm_v128_load(q + qo + d))));
        }
      }
    }
  }
}
