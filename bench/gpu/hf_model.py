"""Randomly initialised LLaMA models of real shapes, built on the device, and their LoRA wrapping.

No weights can be downloaded on the GPU machine, so the model is LlamaForCausalLM(config) with the
config of the named shape, constructed under `torch.device(device)` so the random init (normal,
std = initializer_range 0.02) runs on the GPU and takes seconds even at 7B. Random weights give
the real compute and memory cost of every forward, backward and generation step; only the text
they produce is noise.
"""

from __future__ import annotations

import time
from typing import Any, Dict, List

SHAPES: Dict[str, Dict[str, Any]] = {
    # meta-llama/Llama-2-7b-hf config.json (runtime.md §3.3)
    "7b": dict(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=32, max_position_embeddings=4096, rms_norm_eps=1e-5),
    # for CPU tests: same code paths (GQA included), a few MB
    "tiny": dict(hidden_size=64, intermediate_size=172, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048, rms_norm_eps=1e-5),
}

LORA_TARGETS: List[str] = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def llama_config(shape: str, vocab_size: int) -> Any:
    from transformers import LlamaConfig

    if shape not in SHAPES:
        raise ValueError(f"--shape must be one of {', '.join(SHAPES)}, got {shape!r}")
    return LlamaConfig(**SHAPES[shape], vocab_size=vocab_size, bos_token_id=1, eos_token_id=2, pad_token_id=2, tie_word_embeddings=False)


def torch_dtype(name: str) -> Any:
    import torch

    table = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}
    if name not in table:
        raise ValueError(f"--dtype must be one of {', '.join(table)}, got {name!r}")
    return table[name]


def build_model(shape: str, vocab_size: int, device: str, dtype: str) -> Any:
    """LlamaForCausalLM of the shape, random init on `device` in `dtype`, SDPA attention."""
    import torch
    from transformers import AutoModelForCausalLM

    cfg = llama_config(shape, vocab_size)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(cfg, dtype=torch_dtype(dtype), attn_implementation="sdpa")
    return model


def add_lora(model: Any, r: int, alpha: int, dropout: float) -> Any:
    """peft LoRA on all seven projections (QLoRA's choice, runtime.md §1.6), bias none, causal LM."""
    from peft import LoraConfig, get_peft_model

    cfg = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=list(LORA_TARGETS), bias="none", task_type="CAUSAL_LM")
    return get_peft_model(model, cfg)


def count_params(model: Any) -> Dict[str, int]:
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"total": total, "trainable": trainable}


def timed(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """(result, seconds) with a device sync, so GPU work queued by fn is counted."""
    import torch

    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return out, time.perf_counter() - t0
