import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SafetensorsFile, parseSafetensorsHeader } from '../../../model/formats/safetensors.js';
import { writeSafetensors } from '../../../model/formats/safetensors-write.js';
import { UserError } from '../../../core/errors.js';
import { Rng } from '../../../kernels/rng.js';

describe('model/formats/safetensors', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'ef-st-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function sample(path: string): void {
    writeSafetensors(
      path,
      {
        'model.a.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
        'model.b': { dtype: 'F16', shape: [3], data: new Uint16Array([0x3c00, 0x4000, 0xc000]) },
        'model.c': { dtype: 'U8', shape: [5], data: new Uint8Array([1, 2, 3, 4, 5]) },
        scalar: { dtype: 'I64', shape: [], data: new BigInt64Array([7n]) },
      },
      { format: 'pt' },
    );
  }

  it('round-trips tensors, shapes, dtypes and metadata', () => {
    const p = join(dir, 'a.safetensors');
    sample(p);
    const f = SafetensorsFile.open(p);
    try {
      expect(f.metadata).to.deep.equal({ format: 'pt' });
      expect([...f.tensors.keys()].sort()).to.deep.equal(['model.a.weight', 'model.b', 'model.c', 'scalar']);
      expect(f.info('model.a.weight').shape).to.deep.equal([2, 3]);
      expect(Array.from(new Float32Array(f.readBytes('model.a.weight').buffer))).to.deep.equal([1, 2, 3, 4, 5, 6]);
      expect(Array.from(new Uint16Array(f.readBytes('model.b').buffer))).to.deep.equal([0x3c00, 0x4000, 0xc000]);
      expect(Array.from(f.readBytes('model.c'))).to.deep.equal([1, 2, 3, 4, 5]);
      expect(new BigInt64Array(f.readBytes('scalar').buffer)[0]).to.equal(7n);
      expect(() => f.info('nope')).to.throw(UserError, /no tensor named "nope"/);
    } finally {
      f.close();
    }
    const raw = readFileSync(p);
    const n = Number(raw.readBigUInt64LE(0));
    expect(n % 8, 'header padded to 8').to.equal(0);
  });

  it('rejects bad headers with the file and tensor named', () => {
    const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
    const cases: Array<[unknown, number, RegExp]> = [
      [{ t: { dtype: 'F99', shape: [1], data_offsets: [0, 4] } }, 4, /tensor "t": unknown or unsupported dtype "F99"/],
      [{ t: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 8, /tensor "t": F32\[2\] needs 8 bytes but data_offsets span 4/],
      [{ t: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 6, /tensor "t": data_offsets \[4, 8\] run past the end/],
      [{ t: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4, /tensor "t": shape \[-1\]/],
      [{ t: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, 8, /data_offsets \[8,4\]/],
      [{ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8, /"a" and "b" overlap/],
      [{ __metadata__: { k: 1 } }, 0, /__metadata__\["k"\] is not a string/],
      [[1, 2], 0, /not a JSON object/],
    ];
    for (const [hdr, bufLen, re] of cases) {
      expect(() => parseSafetensorsHeader('x.safetensors', enc(hdr), bufLen, 0)).to.throw(UserError, re);
    }
    expect(() => parseSafetensorsHeader('x.safetensors', new Uint8Array([0x7b, 0xff]), 0, 0)).to.throw(UserError, /x.safetensors: .*not UTF-8 JSON/);
  });

  it('rejects a truncated file and a header length past the end', () => {
    const p = join(dir, 'b.safetensors');
    sample(p);
    const raw = readFileSync(p);
    const cut = join(dir, 'cut.safetensors');
    writeFileSync(cut, raw.subarray(0, raw.length - 3));
    expect(() => SafetensorsFile.open(cut)).to.throw(UserError, /cut\.safetensors: .*tensor ".*": data_offsets .* run past the end/);
    const big = Buffer.from(raw);
    big.writeBigUInt64LE(BigInt(raw.length));
    writeFileSync(cut, big);
    expect(() => SafetensorsFile.open(cut)).to.throw(UserError, /header length \d+ runs past the end of the file/);
    writeFileSync(cut, raw.subarray(0, 5));
    expect(() => SafetensorsFile.open(cut)).to.throw(UserError, /shorter than the 8-byte header length/);
    expect(() => SafetensorsFile.open(join(dir, 'missing.safetensors'))).to.throw(UserError, /cannot open \(ENOENT\)/);
  });

  it('fuzz: random truncations and bit flips give a UserError or a consistent file, never a crash', () => {
    const p = join(dir, 'c.safetensors');
    sample(p);
    const raw = readFileSync(p);
    const hdrEnd = 8 + Number(raw.readBigUInt64LE(0));
    const rng = new Rng(1234);
    const f = join(dir, 'fuzz.safetensors');
    let errors = 0;
    let opened = 0;
    for (let i = 0; i < 300; i++) {
      const b = Buffer.from(raw);
      let img: Buffer = b;
      if (i % 3 === 0) img = b.subarray(0, rng.int(b.length));
      else {
        const flips = 1 + rng.int(3);
        for (let k = 0; k < flips; k++) {
          const at = rng.int(hdrEnd);
          b[at] ^= 1 << rng.int(8);
        }
      }
      writeFileSync(f, img);
      try {
        const st = SafetensorsFile.open(f);
        for (const name of st.tensors.keys()) st.readBytes(name);
        st.close();
        opened++;
      } catch (e) {
        expect(e, String(e)).to.be.instanceOf(UserError);
        expect((e as Error).message).to.contain(f);
        errors++;
      }
    }
    expect(errors).to.be.greaterThan(100);
    expect(errors + opened).to.equal(300);
  });
});
