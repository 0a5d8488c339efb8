// Reads GGUF v2/v3 files (ggml docs/gguf.md): magic, version, tensor and metadata counts, typed
// metadata key/values, tensor infos (name, dims in ggml `ne` order, type, offset), padding to
// `general.alignment`, tensor data. Every count and length is checked against the bytes that
// remain, so a corrupt header gives a clear error naming the file (and tensor), never a huge
// allocation or a hang. Tensor bytes are read lazily.
import { readSync } from 'node:fs';
import { UserError } from '../../core/errors.js';
import { parseOpenFile } from './file-read.js';
import { TensorFile } from './tensor-file.js';
import { GGML_BLOCK, ggmlTensorBytes, ggmlTypeName } from './ggml-type.js';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_SCALAR_BYTES, GGUFValueType, type GGUFScalar, type GGUFValue } from './gguf-value.js';

export interface GGUFTensorInfo {
  name: string;
  type: number;
  /** ggml order: ne[0] is the contiguous dimension (reverse of the PyTorch shape). */
  ne: number[];
  /** Absolute byte offset in the file. */
  fileOffset: number;
  byteLength: number;
}

export interface GGUFHeader {
  version: number;
  metadata: Map<string, GGUFValue>;
  tensors: Map<string, GGUFTensorInfo>;
  alignment: number;
  dataStart: number;
}

const MAX_DIMS = 4;

/** Sequential reader over a file descriptor that fetches chunks on demand and never reads past EOF. */
class Cursor {
  private buf = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  private bufStart = 0;
  pos = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
    readonly path: string,
  ) {}

  remaining(): number {
    return this.size - this.pos;
  }

  private need(n: number, what: string): number {
    if (n > this.size - this.pos) throw new UserError(`${this.path}: not a valid GGUF file: ${what} at byte ${this.pos} runs past the end of the file (${this.size} bytes; truncated?)`);
    const rel = this.pos - this.bufStart;
    if (rel < 0 || rel + n > this.buf.length) {
      const len = Math.min(Math.max(n, 1 << 20), this.size - this.pos);
      this.buf = new Uint8Array(len);
      let done = 0;
      while (done < len) {
        const got = readSync(this.fd, this.buf, done, len - done, this.pos + done);
        if (got === 0) throw new UserError(`${this.path}: unexpected end of file at byte ${this.pos + done}`);
        done += got;
      }
      this.view = new DataView(this.buf.buffer);
      this.bufStart = this.pos;
    }
    const at = this.pos - this.bufStart;
    this.pos += n;
    return at;
  }

  u8(what: string): number { const at = this.need(1, what); return this.view.getUint8(at); }
  i8(what: string): number { const at = this.need(1, what); return this.view.getInt8(at); }
  u16(what: string): number { const at = this.need(2, what); return this.view.getUint16(at, true); }
  i16(what: string): number { const at = this.need(2, what); return this.view.getInt16(at, true); }
  u32(what: string): number { const at = this.need(4, what); return this.view.getUint32(at, true); }
  i32(what: string): number { const at = this.need(4, what); return this.view.getInt32(at, true); }
  f32(what: string): number { const at = this.need(4, what); return this.view.getFloat32(at, true); }
  f64(what: string): number { const at = this.need(8, what); return this.view.getFloat64(at, true); }
  u64(what: string): number | bigint { const at = this.need(8, what); return small(this.view.getBigUint64(at, true)); }
  i64(what: string): number | bigint { const at = this.need(8, what); return small(this.view.getBigInt64(at, true)); }
  /** A u64 that must be a usable count/offset. */
  count(what: string, limit: number): number {
    const at = this.need(8, what);
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(limit)) throw new UserError(`${this.path}: not a valid GGUF file: ${what} is ${v}, more than the ${limit} that fit in the file`);
    return Number(v);
  }
  str(what: string): string {
    const n = this.count(`${what} length`, this.remaining() - 8);
    const at = this.need(n, what);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.buf.subarray(at, at + n));
    } catch {
      throw new UserError(`${this.path}: not a valid GGUF file: ${what} is not UTF-8`);
    }
  }
}

function small(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

function readScalar(c: Cursor, type: number, what: string): GGUFScalar {
  switch (type) {
    case GGUFValueType.UINT8: return c.u8(what);
    case GGUFValueType.INT8: return c.i8(what);
    case GGUFValueType.UINT16: return c.u16(what);
    case GGUFValueType.INT16: return c.i16(what);
    case GGUFValueType.UINT32: return c.u32(what);
    case GGUFValueType.INT32: return c.i32(what);
    case GGUFValueType.FLOAT32: return c.f32(what);
    case GGUFValueType.BOOL: {
      const b = c.u8(what);
      if (b > 1) throw new UserError(`${c.path}: not a valid GGUF file: ${what} is a bool with value ${b}`);
      return b === 1;
    }
    case GGUFValueType.STRING: return c.str(what);
    case GGUFValueType.UINT64: return c.u64(what);
    case GGUFValueType.INT64: return c.i64(what);
    case GGUFValueType.FLOAT64: return c.f64(what);
    default: throw new Error(`unreachable scalar type ${type}`);
  }
}

function readValue(c: Cursor, path: string, key: string): GGUFValue {
  const type = c.u32(`type of "${key}"`);
  if (type === GGUFValueType.ARRAY) {
    const itemType = c.u32(`item type of "${key}"`);
    if (itemType === GGUFValueType.ARRAY || !(itemType in GGUF_SCALAR_BYTES || itemType === GGUFValueType.STRING)) {
      throw new UserError(`${path}: not a valid GGUF file: metadata "${key}" is an array of unknown type ${itemType}`);
    }
    const minBytes = itemType === GGUFValueType.STRING ? 8 : GGUF_SCALAR_BYTES[itemType];
    const n = c.count(`length of "${key}"`, Math.floor((c.remaining() - 8) / minBytes));
    if (itemType === GGUFValueType.FLOAT32) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = c.f32(`"${key}"[${i}]`);
      return { type: 9, itemType, value: out };
    }
    if (itemType === GGUFValueType.INT32) {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = c.i32(`"${key}"[${i}]`);
      return { type: 9, itemType, value: out };
    }
    const out: GGUFScalar[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = readScalar(c, itemType, `"${key}"[${i}]`);
    return { type: 9, itemType: itemType as Exclude<GGUFValueType, 9>, value: out };
  }
  if (!(type in GGUF_SCALAR_BYTES) && type !== GGUFValueType.STRING) {
    throw new UserError(`${path}: not a valid GGUF file: metadata "${key}" has unknown value type ${type}`);
  }
  return { type: type as Exclude<GGUFValueType, 9>, value: readScalar(c, type, `"${key}"`) };
}

export function readGGUFHeader(fd: number, size: number, path: string): GGUFHeader {
  const c = new Cursor(fd, size, path);
  const magic = c.u32('magic');
  if (magic !== GGUF_MAGIC) throw new UserError(`${path}: not a GGUF file (magic 0x${magic.toString(16).padStart(8, '0')}, expected "GGUF")`);
  const version = c.u32('version');
  if (version !== 2 && version !== 3) throw new UserError(`${path}: unsupported GGUF version ${version} (this reader handles 2 and 3)`);
  // Each tensor info takes at least 8+4+4+8 bytes, each key/value at least 8+4+1.
  const nTensors = c.count('tensor count', Math.floor(c.remaining() / 24));
  const nKV = c.count('metadata count', Math.floor(c.remaining() / 13));
  const metadata = new Map<string, GGUFValue>();
  for (let i = 0; i < nKV; i++) {
    const key = c.str(`metadata key #${i}`);
    if (metadata.has(key)) throw new UserError(`${path}: not a valid GGUF file: duplicate metadata key "${key}"`);
    metadata.set(key, readValue(c, path, key));
  }
  let alignment = GGUF_DEFAULT_ALIGNMENT;
  const al = metadata.get('general.alignment');
  if (al) {
    if (al.type !== GGUFValueType.UINT32 || typeof al.value !== 'number' || al.value === 0 || al.value % 8 !== 0) {
      throw new UserError(`${path}: not a valid GGUF file: general.alignment must be a UINT32 multiple of 8`);
    }
    alignment = al.value;
  }
  const infos: Array<{ name: string; type: number; ne: number[]; offset: number }> = [];
  for (let i = 0; i < nTensors; i++) {
    const name = c.str(`name of tensor #${i}`);
    const nd = c.u32(`dimension count of tensor "${name}"`);
    if (nd > MAX_DIMS) throw new UserError(`${path}: tensor "${name}": ${nd} dimensions (at most ${MAX_DIMS})`);
    const ne: number[] = [];
    for (let d = 0; d < nd; d++) ne.push(c.count(`dimension ${d} of tensor "${name}"`, size));
    const type = c.u32(`type of tensor "${name}"`);
    const offset = c.count(`offset of tensor "${name}"`, size);
    infos.push({ name, type, ne, offset });
  }
  const dataStart = Math.ceil(c.pos / alignment) * alignment;
  const tensors = new Map<string, GGUFTensorInfo>();
  const spans: Array<[number, number, string]> = [];
  for (const t of infos) {
    if (tensors.has(t.name)) throw new UserError(`${path}: not a valid GGUF file: duplicate tensor "${t.name}"`);
    if (!GGML_BLOCK[t.type]) throw new UserError(`${path}: tensor "${t.name}": unknown or unsupported ggml type ${t.type}`);
    const bytes = ggmlTensorBytes(t.type, t.ne);
    if (bytes === null) throw new UserError(`${path}: tensor "${t.name}": ${ggmlTypeName(t.type)} row of ${t.ne[0]} elements is not a whole number of blocks`);
    if (t.offset % alignment !== 0) throw new UserError(`${path}: tensor "${t.name}": offset ${t.offset} is not a multiple of the alignment ${alignment}`);
    const start = dataStart + t.offset;
    if (start + bytes > size) throw new UserError(`${path}: tensor "${t.name}": data [${start}, ${start + bytes}) runs past the end of the file (${size} bytes; truncated?)`);
    tensors.set(t.name, { name: t.name, type: t.type, ne: t.ne, fileOffset: start, byteLength: bytes });
    spans.push([t.offset, t.offset + bytes, t.name]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) throw new UserError(`${path}: not a valid GGUF file: tensors "${spans[i - 1][2]}" and "${spans[i][2]}" overlap`);
  }
  return { version, metadata, tensors, alignment, dataStart };
}

/** An open GGUF file: header parsed and checked, tensor bytes read on demand. */
export class GGUFFile extends TensorFile<GGUFTensorInfo> {
  private constructor(
    path: string,
    fd: number,
    readonly header: GGUFHeader,
  ) {
    super(path, fd, header.tensors);
  }

  static open(path: string): GGUFFile {
    return parseOpenFile(path, (fd, size) => new GGUFFile(path, fd, readGGUFHeader(fd, size, path)));
  }

  get metadata(): Map<string, GGUFValue> {
    return this.header.metadata;
  }

  /** A metadata value, checked to be present. */
  get(key: string): GGUFValue {
    const v = this.header.metadata.get(key);
    if (!v) throw new UserError(`${this.path}: missing GGUF metadata "${key}"`);
    return v;
  }
}
