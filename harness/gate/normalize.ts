// GPT-3-style text normalisation for overlap detection (Brown et al. 2020, appendix C): lowercase,
// punctuation removed, split on whitespace. Anything that is not a letter or a digit (Unicode
// \p{L}, \p{N}) separates tokens. A hand-rolled scan: the obvious regex version was the gate's
// bottleneck (~5x slower on ASCII text).

const WORD = /^[\p{L}\p{N}]$/u;
/** Per UTF-16 code unit (BMP): 0 unknown, 1 word character, 2 separator. */
const classOf = new Uint8Array(65536);
for (let c = 0; c < 128; c++) classOf[c] = (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) ? 1 : 2;

function isWordAt(s: string, i: number): { word: boolean; width: number } {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const cp = s.codePointAt(i)!;
    return { word: WORD.test(String.fromCodePoint(cp)), width: 2 };
  }
  let k = classOf[c];
  if (k === 0) k = classOf[c] = WORD.test(s[i]) ? 1 : 2;
  return { word: k === 1, width: 1 };
}

export function normalizeTokens(text: string): string[] {
  const s = text.toLowerCase();
  const out: string[] = [];
  let start = -1;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    let word: boolean;
    let width = 1;
    if (c < 128) word = classOf[c] === 1;
    else ({ word, width } = isWordAt(s, i));
    if (word) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(s.slice(start, i));
      start = -1;
    }
    i += width;
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}
