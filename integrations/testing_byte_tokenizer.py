"""A byte-level TextTokenizer for the tests: ids 0-255 are bytes, then BOS, EOS and PAD.

Like a LLaMA tokenizer it prepends BOS by default; decoding skips the special ids and replaces an
incomplete UTF-8 sequence with U+FFFD, as HF's byte-fallback tokenizers do.
"""

from __future__ import annotations

from typing import FrozenSet, List, Optional, Sequence

BOS_ID = 256
EOS_ID = 257
PAD_ID = 258
VOCAB_SIZE = 259


class ByteTokenizer:
    def __init__(self, add_bos: bool = True):
        self.add_bos = add_bos

    @property
    def eos_token(self) -> Optional[str]:
        return "</s>"

    @property
    def special_ids(self) -> FrozenSet[int]:
        return frozenset({BOS_ID, EOS_ID, PAD_ID})

    @property
    def vocab_size(self) -> int:
        return VOCAB_SIZE

    def encode(self, text: str, max_length: Optional[int] = None) -> List[int]:
        ids = ([BOS_ID] if self.add_bos else []) + list(text.encode("utf-8"))
        return ids if max_length is None else ids[:max_length]

    def decode(self, ids: Sequence[int]) -> str:
        return bytes(i for i in ids if i < 256).decode("utf-8", errors="replace")

    def token_text(self, token_id: int) -> str:
        names = {BOS_ID: "<s>", EOS_ID: "</s>", PAD_ID: "<pad>"}
        return names[token_id] if token_id in names else bytes([token_id]).decode("utf-8", errors="replace")
