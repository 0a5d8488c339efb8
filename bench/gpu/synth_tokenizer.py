"""A LLaMA-sized tokenizer built offline: byte-level BPE trained on a deterministic synthetic corpus.

No network on the GPU machine, so no LLaMA tokenizer: this one is trained with `tokenizers` on text
made from prompts.WORDS plus seeded pseudo-words, to exactly `vocab_size` ids (32000 by default, the
LLaMA-2 vocabulary size, so the model shapes are the real ones). Special tokens as LLaMA: <unk>=0,
<s>=1, </s>=2; the post-processor prepends <s> (as the LLaMA tokenizer and the challenge's sample
server do). Byte-level, so any text round-trips through encode/decode. Wrapped as
transformers.PreTrainedTokenizerFast (an alias of TokenizersBackend in transformers 5).
"""

from __future__ import annotations

import os
import random
from typing import Any, Iterator, List

from prompts import ITEMS, NAMES, WORDS

SPECIALS = ["<unk>", "<s>", "</s>"]
CONSONANTS = "b c d f g h j k l m n p r s t v w z ch sh th st tr br pl".split()
VOWELS = "a e i o u ai ea ou io".split()


def _pseudo_words(rng: random.Random, n: int) -> List[str]:
    out = []
    for _ in range(n):
        k = rng.choice((1, 2, 2, 3, 3, 4))
        out.append("".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(k)) + rng.choice(("", "", "n", "s", "r", "ng", "ed")))
    return out


def corpus(seed: int = 2023, lines: int = 10000) -> Iterator[str]:
    """Lines of prose-like text: real words, pseudo-words (Zipf-ish), numbers, punctuation, newlines."""
    rng = random.Random(seed)
    lexicon = list(WORDS) + [w.capitalize() for w in WORDS[:80]] + NAMES + ITEMS + _pseudo_words(rng, 40000)
    weights = [1.0 / (1 + i) ** 0.6 for i in range(len(lexicon))]
    for _ in range(lines):
        words = rng.choices(lexicon, weights, k=rng.randint(4, 24))
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), str(rng.randint(0, 9999)))
        text = " ".join(words) + rng.choice((".", "?", ",", ":", "!", ".\n", ".\n\n"))
        if rng.random() < 0.1:
            text = f"Question: {text}\nA. {rng.choice(lexicon)}\nB. {rng.choice(lexicon)}\nAnswer: {rng.choice('ABCD')}\n"
        yield text


def build_backend(vocab_size: int = 32000, seed: int = 2023) -> Any:
    """The raw tokenizers.Tokenizer (byte-level BPE, <s> prepended), exactly vocab_size ids."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=1,
        special_tokens=SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus(seed), trainer=trainer)
    got = tok.get_vocab_size()
    if got != vocab_size:
        raise RuntimeError(f"synthetic BPE reached {got} ids, not {vocab_size}: enlarge corpus() or lower --vocab-size")
    for i, s in enumerate(SPECIALS):
        if tok.token_to_id(s) != i:
            raise RuntimeError(f"special token {s} got id {tok.token_to_id(s)}, expected {i}")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", 1)])
    return tok


def build_tokenizer(vocab_size: int = 32000, cache_dir: str | None = None) -> Any:
    """PreTrainedTokenizerFast over build_backend(); cached as tokenizer.json in cache_dir when given."""
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    path = os.path.join(cache_dir, f"synthetic-tokenizer-{vocab_size}.json") if cache_dir else None
    if path and os.path.isfile(path):
        backend = Tokenizer.from_file(path)
        if backend.get_vocab_size() != vocab_size:
            backend = None
    else:
        backend = None
    if backend is None:
        backend = build_backend(vocab_size)
        if path:
            os.makedirs(cache_dir, exist_ok=True)
            backend.save(path)
    return PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="</s>")
