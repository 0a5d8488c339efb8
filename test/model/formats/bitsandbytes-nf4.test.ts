import { expect } from 'chai';
import { NF4_CODE, nf4Quantize } from '../../../kernels/index.js';
import { nf4FromBitsandbytes } from '../../../model/formats/bitsandbytes-nf4.js';
import { UserError } from '../../../core/errors.js';
import { randn } from '../../kernels/helpers.js';

describe('model/formats/bitsandbytes-nf4', () => {
  it('nf4FromBitsandbytes rebuilds the tensor from the saved parts (double quant and plain)', () => {
    const w = randn(64 * 300, 15, 0.02);
    const t = nf4Quantize(w, 64, true, [150, 128]);
    const state = JSON.stringify({
      quant_type: 'nf4', blocksize: 64, dtype: 'float32', shape: [150, 128],
      nested_blocksize: 256, nested_dtype: 'float32', nested_offset: t.nested!.offset,
    });
    const u = nf4FromBitsandbytes({
      weight: t.packed, absmax: t.nested!.qabsmax, quantMap: NF4_CODE,
      nestedAbsmax: t.nested!.absmax2, nestedQuantMap: t.nested!.code2,
      quantState: new TextEncoder().encode(state),
    }, 'model.layers.0.mlp.up_proj.weight');
    expect(u.shape).to.deep.equal([150, 128]);
    expect(Array.from(u.absmax)).to.deep.equal(Array.from(t.absmax));
    const plain = nf4Quantize(w, 64, false, [150, 128]);
    const v = nf4FromBitsandbytes({
      weight: plain.packed, absmax: plain.absmax, quantMap: NF4_CODE,
      quantState: JSON.stringify({ quant_type: 'nf4', blocksize: 64, dtype: 'float32', shape: [150, 128] }),
    });
    expect(Array.from(v.absmax)).to.deep.equal(Array.from(plain.absmax));
  });

  it('nf4FromBitsandbytes names the tensor and the problem on bad input', () => {
    const t = nf4Quantize(randn(128, 16), 64, false, [2, 64]);
    const base = { weight: t.packed, absmax: t.absmax, quantMap: NF4_CODE };
    const bad = (quantState: string, extra: object = {}): (() => unknown) => () =>
      nf4FromBitsandbytes({ ...base, ...extra, quantState }, 'layers.3.q_proj.weight');
    expect(bad('{not json')).to.throw(UserError, /layers\.3\.q_proj\.weight: .*not valid JSON/);
    expect(bad('{"quant_type":"fp4","blocksize":64,"shape":[2,64]}')).to.throw(UserError, /quant_type "fp4" is not supported/);
    expect(bad('{"quant_type":"nf4","blocksize":64,"shape":[3,64]}')).to.throw(UserError, /packed weight has 64 bytes/);
    expect(bad('{"quant_type":"nf4","blocksize":64,"shape":[2,64]}', { absmax: new Float32Array(1) })).to.throw(UserError, /absmax has 1 values, expected 2/);
    expect(bad('{"quant_type":"nf4","blocksize":64,"shape":[2,64]}', { absmax: new Float32Array([1, NaN]) })).to.throw(UserError, /absmax\[1\] is NaN/);
    expect(bad('{"quant_type":"nf4","blocksize":64,"shape":[2,64]}', { nestedAbsmax: new Float32Array(1) })).to.throw(UserError, /nested_quant_map missing/);
  });
});
