// Reads safetensors files: u64 LE header length N, N bytes of JSON, then the byte buffer
// (huggingface/safetensors README "Format"). Every check names the file and the tensor; tensor
// bytes are read lazily, one tensor at a time, so large checkpoints never sit in memory whole.
import { parseOpenFile, readExactly } from './file-read.js';
import { TensorFile } from './tensor-file.js';
import { UserError } from '../../core/errors.js';
import { DTYPE_BYTES, elementCount, isSafetensorsDtype, type SafetensorsDtype } from './safetensors-dtype.js';

/** The reference reader refuses headers above this size (tensor.rs MAX_HEADER_SIZE). */
export const MAX_HEADER_SIZE = 100_000_000;

export interface SafetensorsTensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  /** PyTorch order: the last dimension is contiguous. */
  shape: number[];
  /** Absolute byte offset in the file. */
  fileOffset: number;
  byteLength: number;
}

export interface SafetensorsHeader {
  tensors: Map<string, SafetensorsTensorInfo>;
  metadata: Record<string, string>;
  /** Absolute offset of the byte buffer. */
  dataStart: number;
}

function fail(path: string, what: string): never {
  throw new UserError(`${path}: not a valid safetensors file: ${what}`);
}

function isNonNegInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Validates the parsed header against the buffer length; pure, so the fuzz tests can drive it. */
export function parseSafetensorsHeader(path: string, headerBytes: Uint8Array, bufferLength: number, dataStart: number): SafetensorsHeader {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    fail(path, `header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail(path, 'header is not a JSON object');
  const tensors = new Map<string, SafetensorsTensorInfo>();
  let metadata: Record<string, string> = {};
  const spans: Array<[number, number, string]> = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(path, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(path, `__metadata__["${k}"] is not a string`);
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    if (raw === null || typeof raw !== 'object') fail(path, `tensor "${name}": entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (!isSafetensorsDtype(dtype)) fail(path, `tensor "${name}": unknown or unsupported dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(isNonNegInt)) fail(path, `tensor "${name}": shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegInt) || offsets[0] > offsets[1]) {
      fail(path, `tensor "${name}": data_offsets ${JSON.stringify(offsets)} is not [begin, end] with begin <= end`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > bufferLength) fail(path, `tensor "${name}": data_offsets [${begin}, ${end}] run past the end of the data (${bufferLength} bytes; file truncated?)`);
    const want = elementCount(shape as number[]) * DTYPE_BYTES[dtype];
    if (end - begin !== want) fail(path, `tensor "${name}": ${dtype}${JSON.stringify(shape)} needs ${want} bytes but data_offsets span ${end - begin}`);
    tensors.set(name, { name, dtype, shape: shape as number[], fileOffset: dataStart + begin, byteLength: end - begin });
    spans.push([begin, end, name]);
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) fail(path, `tensors "${spans[i - 1][2]}" and "${spans[i][2]}" overlap`);
  }
  return { tensors, metadata, dataStart };
}

/** An open safetensors file: header parsed and checked, tensor bytes read on demand. */
export class SafetensorsFile extends TensorFile<SafetensorsTensorInfo> {
  private constructor(
    path: string,
    fd: number,
    readonly header: SafetensorsHeader,
  ) {
    super(path, fd, header.tensors);
  }

  static open(path: string): SafetensorsFile {
    return parseOpenFile(path, (fd, size) => {
      if (size < 8) fail(path, `file is ${size} bytes, shorter than the 8-byte header length`);
      const lenBuf = Buffer.alloc(8);
      readExactly(fd, lenBuf, 0, path);
      const n = lenBuf.readBigUInt64LE(0);
      if (n > BigInt(MAX_HEADER_SIZE)) fail(path, `header length ${n} exceeds the ${MAX_HEADER_SIZE}-byte limit`);
      if (8n + n > BigInt(size)) fail(path, `header length ${n} runs past the end of the file (${size} bytes; truncated?)`);
      const headerBytes = new Uint8Array(Number(n));
      readExactly(fd, headerBytes, 8, path);
      const dataStart = 8 + Number(n);
      const header = parseSafetensorsHeader(path, headerBytes, size - dataStart, dataStart);
      return new SafetensorsFile(path, fd, header);
    });
  }

  get metadata(): Record<string, string> {
    return this.header.metadata;
  }
}

