// What the safetensors and GGUF readers share once a header is parsed: a table of tensors with
// absolute byte ranges, read lazily one tensor at a time from an open file descriptor.
import { closeSync } from 'node:fs';
import { UserError } from '../../core/errors.js';
import { readExactly } from './file-read.js';

export interface TensorLocation {
  fileOffset: number;
  byteLength: number;
}

export abstract class TensorFile<Info extends TensorLocation> {
  private fd: number | null;

  protected constructor(
    readonly path: string,
    fd: number,
    private readonly table: Map<string, Info>,
  ) {
    this.fd = fd;
  }

  get tensors(): Map<string, Info> {
    return this.table;
  }

  info(name: string): Info {
    const t = this.table.get(name);
    if (!t) throw new UserError(`${this.path}: no tensor named "${name}"`);
    return t;
  }

  /** The raw little-endian bytes of one tensor, in a fresh (aligned) buffer. */
  readBytes(name: string): Uint8Array {
    if (this.fd === null) throw new Error(`${this.path}: file already closed`);
    const t = this.info(name);
    const out = new Uint8Array(t.byteLength);
    readExactly(this.fd, out, t.fileOffset, `${this.path}: tensor "${name}"`);
    return out;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
