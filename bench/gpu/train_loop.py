"""train_loop: the 7B QLoRA-style loop evalfirst wraps, on a random-init LLaMA-2-7B shape.

HF Trainer + peft LoRA (r 16, alpha 32, dropout 0.05, all seven projections) over LlamaForCausalLM
built from the 7B config with random weights in bf16 (no bitsandbytes on the GPU machine, so the
base is bf16, not NF4), batch 8 x 1024 tokens of synthetic token ids, checkpoint every
--save-steps (200 by default). The tokenizer is synth_tokenizer's byte-level BPE with exactly
32000 ids, so vocab_size stays LLaMA-2's 32000.

Under `evalfirst train` (EVALFIRST_CONTROL_URL set) it adds integrations/hf_trainer_callback.py's
EvalfirstCallback(serve=True, tokenizer=tok): each checkpoint is reported and the in-memory model
is served for scoring while training waits. Alone, no evalfirst callback is added. Either way a
timing callback writes --timings (JSON): every step's start/end (CUDA-synchronised), each save,
and each pause between a save and the next step (the scoring, under evalfirst).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from typing import Any, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def parse_args(argv: List[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--output-dir", required=True, help="Trainer output_dir (checkpoint-N/ go here)")
    p.add_argument("--timings", required=True, help="JSON file for the step/save/pause timings")
    p.add_argument("--shape", default="7b", choices=["7b", "tiny"])
    p.add_argument("--vocab-size", type=int, default=32000)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq", type=int, default=1024)
    p.add_argument("--max-steps", type=int, default=400)
    p.add_argument("--save-steps", type=int, default=200)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--lora-r", type=int, default=16)
    p.add_argument("--lora-alpha", type=int, default=32)
    p.add_argument("--lora-dropout", type=float, default=0.05)
    p.add_argument("--gradient-checkpointing", default="on", choices=["on", "off"])
    p.add_argument("--device", default=None, help="cuda (default when available) or cpu")
    p.add_argument("--optim", default=None, help="TrainingArguments.optim (default adamw_torch_fused on cuda, adamw_torch on cpu)")
    p.add_argument("--logging-steps", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tokenizer-cache", default=None)
    p.add_argument("--repo-root", default=os.path.abspath(os.path.join(HERE, "..", "..")))
    p.add_argument("--evalfirst", default="auto", choices=["auto", "off"], help="auto: add EvalfirstCallback(serve=True) when EVALFIRST_CONTROL_URL is set")
    p.add_argument("--save-base", default=None, help="save the random base (and tokenizer) here before training, so saved checkpoints can be served later (evalfirst's final evaluation)")
    return p.parse_args(argv)


class SyntheticTokens:
    """Deterministic random token ids in [3, vocab): sample i is the same in every run."""

    def __init__(self, n: int, seq: int, vocab: int, seed: int):
        self.n, self.seq, self.vocab, self.seed = n, seq, vocab, seed

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Dict[str, Any]:
        import torch

        g = torch.Generator().manual_seed(self.seed * 1_000_003 + i)
        ids = torch.randint(3, self.vocab, (self.seq,), generator=g)
        return {"input_ids": ids, "labels": ids.clone(), "attention_mask": torch.ones_like(ids)}


def file_sha256(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()[:16]
    except OSError:
        return None


def timing_callback_class(base: type) -> type:
    import torch

    class StepTimings(base):  # type: ignore[misc, valid-type]
        """Wall-clock of steps, saves and the pauses after saves; rewrites its JSON at each save and at the end."""

        def __init__(self, path: str, meta: Dict[str, Any]):
            self.path = path
            self.doc: Dict[str, Any] = {"meta": meta, "train_begin": None, "train_end": None, "steps": [], "saves": []}
            self._begin: Optional[float] = None
            self._last_save: Optional[Dict[str, Any]] = None

        def _now(self) -> float:
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            return time.time()

        def _write(self) -> None:
            tmp = self.path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(self.doc, f, indent=1)
            os.replace(tmp, self.path)

        def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            self.doc["train_begin"] = self._now()
            self._write()

        def on_step_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            self._begin = self._now()
            if self._last_save is not None:  # the pause after the previous save (scoring, under evalfirst)
                self._last_save["pause_s"] = self._begin - self._last_save["saved_at"]
                self._last_save = None

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            end = self._now()
            self.doc["steps"].append({"step": state.global_step, "begin": self._begin, "end": end})

        def on_save(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            saved_at = self._now()
            last_end = self.doc["steps"][-1]["end"] if self.doc["steps"] else saved_at
            self._last_save = {"step": state.global_step, "saved_at": saved_at, "save_s": saved_at - last_end, "pause_s": None}
            self.doc["saves"].append(self._last_save)
            self._write()

        def on_train_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            end = self._now()
            if self._last_save is not None:  # the last checkpoint's scoring ends with training
                self._last_save["pause_s"] = end - self._last_save["saved_at"]
            self.doc["train_end"] = end
            self._write()

    return StepTimings


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    import torch
    from transformers import Trainer, TrainerCallback, TrainingArguments

    from hf_model import add_lora, build_model, count_params, timed
    from synth_tokenizer import build_tokenizer

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    t_start = time.time()
    tok, tok_s = timed(build_tokenizer, args.vocab_size, args.tokenizer_cache)
    torch.manual_seed(args.seed)  # the same random base in every run (a base saved by one run is the next one's)
    model, build_s = timed(build_model, args.shape, len(tok), device, "bfloat16")
    save_base_s = None
    if args.save_base:
        t0 = time.time()
        model.save_pretrained(args.save_base)
        tok.save_pretrained(args.save_base)
        save_base_s = time.time() - t0
    model = add_lora(model, args.lora_r, args.lora_alpha, args.lora_dropout)
    callbacks: List[Any] = []
    under_evalfirst = args.evalfirst == "auto" and bool(os.environ.get("EVALFIRST_CONTROL_URL"))
    cb_path = os.path.join(args.repo_root, "integrations", "hf_trainer_callback.py")
    meta = {
        "argv": argv, "device": device, "shape": args.shape, "vocab_size": len(tok), "batch": args.batch, "seq": args.seq,
        "tokens_per_step": args.batch * args.seq, "params": count_params(model), "tokenizer_s": tok_s, "build_s": build_s, "save_base_s": save_base_s,
        "under_evalfirst": under_evalfirst, "callback_sha256_16": file_sha256(cb_path),
        "scoring_server_present": os.path.isfile(os.path.join(args.repo_root, "integrations", "scoring_server.py")),
        "process_start": t_start,
    }
    timing = timing_callback_class(TrainerCallback)(args.timings, meta)
    callbacks.append(timing)  # before EvalfirstCallback: its on_save stamps the save before scoring blocks
    if under_evalfirst:
        sys.path.insert(0, os.path.join(args.repo_root, "integrations"))
        from hf_trainer_callback import EvalfirstCallback

        callbacks.append(EvalfirstCallback(serve=True, tokenizer=tok))
    cuda = device == "cuda"
    targs = TrainingArguments(
        output_dir=args.output_dir,
        per_device_train_batch_size=args.batch,
        max_steps=args.max_steps,
        save_strategy="steps",
        save_steps=args.save_steps,
        logging_steps=args.logging_steps,
        learning_rate=args.lr,
        lr_scheduler_type="constant",
        optim=args.optim or ("adamw_torch_fused" if cuda else "adamw_torch"),
        bf16=cuda,
        use_cpu=not cuda,
        gradient_checkpointing=args.gradient_checkpointing == "on",
        gradient_checkpointing_kwargs={"use_reentrant": False},
        report_to="none",
        disable_tqdm=True,
        dataloader_pin_memory=cuda,
        dataloader_num_workers=0,
        seed=args.seed,
        max_grad_norm=0.3,
    )
    data = SyntheticTokens(args.batch * args.max_steps, args.seq, len(tok), args.seed)
    trainer = Trainer(model=model, args=targs, train_dataset=data, processing_class=tok, callbacks=callbacks)
    out = trainer.train()
    timing.doc["train_metrics"] = dict(out.metrics)
    if cuda:
        timing.doc["peak_memory_gib"] = torch.cuda.max_memory_allocated() / 2**30
    timing._write()
    print(json.dumps({"train_metrics": out.metrics}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
