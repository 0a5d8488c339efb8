// LLaMA's SentencePiece-BPE tokenizer rebuilt from a GGUF's embedded vocabulary
// (tokenizer.ggml.tokens / scores / token_type), following llama.cpp's llm_tokenizer_spm:
// prepend a space, spaces → "▁", split into UTF-8 characters, repeatedly merge the adjacent pair
// whose concatenation is the highest-scoring vocabulary piece (leftmost on ties), and fall back
// to <0xXX> byte tokens for characters outside the vocabulary.
import { UserError } from '../../core/errors.js';
import type { GGUFFile } from '../formats/gguf.js';
import { GGUFValueType } from '../formats/gguf-value.js';
import type { TextTokenizer } from './tokenizer.js';

export const TOKEN_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

interface Symbol {
  text: string;
  prev: number;
  next: number;
}

interface Bigram {
  left: number;
  right: number;
  score: number;
  size: number;
}

/** Max-heap on (score desc, left asc). */
class BigramQueue {
  private h: Bigram[] = [];
  private static before(a: Bigram, b: Bigram): boolean {
    return a.score > b.score || (a.score === b.score && a.left < b.left);
  }
  get size(): number {
    return this.h.length;
  }
  push(x: Bigram): void {
    const h = this.h;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!BigramQueue.before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): Bigram {
    const h = this.h;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && BigramQueue.before(h[l], h[m])) m = l;
        if (r < h.length && BigramQueue.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

export class SpmTokenizer implements TextTokenizer {
  private readonly ids = new Map<string, number>();
  private readonly byteIds = new Int32Array(256).fill(-1);

  constructor(
    readonly source: string,
    private readonly tokens: string[],
    private readonly scores: Float32Array,
    private readonly types: Int32Array,
    readonly bosId: number | null,
    readonly eosId: number | null,
    readonly unkId: number,
    private readonly addSpacePrefix = true,
  ) {
    tokens.forEach((t, i) => {
      if (!this.ids.has(t)) this.ids.set(t, i);
      if (types[i] === TOKEN_TYPE.BYTE) {
        const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(t);
        if (m) this.byteIds[parseInt(m[1], 16)] = i;
      }
    });
  }

  get vocabSize(): number {
    return this.tokens.length;
  }

  encode(text: string, addBos = true): number[] {
    const out: number[] = [];
    if (addBos && this.bosId !== null) out.push(this.bosId);
    if (text.length === 0) return out;
    const norm = (this.addSpacePrefix ? ' ' + text : text).replace(/ /g, '▁');
    const chars = Array.from(norm);
    const sym: Symbol[] = chars.map((c, i) => ({ text: c, prev: i - 1, next: i + 1 < chars.length ? i + 1 : -1 }));
    const q = new BigramQueue();
    const tryAdd = (l: number, r: number): void => {
      if (l < 0 || r < 0) return;
      const s = sym[l].text + sym[r].text;
      const id = this.ids.get(s);
      if (id === undefined) return;
      q.push({ left: l, right: r, score: this.scores[id], size: s.length });
    };
    for (let i = 1; i < sym.length; i++) tryAdd(i - 1, i);
    while (q.size > 0) {
      const b = q.pop();
      const L = sym[b.left], R = sym[b.right];
      // stale: one side was merged away or changed since this bigram was queued
      if (L.text.length === 0 || R.text.length === 0 || L.text.length + R.text.length !== b.size || L.next !== b.right) continue;
      L.text += R.text;
      R.text = '';
      L.next = R.next;
      if (R.next >= 0) sym[R.next].prev = b.left;
      tryAdd(L.prev, b.left);
      tryAdd(b.left, L.next);
    }
    for (let i = 0; i !== -1 && i < sym.length; i = sym[i].next) {
      const s = sym[i].text;
      const id = this.ids.get(s);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      for (const byte of new TextEncoder().encode(s)) {
        const bid = this.byteIds[byte];
        out.push(bid >= 0 ? bid : this.unkId);
      }
    }
    return out;
  }

  decode(ids: number[]): string {
    const bytes: number[] = [];
    const enc = new TextEncoder();
    let first = true;
    for (const id of ids) {
      if (id < 0 || id >= this.tokens.length) continue;
      const type = this.types[id];
      if (type === TOKEN_TYPE.CONTROL || type === TOKEN_TYPE.UNKNOWN || type === TOKEN_TYPE.UNUSED) continue;
      if (type === TOKEN_TYPE.BYTE) {
        const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(this.tokens[id]);
        if (m) bytes.push(parseInt(m[1], 16));
      } else {
        let piece = this.tokens[id].replace(/▁/g, ' ');
        if (first && this.addSpacePrefix && piece.startsWith(' ')) piece = piece.slice(1);
        for (const b of enc.encode(piece)) bytes.push(b);
      }
      first = false;
    }
    return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
  }
}

function arrayOf(f: GGUFFile, key: string): unknown[] | Float32Array | Int32Array {
  const v = f.metadata.get(key);
  if (!v || v.type !== GGUFValueType.ARRAY) throw new UserError(`${f.path}: missing GGUF tokenizer array "${key}"`);
  return v.value;
}

/** The tokenizer embedded in a GGUF (tokenizer.ggml.model = "llama"). */
export function spmTokenizerFromGGUF(f: GGUFFile): SpmTokenizer {
  const model = f.metadata.get('tokenizer.ggml.model');
  if (!model) throw new UserError(`${f.path}: no embedded tokenizer (tokenizer.ggml.model missing)`);
  if (model.value !== 'llama') throw new UserError(`${f.path}: tokenizer.ggml.model "${String(model.value)}" is not supported (llama)`);
  const tokens = arrayOf(f, 'tokenizer.ggml.tokens');
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) throw new UserError(`${f.path}: tokenizer.ggml.tokens must be strings`);
  const n = tokens.length;
  const sc = f.metadata.has('tokenizer.ggml.scores') ? arrayOf(f, 'tokenizer.ggml.scores') : new Float32Array(n);
  const ty = f.metadata.has('tokenizer.ggml.token_type') ? arrayOf(f, 'tokenizer.ggml.token_type') : new Int32Array(n).fill(1);
  if (!(sc instanceof Float32Array) || sc.length !== n) throw new UserError(`${f.path}: tokenizer.ggml.scores must be ${n} FLOAT32 values`);
  if (!(ty instanceof Int32Array) || ty.length !== n) throw new UserError(`${f.path}: tokenizer.ggml.token_type must be ${n} INT32 values`);
  const idOf = (key: string, fallback: number | null): number | null => {
    const v = f.metadata.get(key);
    return v && typeof v.value === 'number' ? v.value : fallback;
  };
  const addBos = f.metadata.get('tokenizer.ggml.add_bos_token');
  const bos = addBos && addBos.value === false ? null : idOf('tokenizer.ggml.bos_token_id', 1);
  const asp = f.metadata.get('tokenizer.ggml.add_space_prefix');
  return new SpmTokenizer(f.path, tokens as string[], sc, ty, bos, idOf('tokenizer.ggml.eos_token_id', 2), idOf('tokenizer.ggml.unknown_token_id', 0) ?? 0, !(asp && asp.value === false));
}
