// Writes GGUF v3 files (ggml docs/gguf.md): header, typed metadata, tensor infos, padding to the
// alignment, tensor data (each tensor aligned). Used by tests and the parity script to build
// seeded models; metadata types are given explicitly because llama.cpp checks them exactly.
import { ggmlTensorBytes, ggmlTypeName } from './ggml-type.js';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUFValueType, type GGUFScalar, type GGUFValue } from './gguf-value.js';
import { writePartsAtomic } from '../../core/atomic-write.js';

export interface GGUFTensorToWrite {
  name: string;
  type: number;
  /** ggml order: ne[0] is the contiguous dimension. */
  ne: number[];
  data: Uint8Array;
}

/** Growable little-endian byte writer (room() may replace the buffer: take the offset first). */
class Bytes {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  u8(v: number): void { const at = this.room(1); this.view.setUint8(at, v); }
  i8(v: number): void { const at = this.room(1); this.view.setInt8(at, v); }
  u16(v: number): void { const at = this.room(2); this.view.setUint16(at, v, true); }
  i16(v: number): void { const at = this.room(2); this.view.setInt16(at, v, true); }
  u32(v: number): void { const at = this.room(4); this.view.setUint32(at, v, true); }
  i32(v: number): void { const at = this.room(4); this.view.setInt32(at, v, true); }
  f32(v: number): void { const at = this.room(4); this.view.setFloat32(at, v, true); }
  f64(v: number): void { const at = this.room(8); this.view.setFloat64(at, v, true); }
  u64(v: number | bigint): void { const at = this.room(8); this.view.setBigUint64(at, BigInt(v), true); }
  i64(v: number | bigint): void { const at = this.room(8); this.view.setBigInt64(at, BigInt(v), true); }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    const at = this.room(b.length);
    this.buf.set(b, at);
  }
  pad(alignment: number): void {
    const n = (alignment - (this.length % alignment)) % alignment;
    this.room(n); // zero-filled: fresh buffers are zeroed and we only grow
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

function writeScalar(b: Bytes, type: number, v: GGUFScalar): void {
  switch (type) {
    case GGUFValueType.UINT8: return b.u8(Number(v));
    case GGUFValueType.INT8: return b.i8(Number(v));
    case GGUFValueType.UINT16: return b.u16(Number(v));
    case GGUFValueType.INT16: return b.i16(Number(v));
    case GGUFValueType.UINT32: return b.u32(Number(v));
    case GGUFValueType.INT32: return b.i32(Number(v));
    case GGUFValueType.FLOAT32: return b.f32(Number(v));
    case GGUFValueType.BOOL: return b.u8(v ? 1 : 0);
    case GGUFValueType.STRING: return b.str(String(v));
    case GGUFValueType.UINT64: return b.u64(typeof v === 'bigint' ? v : Number(v));
    case GGUFValueType.INT64: return b.i64(typeof v === 'bigint' ? v : Number(v));
    case GGUFValueType.FLOAT64: return b.f64(Number(v));
    default: throw new Error(`writeGGUF: cannot write scalar of type ${type}`);
  }
}

/** Serialises a GGUF image into parts (header block, then each tensor's bytes with padding). */
export function encodeGGUF(metadata: Array<[string, GGUFValue]>, tensors: GGUFTensorToWrite[], alignment = GGUF_DEFAULT_ALIGNMENT): Uint8Array[] {
  const b = new Bytes();
  b.u32(GGUF_MAGIC);
  b.u32(3);
  b.u64(tensors.length);
  b.u64(metadata.length);
  for (const [key, val] of metadata) {
    b.str(key);
    b.u32(val.type);
    if (val.type === GGUFValueType.ARRAY) {
      b.u32(val.itemType);
      b.u64(val.value.length);
      for (const item of val.value as Iterable<GGUFScalar>) writeScalar(b, val.itemType, item);
    } else {
      writeScalar(b, val.type, val.value);
    }
  }
  let offset = 0;
  const padded: number[] = [];
  for (const t of tensors) {
    const want = ggmlTensorBytes(t.type, t.ne);
    if (want === null || want !== t.data.length) {
      throw new Error(`writeGGUF: tensor "${t.name}" ${ggmlTypeName(t.type)} ne=${JSON.stringify(t.ne)} needs ${want} bytes, got ${t.data.length}`);
    }
    b.str(t.name);
    b.u32(t.ne.length);
    for (const d of t.ne) b.u64(d);
    b.u32(t.type);
    b.u64(offset);
    const pad = (alignment - (want % alignment)) % alignment;
    padded.push(pad);
    offset += want + pad;
  }
  b.pad(alignment);
  const parts: Uint8Array[] = [b.bytes()];
  tensors.forEach((t, i) => {
    parts.push(t.data);
    if (padded[i] > 0) parts.push(new Uint8Array(padded[i]));
  });
  return parts;
}

export function writeGGUF(path: string, metadata: Array<[string, GGUFValue]>, tensors: GGUFTensorToWrite[], alignment = GGUF_DEFAULT_ALIGNMENT): void {
  writePartsAtomic(path, encodeGGUF(metadata, tensors, alignment));
}

/** Shorthands for typed metadata values. */
export const gv = {
  u32: (value: number): GGUFValue => ({ type: GGUFValueType.UINT32, value }),
  i32: (value: number): GGUFValue => ({ type: GGUFValueType.INT32, value }),
  f32: (value: number): GGUFValue => ({ type: GGUFValueType.FLOAT32, value }),
  str: (value: string): GGUFValue => ({ type: GGUFValueType.STRING, value }),
  bool: (value: boolean): GGUFValue => ({ type: GGUFValueType.BOOL, value }),
  strs: (value: string[]): GGUFValue => ({ type: GGUFValueType.ARRAY, itemType: GGUFValueType.STRING, value }),
  f32s: (value: Float32Array | number[]): GGUFValue => ({ type: GGUFValueType.ARRAY, itemType: GGUFValueType.FLOAT32, value: value instanceof Float32Array ? value : Float32Array.from(value) }),
  i32s: (value: Int32Array | number[]): GGUFValue => ({ type: GGUFValueType.ARRAY, itemType: GGUFValueType.INT32, value: value instanceof Int32Array ? value : Int32Array.from(value) }),
};
