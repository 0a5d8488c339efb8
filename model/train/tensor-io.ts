// Reading float tensors (F32/F16/BF16 → fp32) from safetensors files, single or sharded
// (model.safetensors.index.json), and writing fp32 tensor maps.
import { bf16ArrayToFp32, fp16ArrayToFp32, fp32ArrayToFp16 } from '../../kernels/index.js';
import { SafetensorsFile } from '../formats/safetensors.js';
import { weightFiles } from '../formats/shard-index.js';
import { writeSafetensors, type TensorToWrite } from '../formats/safetensors-write.js';
import { UserError } from '../../core/errors.js';

export interface TensorSource {
  has(name: string): boolean;
  /** fp32 copy of a tensor, checked against the expected shape. */
  read(name: string, shape: number[]): Float32Array;
  close(): void;
}

function toF32(file: SafetensorsFile, name: string, shape: number[]): Float32Array {
  const info = file.info(name);
  if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
    throw new UserError(`${file.path}: tensor "${name}" has shape [${info.shape}], expected [${shape}]`);
  }
  const bytes = file.readBytes(name);
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  switch (info.dtype) {
    case 'F32':
      out.set(new Float32Array(bytes.buffer, bytes.byteOffset, n));
      break;
    case 'F16':
      fp16ArrayToFp32(out, new Uint16Array(bytes.buffer, bytes.byteOffset, n), n);
      break;
    case 'BF16':
      bf16ArrayToFp32(out, new Uint16Array(bytes.buffer, bytes.byteOffset, n), n);
      break;
    default:
      throw new UserError(`${file.path}: tensor "${name}" has dtype ${info.dtype}; the trainer reads F32, F16 or BF16`);
  }
  for (let i = 0; i < n; i++) if (!Number.isFinite(out[i]!)) throw new UserError(`${file.path}: tensor "${name}" holds a non-finite value at element ${i}`);
  return out;
}

/** Opens model.safetensors, or the shards listed in model.safetensors.index.json, in a model folder. */
export function openModelTensors(dir: string): TensorSource {
  const w = weightFiles(dir);
  const files = new Map<string, SafetensorsFile>();
  const where = new Map<string, string>();
  if (w.kind === 'single') {
    const f = SafetensorsFile.open(w.file);
    files.set(w.file, f);
    for (const name of f.tensors.keys()) where.set(name, w.file);
  } else {
    for (const [name, shard] of w.weightMap) where.set(name, shard);
  }
  const fileFor = (path: string) => {
    let f = files.get(path);
    if (!f) {
      f = SafetensorsFile.open(path);
      files.set(path, f);
    }
    return f;
  };
  return {
    has: (name) => where.has(name),
    read: (name, shape) => {
      const path = where.get(name);
      if (!path) throw new UserError(`${dir}: the model has no tensor "${name}"`);
      return toF32(fileFor(path), name, shape);
    },
    close: () => {
      for (const f of files.values()) f.close();
    },
  };
}

/** Writes fp32 tensors as F32 (or F16 to halve the size) safetensors, atomically. */
export function writeF32Tensors(path: string, tensors: Map<string, { data: Float32Array; shape: number[] }>, dtype: 'F32' | 'F16' = 'F32', metadata: Record<string, string> = { format: 'pt' }): void {
  const out: Record<string, TensorToWrite> = {};
  for (const [name, t] of tensors) {
    if (dtype === 'F32') out[name] = { dtype, shape: t.shape, data: t.data };
    else {
      const h = new Uint16Array(t.data.length);
      fp32ArrayToFp16(h, t.data, t.data.length);
      out[name] = { dtype, shape: t.shape, data: h };
    }
  }
  writeSafetensors(path, out, metadata);
}

/** Reads every tensor of a safetensors file as fp32 (for optimizer state and adapters). */
export function readAllF32(path: string): Map<string, { data: Float32Array; shape: number[] }> {
  const f = SafetensorsFile.open(path);
  try {
    const m = new Map<string, { data: Float32Array; shape: number[] }>();
    for (const [name, info] of f.tensors) m.set(name, { data: toF32(f, name, info.shape), shape: info.shape });
    return m;
  } finally {
    f.close();
  }
}
