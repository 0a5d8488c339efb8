"""The small model interface the scoring server drives, and its adapter over HF-style causal LMs.

The batched decoder needs exactly three things from a model: one forward step over a left-padded
batch with an explicit attention mask and position ids and a KV cache, a way to keep only some rows
of that cache, and the device the inputs go to. `HFCausalLM` provides them over any module called
like a Hugging Face causal LM::

    model(input_ids=..., attention_mask=..., position_ids=..., past_key_values=..., use_cache=True)
        -> an object with .logits (batch, time, vocab) and .past_key_values (or the tuple (logits, past))

That covers transformers 4.x/5.x models (whose cache is a ``Cache`` object such as ``DynamicCache``,
or a legacy tuple of per-layer ``(key, value)`` tensors), peft models wrapping them, and the small
torch model of the CPU tests.
"""

from __future__ import annotations

import inspect
from typing import Any, Optional, Protocol, Tuple

import torch

Past = Any  # a transformers Cache object, a legacy tuple of (key, value) per layer, or None


class StepModel(Protocol):
    """One decoding step over a batch; what BatchGenerator relies on."""

    @property
    def device(self) -> torch.device:
        """Where input ids, masks and positions must live."""
        ...

    def step(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        past: Past,
        all_logits: bool,
    ) -> Tuple[torch.Tensor, Past]:
        """Runs input_ids (batch, t) after `past`; attention_mask covers past + t columns.

        Returns logits (batch, t or 1, vocab) -- all positions when all_logits, else at least the
        last -- and the cache extended by the t new positions.
        """
        ...

    def select_rows(self, past: Past, rows: torch.Tensor) -> Past:
        """The cache restricted to `rows` (a 1-D CPU LongTensor of batch indices, in order)."""
        ...


def _logits_to_keep_argument(model: torch.nn.Module) -> Optional[str]:
    """The keyword that limits the LM head to the last positions, if the model's forward has one.

    transformers >= 4.50 calls it ``logits_to_keep``, 4.45-4.49 ``num_logits_to_keep``; a peft model
    forwards keywords to the model it wraps, so that model's signature is the one to read.
    """
    get_base = getattr(model, "get_base_model", None)
    inner = get_base() if callable(get_base) else model
    try:
        parameters = inspect.signature(inner.forward).parameters
    except (TypeError, ValueError):
        return None
    for name in ("logits_to_keep", "num_logits_to_keep"):
        if name in parameters:
            return name
    return None


def _input_device(model: torch.nn.Module) -> torch.device:
    """The device of the input embeddings (the first layer when a model is spread over devices)."""
    get_embeddings = getattr(model, "get_input_embeddings", None)
    if callable(get_embeddings):
        embeddings = get_embeddings()
        weight = getattr(embeddings, "weight", None)
        if isinstance(weight, torch.Tensor):
            return weight.device
    for parameter in model.parameters():
        return parameter.device
    return torch.device("cpu")


def _tensor_layers(past: Past) -> bool:
    """A Cache made of layer objects holding .keys/.values tensors (transformers >= 4.54, 5.x)."""
    layers = getattr(past, "layers", None)
    return isinstance(layers, list) and all(
        isinstance(getattr(layer, "keys", None), torch.Tensor) and isinstance(getattr(layer, "values", None), torch.Tensor) for layer in layers
    )


def cache_selection_method(past: Past) -> str:
    """How select_cache_rows keeps rows of this cache (reported by gpu_smoke.py)."""
    if past is None:
        return "none"
    if callable(getattr(past, "batch_select_indices", None)):
        return "batch_select_indices"
    if _tensor_layers(past):
        return "layers"
    if callable(getattr(past, "reorder_cache", None)):
        return "reorder_cache"
    if isinstance(past, (tuple, list)):
        return "legacy_tuple"
    raise TypeError(f"cannot select batch rows of a KV cache of type {type(past).__name__}")


def select_cache_rows(past: Past, rows: torch.Tensor) -> Past:
    """Keeps only `rows` of a KV cache, whichever form it has.

    transformers Cache objects (4.4x and 5.x DynamicCache, sliding-window layers included) have
    ``batch_select_indices`` (in place). Should a version drop it, a cache of layer objects with
    ``.keys``/``.values`` (batch first) is indexed directly; older caches have ``reorder_cache``, an
    index_select along the batch that also works for a subset. A legacy cache is a tuple, per layer,
    of tensors whose first dimension is the batch.
    """
    method = cache_selection_method(past)
    if method == "none":
        return None
    if method == "batch_select_indices":
        past.batch_select_indices(rows)
    elif method == "layers":
        for layer in past.layers:
            layer.keys = layer.keys.index_select(0, rows.to(layer.keys.device))
            layer.values = layer.values.index_select(0, rows.to(layer.values.device))
    elif method == "reorder_cache":
        past.reorder_cache(rows)
    else:
        return tuple(_select_nested(layer, rows) for layer in past)
    return past


def _select_nested(value: Any, rows: torch.Tensor) -> Any:
    if isinstance(value, torch.Tensor):
        return value.index_select(0, rows.to(value.device))
    if isinstance(value, (tuple, list)):
        return tuple(_select_nested(v, rows) for v in value)
    raise TypeError(f"unexpected entry of type {type(value).__name__} in a legacy KV cache")


class HFCausalLM:
    """StepModel over a module with the Hugging Face causal-LM forward signature."""

    def __init__(self, model: torch.nn.Module):
        self.model = model
        self._device = _input_device(model)
        self._keep_argument = _logits_to_keep_argument(model)

    @property
    def device(self) -> torch.device:
        return self._device

    def step(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        past: Past,
        all_logits: bool,
    ) -> Tuple[torch.Tensor, Past]:
        kwargs: dict[str, Any] = {
            "input_ids": input_ids,
            "attention_mask": attention_mask,
            "position_ids": position_ids,
            "past_key_values": past,
            "use_cache": True,
        }
        if not all_logits and self._keep_argument is not None:
            kwargs[self._keep_argument] = 1  # the prefill's (batch, time, vocab) logits are the memory peak
        output = self.model(**kwargs)
        if isinstance(output, tuple):
            return output[0], output[1]
        return output.logits, output.past_key_values

    def select_rows(self, past: Past, rows: torch.Tensor) -> Past:
        return select_cache_rows(past, rows)


def context_length(model: Any, tokenizer_max_length: Optional[int] = None) -> int:
    """The model's context in tokens, from its config (or the tokenizer's model_max_length).

    Raises ValueError naming what was looked at when neither gives a sane number.
    """
    config = getattr(model, "config", None)
    get_base = getattr(model, "get_base_model", None)
    if config is None and callable(get_base):
        config = getattr(get_base(), "config", None)
    if config is not None:
        get_text_config = getattr(config, "get_text_config", None)
        text_config = get_text_config() if callable(get_text_config) else config
        for name in ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx"):
            value = getattr(text_config, name, None)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
    if tokenizer_max_length is not None and 0 < tokenizer_max_length < 10_000_000:
        return tokenizer_max_length
    raise ValueError(
        "cannot tell the model's context length: its config has none of max_position_embeddings, n_positions, "
        "max_sequence_length, seq_length, n_ctx and the tokenizer's model_max_length is unset; pass it explicitly"
    )
