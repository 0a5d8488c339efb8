"""Saves a small random transformers checkpoint for tests: a LLaMA base and peft LoRA adapters.

    python3 integrations/testing_hf_checkpoint.py --base DIR [--adapter DIR ...]

The base is gpu_smoke's: an offline byte-level BPE tokenizer and a random 4-layer LlamaForCausalLM
(context 2048) whose EOS is made reachable, saved with save_pretrained (tokenizer included). Each
--adapter gets a random LoRA (r 8 on q_proj/v_proj, seeded by its position) in peft's layout, as a
Trainer checkpoint holds it. Nothing is downloaded. Needs torch, transformers and peft (for adapters).
Prints one JSON line: {"base": DIR, "adapters": [DIR, ...], "transformers": VERSION}.
"""

from __future__ import annotations

import os
import sys

if os.path.dirname(os.path.abspath(__file__)) not in sys.path:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import argparse
import json
from typing import Any, List, Optional


def save_base(directory: str) -> Any:
    """Builds, saves and returns the random base model (with its tokenizer)."""
    from gpu_smoke import build_hf_tokenizer, build_llama, make_eos_reachable
    from text_tokenizer import HFTokenizer, generation_eos_ids

    tokenizer = build_hf_tokenizer()
    model = build_llama(tokenizer, "cpu")
    make_eos_reachable(model, HFTokenizer(tokenizer, generation_eos_ids(model)), tokenizer.eos_token_id)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return model


def save_adapter(model: Any, directory: str, seed: int) -> None:
    """A random LoRA over `model` (left unchanged), saved in peft's layout."""
    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(seed)
    config = LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"], lora_dropout=0.0, init_lora_weights=False)
    peft_model = get_peft_model(model, config)
    peft_model.save_pretrained(directory)
    peft_model.unload()  # the base modules back, for the next adapter


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--adapter", action="append", default=[])
    args = parser.parse_args(argv)
    import transformers

    model = save_base(args.base)
    for k, directory in enumerate(args.adapter):
        save_adapter(model, directory, seed=100 + k)
    print(json.dumps({"base": args.base, "adapters": args.adapter, "transformers": transformers.__version__}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
