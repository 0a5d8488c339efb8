"""A small real causal LM for the CPU tests, called like a Hugging Face causal LM.

LLaMA-shaped: token embedding, pre-norm blocks of grouped-query attention with rotary position
embeddings and a SwiGLU MLP, RMSNorm, LM head. Weights are random but seeded. The forward takes
``input_ids, attention_mask, position_ids, past_key_values, use_cache, logits_to_keep`` and returns
``.logits`` and ``.past_key_values``; the KV cache is a legacy tuple of per-layer (key, value) or,
with cache="object", a TinyCache whose ``batch_select_indices`` works like transformers' Cache.

`bigram_model` builds a 0-layer model whose greedy continuation of each byte is fixed by a table, to
script exact outputs (stop sequences, EOS at a known step).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Dict, List, Optional, Tuple

import torch

from testing_byte_tokenizer import EOS_ID, VOCAB_SIZE

KV = Tuple[torch.Tensor, torch.Tensor]


@dataclasses.dataclass
class TinyConfig:
    vocab_size: int = VOCAB_SIZE
    dim: int = 32
    n_layers: int = 2
    n_heads: int = 4
    n_kv_heads: int = 2
    ffn_dim: int = 64
    max_position_embeddings: int = 256
    rope_theta: float = 10000.0
    seed: int = 0
    eos_bias: float = 0.0  # added to the EOS logit (makes rows end at different steps)
    cache: str = "tuple"  # "tuple" (legacy) or "object" (TinyCache)


@dataclasses.dataclass
class TinyOutput:
    logits: torch.Tensor
    past_key_values: Any


class TinyCache:
    """Per-layer (key, value) of shape (batch, kv_heads, time, head_dim), grown in place."""

    def __init__(self) -> None:
        self.layers: List[KV] = []

    def get_seq_length(self) -> int:
        return self.layers[0][0].shape[2] if self.layers else 0

    def update(self, layer: int, key: torch.Tensor, value: torch.Tensor) -> KV:
        if layer == len(self.layers):
            self.layers.append((key, value))
        else:
            old_key, old_value = self.layers[layer]
            self.layers[layer] = (torch.cat([old_key, key], dim=2), torch.cat([old_value, value], dim=2))
        return self.layers[layer]

    def batch_select_indices(self, indices: torch.Tensor) -> None:
        self.layers = [(k[indices], v[indices]) for k, v in self.layers]


class RMSNorm(torch.nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        normed: torch.Tensor = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * self.weight
        return normed


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def rope(x: torch.Tensor, position_ids: torch.Tensor, theta: float) -> torch.Tensor:
    """x: (batch, heads, time, head_dim); position_ids: (batch, time)."""
    head_dim = x.shape[-1]
    inv_freq = torch.pow(torch.tensor(theta), torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim).reciprocal()
    angles = position_ids.float()[..., None] * inv_freq  # (batch, time, head_dim/2)
    angles = torch.cat([angles, angles], dim=-1)[:, None]
    return x * angles.cos().to(x.dtype) + rotate_half(x) * angles.sin().to(x.dtype)


class Block(torch.nn.Module):
    def __init__(self, config: TinyConfig):
        super().__init__()
        self.config = config
        head_dim = config.dim // config.n_heads
        self.head_dim = head_dim
        self.attention_norm = RMSNorm(config.dim)
        self.q = torch.nn.Linear(config.dim, config.n_heads * head_dim, bias=False)
        self.k = torch.nn.Linear(config.dim, config.n_kv_heads * head_dim, bias=False)
        self.v = torch.nn.Linear(config.dim, config.n_kv_heads * head_dim, bias=False)
        self.o = torch.nn.Linear(config.n_heads * head_dim, config.dim, bias=False)
        self.mlp_norm = RMSNorm(config.dim)
        self.gate = torch.nn.Linear(config.dim, config.ffn_dim, bias=False)
        self.up = torch.nn.Linear(config.dim, config.ffn_dim, bias=False)
        self.down = torch.nn.Linear(config.ffn_dim, config.dim, bias=False)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor, position_ids: torch.Tensor, past: Optional[KV]) -> Tuple[torch.Tensor, KV]:
        c = self.config
        batch, time, _ = x.shape
        h = self.attention_norm(x)
        q = self.q(h).view(batch, time, c.n_heads, self.head_dim).transpose(1, 2)
        k = self.k(h).view(batch, time, c.n_kv_heads, self.head_dim).transpose(1, 2)
        v = self.v(h).view(batch, time, c.n_kv_heads, self.head_dim).transpose(1, 2)
        q, k = rope(q, position_ids, c.rope_theta), rope(k, position_ids, c.rope_theta)
        if past is not None:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        repeat = c.n_heads // c.n_kv_heads
        keys, values = k.repeat_interleave(repeat, dim=1), v.repeat_interleave(repeat, dim=1)
        scores = (q @ keys.transpose(-1, -2)).float() / math.sqrt(self.head_dim)
        # A finite minimum, not -inf: a padding query sees no key, and -inf would give it NaN that
        # later layers would spread through 0-weight attention (0 * NaN).
        scores = scores.masked_fill(~allowed, torch.finfo(torch.float32).min)
        attention = torch.softmax(scores, dim=-1).to(values.dtype) @ values
        x = x + self.o(attention.transpose(1, 2).reshape(batch, time, -1))
        h = self.mlp_norm(x)
        x = x + self.down(torch.nn.functional.silu(self.gate(h)) * self.up(h))
        return x, (k, v)


class TinyLlama(torch.nn.Module):
    logit_bias: torch.Tensor

    def __init__(self, config: TinyConfig):
        super().__init__()
        self.config = config
        self.embed = torch.nn.Embedding(config.vocab_size, config.dim)
        self.blocks = torch.nn.ModuleList([Block(config) for _ in range(config.n_layers)])
        self.norm = RMSNorm(config.dim)
        self.lm_head = torch.nn.Linear(config.dim, config.vocab_size, bias=False)
        self.register_buffer("logit_bias", torch.zeros(config.vocab_size))
        generator = torch.Generator().manual_seed(config.seed)
        with torch.no_grad():
            for parameter in self.parameters():
                if parameter.dim() == 2:
                    parameter.copy_(torch.randn(parameter.shape, generator=generator) / math.sqrt(parameter.shape[1]))
            self.embed.weight.mul_(math.sqrt(config.dim))
            self.lm_head.weight.mul_(3.0)  # peaked distributions: greedy choices are not near-ties
            self.logit_bias[EOS_ID] = config.eos_bias

    def get_input_embeddings(self) -> torch.nn.Module:
        return self.embed

    def get_output_embeddings(self) -> torch.nn.Linear:
        return self.lm_head

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: Optional[torch.Tensor] = None,
        position_ids: Optional[torch.Tensor] = None,
        past_key_values: Any = None,
        use_cache: bool = False,
        logits_to_keep: int = 0,
    ) -> TinyOutput:
        batch, time = input_ids.shape
        layers: List[Optional[KV]]
        if isinstance(past_key_values, TinyCache):
            layers = list(past_key_values.layers) or [None] * len(self.blocks)
        elif past_key_values:
            layers = list(past_key_values)
        else:
            layers = [None] * len(self.blocks)
        cached = layers[0][0].shape[2] if layers and layers[0] is not None else None
        if attention_mask is None:
            attention_mask = torch.ones((batch, (cached or 0) + time), dtype=torch.long)
        past_length = attention_mask.shape[1] - time  # a 0-layer model has no cache to read it from
        if attention_mask.shape[0] != batch or past_length < 0 or (cached is not None and cached != past_length):
            raise ValueError(f"attention_mask {tuple(attention_mask.shape)} does not cover past {cached} + {time} positions")
        if position_ids is None:
            position_ids = torch.arange(past_length, past_length + time)[None].expand(batch, time)
        columns = torch.arange(past_length + time)
        causal = columns[None, :] <= (past_length + torch.arange(time))[:, None]  # (time, columns)
        allowed = causal[None, None] & attention_mask.bool()[:, None, None, :]
        x = self.embed(input_ids)
        new_layers: List[KV] = []
        for block, past in zip(self.blocks, layers):
            x, kv = block(x, allowed, position_ids, past)
            new_layers.append(kv)
        hidden = self.norm(x)
        if logits_to_keep > 0:
            hidden = hidden[:, -logits_to_keep:]
        logits = self.lm_head(hidden) + self.logit_bias
        cache: Any = None
        if use_cache:
            if isinstance(past_key_values, TinyCache) or (past_key_values is None and self.config.cache == "object"):
                cache = past_key_values if isinstance(past_key_values, TinyCache) else TinyCache()
                cache.layers = new_layers
            else:
                cache = tuple(new_layers)
        return TinyOutput(logits=logits, past_key_values=cache)


def bigram_model(next_byte: Dict[int, int], vocab_size: int = VOCAB_SIZE) -> TinyLlama:
    """A 0-layer TinyLlama whose greedy next token after id i is next_byte.get(i, EOS)."""
    model = TinyLlama(TinyConfig(vocab_size=vocab_size, dim=vocab_size, n_layers=0, n_heads=1, n_kv_heads=1))
    with torch.no_grad():
        model.embed.weight.copy_(torch.eye(vocab_size))
        model.lm_head.weight.zero_()
        for current in range(vocab_size):
            model.lm_head.weight[next_byte.get(current, EOS_ID), current] = 1.0
    return model
