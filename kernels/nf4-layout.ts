// The NF4 tensor as the kernels hold it (bitsandbytes' layout, runtime.md §1): blocks over the
// flattened row-major tensor, two 4-bit codes per byte (first element in the high nibble), one absmax
// per block, optionally double-quantized. Types only, shared by nf4.ts and fast-matmul.ts.

export interface NF4DoubleQuant {
  qabsmax: Uint8Array; // [nblocks] indices into code2
  absmax2: Float32Array; // [ceil(nblocks / blocksize2)]
  code2: Float32Array; // [256] the 8-bit dynamic map
  blocksize2: number; // 256
  offset: number; // fp32 mean of the first-level absmax values
}

export interface NF4Tensor {
  n: number; // number of elements
  shape: number[]; // logical shape (row-major), product = n
  blocksize: number; // 64
  packed: Uint8Array; // [ceil(n/2)] codes, element 2i in the high nibble of byte i
  code: Float32Array; // [16] quant map
  absmax: Float32Array; // [ceil(n/blocksize)] the per-block scale used to dequantize (after double dequant)
  nested: NF4DoubleQuant | null; // how absmax was stored, when double-quantized
}
