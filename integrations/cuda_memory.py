"""Recognising and recovering from accelerator out-of-memory errors."""

from __future__ import annotations

from typing import Tuple, Type

import torch


def _oom_types() -> Tuple[Type[BaseException], ...]:
    types = []
    for owner, name in ((torch.cuda, "OutOfMemoryError"), (torch, "OutOfMemoryError")):
        value = getattr(owner, name, None)
        if isinstance(value, type) and issubclass(value, BaseException):
            types.append(value)
    return tuple(types)


def is_out_of_memory(error: BaseException) -> bool:
    """torch's OutOfMemoryError, or a RuntimeError saying "out of memory" (older torch, other allocators)."""
    types = _oom_types()
    if types and isinstance(error, types):
        return True
    return isinstance(error, RuntimeError) and "out of memory" in str(error).lower()


def release_cached_memory() -> None:
    """Gives the caching allocator's free blocks back, so a smaller retry (or training) can use them."""
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
