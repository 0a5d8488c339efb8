// Hashed n-grams over token sequences. Each token gets two independent 32-bit hashes; a token span
// gets two polynomial hashes (mod 2^32) read off prefix sums in O(1), packed into one 53-bit
// integer key that a JS Map/Set holds without allocation. Hash hits are verified on the text, so a
// collision can cost time but never report a false match.

const BASE_A = 0x01000193; // odd multipliers, so powers never vanish mod 2^32
const BASE_B = 0x5bd1e995;

/** Two 32-bit hashes of one token (FNV-1a, and a multiply-xor hash with a murmur finaliser). */
export function tokenHashes(token: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0xcc9e2d51);
    b = (b << 13) | (b >>> 19);
  }
  b ^= token.length;
  b = Math.imul(b ^ (b >>> 16), 0x85ebca6b);
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  b ^= b >>> 16;
  return [a >>> 0, b >>> 0];
}

/** Prefix hashes of a token sequence: spanKey(p, i, L) is the key of tokens[i, i+L). */
export interface PrefixHashes {
  a: Int32Array; // length n+1
  b: Int32Array;
}

export function prefixHashes(tokens: readonly string[]): PrefixHashes {
  const n = tokens.length;
  const a = new Int32Array(n + 1);
  const b = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    // tokenHashes(), inlined: this loop runs for every token of every training row.
    const token = tokens[i];
    let ha = 0x811c9dc5;
    let hb = 0x9747b28c;
    for (let j = 0; j < token.length; j++) {
      const c = token.charCodeAt(j);
      ha = Math.imul(ha ^ c, 0x01000193);
      hb = Math.imul(hb ^ c, 0xcc9e2d51);
      hb = (hb << 13) | (hb >>> 19);
    }
    hb ^= token.length;
    hb = Math.imul(hb ^ (hb >>> 16), 0x85ebca6b);
    hb = Math.imul(hb ^ (hb >>> 13), 0xc2b2ae35);
    hb ^= hb >>> 16;
    a[i + 1] = Math.imul(a[i], BASE_A) + (ha >>> 0);
    b[i + 1] = Math.imul(b[i], BASE_B) + (hb >>> 0);
  }
  return { a, b };
}

const powA: number[] = [1];
const powB: number[] = [1];
function pow(table: number[], base: number, k: number): number {
  while (table.length <= k) table.push(Math.imul(table[table.length - 1], base));
  return table[k];
}

/** 53-bit key of the span tokens[i, i+len). */
export function spanKey(p: PrefixHashes, i: number, len: number): number {
  const ha = (p.a[i + len] - Math.imul(p.a[i], pow(powA, BASE_A, len))) >>> 0;
  const hb = (p.b[i + len] - Math.imul(p.b[i], pow(powB, BASE_B, len))) >>> 0;
  return (ha >>> 11) * 4294967296 + hb;
}
