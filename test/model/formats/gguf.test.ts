import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GGUFFile } from '../../../model/formats/gguf.js';
import { gv, writeGGUF, type GGUFTensorToWrite } from '../../../model/formats/gguf-write.js';
import { GGMLType } from '../../../model/formats/ggml-type.js';
import { GGUFValueType } from '../../../model/formats/gguf-value.js';
import { UserError } from '../../../core/errors.js';
import { Rng } from '../../../kernels/rng.js';

describe('model/formats/gguf', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'ef-gguf-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function sample(path: string): GGUFTensorToWrite[] {
    const w = new Float32Array(64 * 3).map((_, i) => i / 7);
    const tensors: GGUFTensorToWrite[] = [
      { name: 'token_embd.weight', type: GGMLType.F32, ne: [64, 3], data: new Uint8Array(w.buffer) },
      { name: 'blk.0.attn_q.weight', type: GGMLType.Q8_0, ne: [64, 2], data: new Uint8Array(34 * 4).map((_, i) => i) },
      { name: 'blk.0.attn_k.weight', type: GGMLType.Q4_0, ne: [32, 1], data: new Uint8Array(18).fill(0x77) },
      { name: 'norm', type: GGMLType.F16, ne: [5], data: new Uint8Array(10).fill(0x3c) },
    ];
    writeGGUF(
      path,
      [
        ['general.architecture', gv.str('llama')],
        ['llama.block_count', gv.u32(1)],
        ['llama.attention.layer_norm_rms_epsilon', gv.f32(1e-5)],
        ['tokenizer.ggml.tokens', gv.strs(['<unk>', '<s>', '</s>', '▁a'])],
        ['tokenizer.ggml.scores', gv.f32s([0, 0, 0, -1.5])],
        ['tokenizer.ggml.token_type', gv.i32s([2, 3, 3, 1])],
        ['flag', gv.bool(true)],
        ['big', { type: GGUFValueType.UINT64, value: 1n << 60n }],
      ],
      tensors,
    );
    return tensors;
  }

  it('round-trips metadata with exact types and aligned tensors', () => {
    const p = join(dir, 'a.gguf');
    const written = sample(p);
    const f = GGUFFile.open(p);
    try {
      expect(f.header.version).to.equal(3);
      expect(f.get('general.architecture')).to.deep.equal({ type: GGUFValueType.STRING, value: 'llama' });
      expect(f.get('llama.block_count')).to.deep.equal({ type: GGUFValueType.UINT32, value: 1 });
      expect(f.get('llama.attention.layer_norm_rms_epsilon').value).to.equal(Math.fround(1e-5));
      expect(f.get('tokenizer.ggml.tokens').value).to.deep.equal(['<unk>', '<s>', '</s>', '▁a']);
      expect(Array.from(f.get('tokenizer.ggml.scores').value as Float32Array)).to.deep.equal([0, 0, 0, -1.5]);
      expect(f.get('tokenizer.ggml.token_type').value).to.be.instanceOf(Int32Array);
      expect(f.get('flag').value).to.equal(true);
      expect(f.get('big').value).to.equal(1n << 60n);
      for (const t of written) {
        const info = f.info(t.name);
        expect(info.ne).to.deep.equal(t.ne);
        expect(info.type).to.equal(t.type);
        expect((info.fileOffset - f.header.dataStart) % 32).to.equal(0);
        expect(Buffer.from(f.readBytes(t.name)).equals(Buffer.from(t.data))).to.equal(true);
      }
      expect(() => f.get('nope')).to.throw(UserError, /missing GGUF metadata "nope"/);
    } finally {
      f.close();
    }
  });

  it('writes and reads a header larger than the writer\'s initial buffer (a 32000-token vocabulary)', () => {
    const p = join(dir, 'big.gguf');
    const tokens = Array.from({ length: 32000 }, (_, i) => `▁piece${i}`);
    writeGGUF(p, [['tokenizer.ggml.tokens', gv.strs(tokens)], ['tokenizer.ggml.scores', gv.f32s(tokens.map((_, i) => -i))]], []);
    const f = GGUFFile.open(p);
    expect(f.get('tokenizer.ggml.tokens').value).to.deep.equal(tokens);
    expect((f.get('tokenizer.ggml.scores').value as Float32Array)[31999]).to.equal(-31999);
    f.close();
  });

  it('names the file and tensor for truncation, bad magic, unknown type and bad offsets', () => {
    const p = join(dir, 'b.gguf');
    sample(p);
    const raw = readFileSync(p);
    const bad = join(dir, 'bad.gguf');
    writeFileSync(bad, raw.subarray(0, raw.length - 30));
    expect(() => GGUFFile.open(bad)).to.throw(UserError, /bad\.gguf: tensor "norm": data .* runs past the end of the file/);
    const m = Buffer.from(raw);
    m.write('GGUX', 0, 'latin1');
    writeFileSync(bad, m);
    expect(() => GGUFFile.open(bad)).to.throw(UserError, /bad\.gguf: not a GGUF file/);
    // patch the type of the last tensor info ("norm") to an unknown ggml type
    const at = raw.lastIndexOf(Buffer.from('norm')) + 4 + 4 + 8;
    const t = Buffer.from(raw);
    t.writeUInt32LE(99, at);
    writeFileSync(bad, t);
    expect(() => GGUFFile.open(bad)).to.throw(UserError, /tensor "norm": unknown or unsupported ggml type 99/);
    const o = Buffer.from(raw);
    o.writeBigUInt64LE(3n, at + 4);
    writeFileSync(bad, o);
    expect(() => GGUFFile.open(bad)).to.throw(UserError, /tensor "norm": offset 3 is not a multiple of the alignment 32/);
    const h = Buffer.from(raw);
    h.writeBigUInt64LE(1n << 40n, 8);
    writeFileSync(bad, h);
    expect(() => GGUFFile.open(bad)).to.throw(UserError, /tensor count is \d+, more than/);
  });

  it('fuzz: random truncations and bit flips give a UserError or a consistent file, never a crash or hang', () => {
    const p = join(dir, 'c.gguf');
    sample(p);
    const raw = readFileSync(p);
    const f = GGUFFile.open(p);
    const hdrEnd = f.header.dataStart;
    f.close();
    const rng = new Rng(99);
    const fz = join(dir, 'fuzz.gguf');
    let errors = 0;
    for (let i = 0; i < 300; i++) {
      const b = Buffer.from(raw);
      let img: Buffer = b;
      if (i % 3 === 0) img = b.subarray(0, rng.int(b.length));
      else for (let k = 0; k < 1 + rng.int(3); k++) b[rng.int(hdrEnd)] ^= 1 << rng.int(8);
      writeFileSync(fz, img);
      try {
        const g = GGUFFile.open(fz);
        for (const name of g.tensors.keys()) g.readBytes(name);
        g.close();
      } catch (e) {
        expect(e, String((e as Error).stack)).to.be.instanceOf(UserError);
        expect((e as Error).message).to.contain(fz);
        errors++;
      }
    }
    expect(errors).to.be.greaterThan(100);
  });
});
