// A byte-level BPE tokenizer trainer (GPT-2 scheme: bytes mapped to printable characters, GPT-2's
// pre-tokenization regex, greedy most-frequent-pair merges) that writes an HF tokenizer.json with
// LLaMA's special-token ids (<unk>=0, <s>=1, </s>=2) and a post-processor that prepends <s>.

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 onwards. */
export function bytesToUnicode(): string[] {
  const table: string[] = new Array(256);
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  let n = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable(b) ? b : 256 + n++);
  return table;
}

/** The regex HF's ByteLevel pre-tokenizer uses (use_regex: true). */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export const SPECIAL_TOKENS = ['<unk>', '<s>', '</s>'] as const;

export interface BpeModel {
  vocab: Map<string, number>;
  merges: [string, string][];
}

function wordCounts(texts: Iterable<string>): Map<string, number> {
  const enc = new TextEncoder();
  const b2u = bytesToUnicode();
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const piece of text.match(GPT2_PATTERN) ?? []) {
      const word = Array.from(enc.encode(piece), (b) => b2u[b]!).join('');
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}

/** " A" … " Z" as single tokens: HELM reads a multiple-choice answer from ONE generated token. */
export const LETTER_MERGES: [string, string][] = Array.from({ length: 26 }, (_, i) => ['\u0120', String.fromCharCode(65 + i)]);

/**
 * Merges that make each word, after a space, one token: its byte-level symbols joined left to right
 * (" bakery" = Ġ+b, Ġb+a, …), skipping merges already listed. For words a corpus holds too rarely
 * for frequency-ordered merges to reach them.
 */
export function wordMerges(words: readonly string[]): [string, string][] {
  const enc = new TextEncoder();
  const b2u = bytesToUnicode();
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const word of words) {
    const symbols = Array.from(enc.encode(` ${word}`), (b) => b2u[b]!);
    let left = symbols[0]!;
    for (const right of symbols.slice(1)) {
      const key = `${left}\u0000${right}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push([left, right]);
      }
      left += right;
    }
  }
  return out;
}

/**
 * Trains merges until the vocabulary (specials + 256 bytes + merges) reaches vocabSize. `forced`
 * merges (pairs of byte-level symbols) are applied first, in order.
 */
export function trainBpe(texts: Iterable<string>, vocabSize: number, minPairCount = 2, forced: [string, string][] = []): BpeModel {
  if (vocabSize < SPECIAL_TOKENS.length + 256) throw new Error(`vocabSize ${vocabSize} is below ${SPECIAL_TOKENS.length + 256}`);
  const vocab = new Map<string, number>();
  for (const t of SPECIAL_TOKENS) vocab.set(t, vocab.size);
  for (const ch of bytesToUnicode()) vocab.set(ch, vocab.size);
  const words = [...wordCounts(texts)].map(([w, count]) => ({ symbols: [...w], count }));
  const merges: [string, string][] = [];
  const apply = (left: string, right: string) => {
    const merged = left + right;
    merges.push([left, right]);
    if (!vocab.has(merged)) vocab.set(merged, vocab.size);
    for (const w of words) {
      const s = w.symbols;
      const out: string[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === left && s[i + 1] === right) {
          out.push(merged);
          i++;
        } else out.push(s[i]!);
      }
      w.symbols = out;
    }
  };
  for (const [left, right] of forced) if (vocab.size < vocabSize) apply(left, right);
  while (vocab.size < vocabSize) {
    const pairs = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = symbols[i] + '\u0000' + symbols[i + 1];
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best: string | null = null;
    let bestCount = 0;
    for (const [key, count] of pairs) {
      // Ties broken by the pair's text so training is deterministic.
      if (count > bestCount || (count === bestCount && best !== null && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (best === null || bestCount < minPairCount) break;
    const [left, right] = best.split('\u0000') as [string, string];
    apply(left, right);
  }
  return { vocab, merges };
}

/** The tokenizer.json object (HF tokenizers format) for a trained model. */
export function tokenizerJson(model: BpeModel): Record<string, unknown> {
  const added = SPECIAL_TOKENS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<s>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(model.vocab),
      merges: model.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}

/** tokenizer_config.json fields the loaders read. */
export function tokenizerConfigJson(maxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: '<s>',
    eos_token: '</s>',
    unk_token: '<unk>',
    add_bos_token: true,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: maxLength,
  };
}
