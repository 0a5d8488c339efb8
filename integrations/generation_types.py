"""The values passed between the batcher, the batched generator and the response assembly."""

from __future__ import annotations

import dataclasses
from typing import Optional, Tuple

from generation_request import GREEDY_TEMPERATURE


@dataclasses.dataclass(frozen=True)
class GenerationRequest:
    """One row: a tokenized prompt and how to continue it."""

    prompt_ids: Tuple[int, ...]
    max_new_tokens: int
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 0
    seed: Optional[int] = None
    top_k_per_token: int = 1
    stop_sequences: Tuple[str, ...] = ()
    echo_prompt: bool = False

    @property
    def greedy(self) -> bool:
        return self.temperature <= GREEDY_TEMPERATURE


@dataclasses.dataclass(frozen=True)
class ScoredToken:
    """A token with its log-probability under the model and the top alternatives at its position."""

    token_id: int
    logprob: float
    top: Tuple[Tuple[int, float], ...]  # (id, logprob), best first, special tokens excluded


@dataclasses.dataclass(frozen=True)
class Generation:
    prompt_tokens: Tuple[ScoredToken, ...]  # only with echo_prompt: the prompt's non-special tokens
    tokens: Tuple[ScoredToken, ...]  # generated; the special token that ended the row is not included
    finish_reason: str  # "eos" (a special token), "stop" (a stop sequence), "length" (max_new_tokens)
