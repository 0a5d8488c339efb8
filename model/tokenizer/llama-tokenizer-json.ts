// Builds a LLaMA-style tokenizer.json (SentencePiece BPE with byte fallback, as HF ships for
// Llama 2) from a vocabulary of pieces and scores, so seeded models carry a real tokenizer that
// @huggingface/tokenizers reads and that agrees with the GGUF-embedded one. Merges: every split of
// a piece into two vocabulary pieces, ordered by the piece's score (SentencePiece's merge order).
import type { GGUFVocab } from '../llama/gguf-export.js';

export function llamaTokenizerJson(v: GGUFVocab): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  v.tokens.forEach((t, i) => (vocab[t] = i));
  const ranked: Array<{ score: number; id: number; left: string; right: string }> = [];
  v.tokens.forEach((t, id) => {
    if (v.types[id] !== 1) return;
    const chars = Array.from(t);
    for (let k = 1; k < chars.length; k++) {
      const left = chars.slice(0, k).join('');
      const right = chars.slice(k).join('');
      if (left in vocab && right in vocab) ranked.push({ score: v.scores[id], id, left, right });
    }
  });
  ranked.sort((a, b) => b.score - a.score || a.id - b.id);
  const special = (id: number) => ({ id, content: v.tokens[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0), special(1), special(2)],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<s>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges: ranked.map((m) => [m.left, m.right]),
    },
  };
}

export function llamaTokenizerConfigJson(): Record<string, unknown> {
  return {
    add_bos_token: true,
    add_eos_token: false,
    bos_token: '<s>',
    eos_token: '</s>',
    unk_token: '<unk>',
    clean_up_tokenization_spaces: false,
    legacy: false,
    model_max_length: 2048,
    tokenizer_class: 'LlamaTokenizer',
  };
}
