// Half-precision conversions: IEEE fp16 <-> fp32 (round to nearest even, as ggml's
// GGML_FP32_TO_FP16 / F16C do) and bfloat16 -> fp32.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

// fp16 bit pattern -> fp32 value (exact: every fp16 is representable in fp32)
export function fp16ToFp32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero / subnormal
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

// fp32 value -> fp16 bit pattern, round to nearest, ties to even; overflow -> inf
export function fp32ToFp16(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / nan (quiet)
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // subnormal half (or zero): shift the implicit-1 mantissa right, round to nearest even
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m; // a carry into the exponent field is the right answer
  }
  const rest = mant & 0x1fff;
  let m = mant >>> 13;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

// the 65536 fp16 values as fp32, for table lookups in hot loops
export const FP16_TABLE: Float32Array = (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = fp16ToFp32(h);
  return t;
})();

// out[n] = fp32 of the fp16 bit patterns src[n]
export function fp16ArrayToFp32(out: Float32Array, src: Uint16Array, n: number = src.length): void {
  for (let i = 0; i < n; i++) out[i] = FP16_TABLE[src[i]];
}

// out[n] = fp16 bit patterns of src[n]
export function fp32ArrayToFp16(out: Uint16Array, src: Float32Array, n: number = src.length): void {
  for (let i = 0; i < n; i++) out[i] = fp32ToFp16(src[i]);
}

// bf16 bit pattern -> fp32 value: bf16 is the top half of an fp32
export function bf16ToFp32(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

// out[n] = fp32 of the bf16 bit patterns src[n]
export function bf16ArrayToFp32(out: Float32Array, src: Uint16Array, n: number = src.length): void {
  const o = new Uint32Array(out.buffer, out.byteOffset, n);
  for (let i = 0; i < n; i++) o[i] = src[i] << 16;
}
