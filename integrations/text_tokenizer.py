"""The tokenizer interface the scoring server uses, and its adapter over a Hugging Face tokenizer.

BOS convention: `encode` uses the tokenizer's default ``add_special_tokens`` (as HF does when asked
``tokenizer(text)``), for /process and /tokenize alike, so the ids /tokenize reports are the ids the
prompt is scored with (a LLaMA tokenizer prepends ``<s>``). `decode` skips special tokens, so text
decoded from /tokenize's ids and sent back as a prompt does not carry a literal ``<s>``.
"""

from __future__ import annotations

import threading
from typing import Any, FrozenSet, Iterable, List, Optional, Protocol, Sequence


class TextTokenizer(Protocol):
    """What the scoring server needs from a tokenizer."""

    @property
    def eos_token(self) -> Optional[str]:
        """The end-of-sequence token's text, for /info."""
        ...

    @property
    def special_ids(self) -> FrozenSet[int]:
        """Ids that end a generated sequence and never appear in returned text or tokens (EOS included)."""
        ...

    @property
    def vocab_size(self) -> int:
        """Number of ids the tokenizer can decode (ids >= this are invalid in /decode)."""
        ...

    def encode(self, text: str, max_length: Optional[int] = None) -> List[int]:
        """Ids of `text` with the tokenizer's default special tokens; at most max_length ids when given."""
        ...

    def decode(self, ids: Sequence[int]) -> str:
        """Text of `ids`, special tokens skipped."""
        ...

    def token_text(self, token_id: int) -> str:
        """Text of one id decoded alone (the key of a top_logprob entry)."""
        ...


def _hf_special_ids(tokenizer: Any, extra_stop_ids: Iterable[int]) -> FrozenSet[int]:
    """Named special tokens, added tokens flagged special (LLaMA-3's <|eot_id|>, Qwen's <|im_end|>) and
    the generation config's EOS ids."""
    ids = set(int(i) for i in getattr(tokenizer, "all_special_ids", []) or [])
    decoder = getattr(tokenizer, "added_tokens_decoder", None)
    if isinstance(decoder, dict):
        for token_id, added in decoder.items():
            if getattr(added, "special", False):
                ids.add(int(token_id))
    eos_id = getattr(tokenizer, "eos_token_id", None)
    if isinstance(eos_id, int):
        ids.add(eos_id)
    ids.update(int(i) for i in extra_stop_ids)
    return frozenset(ids)


def generation_eos_ids(model: Any) -> List[int]:
    """EOS ids from a model's generation_config (an int or a list there), or []."""
    config = getattr(model, "generation_config", None)
    value = getattr(config, "eos_token_id", None) if config is not None else None
    if isinstance(value, int):
        return [value]
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    return []


class HFTokenizer:
    """TextTokenizer over a transformers tokenizer.

    A fast tokenizer's Rust backend raises "Already borrowed" when two threads use it while one
    changes its truncation settings, so every call is serialised with a lock (calls are cheap next to
    the model).
    """

    def __init__(self, tokenizer: Any, extra_stop_ids: Iterable[int] = ()):
        self._tokenizer = tokenizer
        self._lock = threading.Lock()
        self._special_ids = _hf_special_ids(tokenizer, extra_stop_ids)
        self._vocab_size = len(tokenizer)

    @property
    def eos_token(self) -> Optional[str]:
        value = getattr(self._tokenizer, "eos_token", None)
        return str(value) if value is not None else None

    @property
    def special_ids(self) -> FrozenSet[int]:
        return self._special_ids

    @property
    def vocab_size(self) -> int:
        return self._vocab_size

    @property
    def model_max_length(self) -> Optional[int]:
        value = getattr(self._tokenizer, "model_max_length", None)
        return value if isinstance(value, int) else None

    def encode(self, text: str, max_length: Optional[int] = None) -> List[int]:
        with self._lock:
            if max_length is None:
                encoded = self._tokenizer(text)
            else:
                encoded = self._tokenizer(text, truncation=True, max_length=max_length)
        return [int(i) for i in encoded["input_ids"]]

    def decode(self, ids: Sequence[int]) -> str:
        with self._lock:
            return str(self._tokenizer.decode(list(ids), skip_special_tokens=True))

    def token_text(self, token_id: int) -> str:
        with self._lock:
            return str(self._tokenizer.decode([token_id], skip_special_tokens=False))
