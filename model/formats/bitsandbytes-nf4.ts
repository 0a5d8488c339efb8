// Reads the tensors bitsandbytes saves for one Linear4bit weight (QuantState.as_dict(packed=True):
// packed codes, absmax, quant_map, nested absmax and map, and the `quant_state.bitsandbytes__nf4`
// JSON) into the kernels' NF4 tensor, checking every size against the quant state.
import { UserError } from '../../core/errors.js';
import { dequantizeNestedAbsmax, type NF4DoubleQuant, type NF4Tensor } from '../../kernels/nf4.js';

const fr = Math.fround;

// the tensors bitsandbytes saves for one Linear4bit weight (QuantState.as_dict(packed=True))
export interface BitsandbytesNF4Parts {
  weight: Uint8Array; // packed codes, [(n+1)/2, 1] uint8
  absmax: Uint8Array | Float32Array; // uint8 qabsmax when nested, else fp32 absmax
  quantMap: Float32Array; // [16]
  nestedAbsmax?: Float32Array | null; // fp32 absmax2
  nestedQuantMap?: Float32Array | null; // [256]
  quantState: Uint8Array | string; // `quant_state.bitsandbytes__nf4`: UTF-8 JSON
}

interface QuantStateJson {
  quant_type?: string;
  blocksize?: number;
  dtype?: string;
  shape?: number[];
  nested_blocksize?: number;
  nested_dtype?: string;
  nested_offset?: number;
}

// builds an NF4Tensor from a bitsandbytes-saved 4-bit weight; `name` is used in error messages
export function nf4FromBitsandbytes(parts: BitsandbytesNF4Parts, name = 'weight'): NF4Tensor {
  const text = typeof parts.quantState === 'string' ? parts.quantState : new TextDecoder().decode(parts.quantState);
  let qs: QuantStateJson;
  try {
    qs = JSON.parse(text) as QuantStateJson;
  } catch {
    throw new UserError(`${name}: quant_state.bitsandbytes__nf4 is not valid JSON`);
  }
  if (qs.quant_type !== 'nf4') {
    throw new UserError(`${name}: quant_type ${JSON.stringify(qs.quant_type)} is not supported (expected "nf4")`);
  }
  const blocksize = qs.blocksize;
  if (!blocksize || !Number.isInteger(blocksize) || blocksize < 2) throw new UserError(`${name}: bad blocksize ${blocksize}`);
  const shape = qs.shape;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new UserError(`${name}: bad shape ${JSON.stringify(shape)} in quant state`);
  }
  const n = shape.reduce((a, b) => a * b, 1);
  const nblocks = Math.ceil(n / blocksize);
  if (parts.weight.length !== Math.ceil(n / 2)) {
    throw new UserError(`${name}: packed weight has ${parts.weight.length} bytes, shape ${JSON.stringify(shape)} needs ${Math.ceil(n / 2)}`);
  }
  if (parts.quantMap.length !== 16) throw new UserError(`${name}: quant_map has ${parts.quantMap.length} values, expected 16`);
  const nestedAbs = parts.nestedAbsmax ?? null;
  let absmax: Float32Array;
  let nested: NF4DoubleQuant | null = null;
  if (nestedAbs) {
    const code2 = parts.nestedQuantMap;
    const bs2 = qs.nested_blocksize;
    if (!code2 || code2.length !== 256) throw new UserError(`${name}: nested_quant_map missing or not 256 values`);
    if (!bs2 || !Number.isInteger(bs2) || bs2 < 1) throw new UserError(`${name}: bad nested_blocksize ${bs2}`);
    if (typeof qs.nested_offset !== 'number') throw new UserError(`${name}: nested_offset missing in quant state`);
    if (!(parts.absmax instanceof Uint8Array)) throw new UserError(`${name}: nested absmax must be uint8`);
    if (parts.absmax.length !== nblocks) throw new UserError(`${name}: absmax has ${parts.absmax.length} values, expected ${nblocks}`);
    if (nestedAbs.length !== Math.ceil(nblocks / bs2)) {
      throw new UserError(`${name}: nested_absmax has ${nestedAbs.length} values, expected ${Math.ceil(nblocks / bs2)}`);
    }
    nested = { qabsmax: parts.absmax, absmax2: nestedAbs, code2, blocksize2: bs2, offset: fr(qs.nested_offset) };
    absmax = dequantizeNestedAbsmax(nested, nblocks);
  } else {
    if (!(parts.absmax instanceof Float32Array)) throw new UserError(`${name}: absmax must be float32 without double quantization`);
    if (parts.absmax.length !== nblocks) throw new UserError(`${name}: absmax has ${parts.absmax.length} values, expected ${nblocks}`);
    absmax = parts.absmax;
  }
  for (let i = 0; i < absmax.length; i++) {
    if (!Number.isFinite(absmax[i])) throw new UserError(`${name}: absmax[${i}] is ${absmax[i]}`);
  }
  return { n, shape, blocksize, packed: parts.weight, code: parts.quantMap, absmax, nested };
}
