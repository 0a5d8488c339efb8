// Writes safetensors files the way the reference writer does: tensors ordered by element size
// (largest first, so every tensor stays aligned) then name, header padded with spaces to a multiple
// of 8 (safetensors src/tensor.rs). Written to a temporary file and renamed, so a watcher never
// sees a half-written checkpoint.
import { DTYPE_BYTES, elementCount, type SafetensorsDtype } from './safetensors-dtype.js';
import { writePartsAtomic } from '../../core/atomic-write.js';

export interface TensorToWrite {
  dtype: SafetensorsDtype;
  /** PyTorch order (last dimension contiguous). */
  shape: number[];
  /** Little-endian element data (a typed array of the matching width, or raw bytes). */
  data: ArrayBufferView;
}

function bytesOf(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** Serialises tensors into one safetensors byte image (header + data); throws on size mismatch. */
export function encodeSafetensors(tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Uint8Array[] {
  const names = Object.keys(tensors).sort((a, b) => DTYPE_BYTES[tensors[b].dtype] - DTYPE_BYTES[tensors[a].dtype] || (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const chunks: Uint8Array[] = [];
  for (const name of names) {
    const t = tensors[name];
    const want = elementCount(t.shape) * DTYPE_BYTES[t.dtype];
    if (t.data.byteLength !== want) {
      throw new Error(`writeSafetensors: tensor "${name}" ${t.dtype}${JSON.stringify(t.shape)} needs ${want} bytes, got ${t.data.byteLength}`);
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + want] };
    offset += want;
    chunks.push(bytesOf(t.data));
  }
  let json = JSON.stringify(header);
  const rawLen = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (rawLen % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.length));
  return [len, headerBytes, ...chunks];
}

export function writeSafetensors(path: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): void {
  writePartsAtomic(path, encodeSafetensors(tensors, metadata));
}
