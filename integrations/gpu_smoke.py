"""One-command smoke test of the batching scoring server on a GPU with transformers (and peft).

    python3 integrations/gpu_smoke.py                 # a small random LlamaForCausalLM (+ LoRA) on cuda
    python3 integrations/gpu_smoke.py --tiny --device cpu   # the same checks on the CPU test model

It builds an offline byte-level BPE tokenizer and a small random LlamaForCausalLM (nothing is
downloaded), wraps it in a random peft LoRA adapter when peft is importable, and then, in float32
and in bfloat16:

  * serves it the way EvalfirstCallback(serve=True) does (serving_while_paused: the transformers
    Cache path -- DynamicCache, batch_select_indices, logits_to_keep, 2-D mask + position ids) and
    checks that the model is back in train() afterwards;
  * sends ~40 HELM-shaped requests one at a time (batch-1) and then from 30 concurrent keep-alive
    clients (batched), and checks batched == batch-1: identical completions, or -- bf16 only -- a
    first divergence at a near tie (the two tokens' batch-1 logprobs within the tolerance);
    logprobs within 2e-3 (fp32) / 0.15 (bf16) per token;
  * times 30 one-token requests sent at once against the same 30 sent one after another;
  * records what the transformers Cache path did (cache type, prefill logits width, row selections);
  * checks /tokenize truncation and /decode against the HF tokenizer, and /info;
  * (transformers only) saves base + adapter, starts `scoring_server.py --base --adapter --port 0`,
    reads its ready line and checks its answers equal the in-memory server's;
  * checks a real CUDA out-of-memory error is recognised as one.

Prints one JSON object per check and a final summary; exits 1 when any check fails.
"""

from __future__ import annotations

import os
import sys

if os.path.dirname(os.path.abspath(__file__)) not in sys.path:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import argparse
import collections
import http.client
import json
import random
import subprocess
import tempfile
import threading
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

from batch_generation import BatchGenerator
from causal_lm import HFCausalLM, cache_selection_method
from completion_text import stop_detector
from cuda_memory import is_out_of_memory
from generation_types import Generation, GenerationRequest
from hf_trainer_callback import serving_while_paused
from text_tokenizer import HFTokenizer, TextTokenizer, generation_eos_ids

WORDS = ("the of and to in is was for on that with as by at from his her it an are were which be this "
         "answer question number total apples each more than half twice cost dollars hours miles seven "
         "twelve forty three nine equals so therefore step first then finally").split()
TOLERANCE = {"float32": 2e-3, "bfloat16": 0.15}
FAILURES: List[str] = []


def report(check: str, ok: bool, **details: Any) -> None:
    print(json.dumps({"check": check, "ok": ok, **details}), flush=True)
    if not ok:
        FAILURES.append(check)


# --------------------------------------------------------------------------------------------
# Models


def corpus(n: int, seed: int) -> List[str]:
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 30))]
        lines.append(" ".join(words) + rng.choice([".", "?", "\n\n", " = 42.", "\n"]))
    return lines


def build_hf_tokenizer() -> Any:
    """A byte-level BPE tokenizer trained here on a word list, with <s> prepended as LLaMA does."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    try:
        from transformers import PreTrainedTokenizerFast as FastTokenizer
    except ImportError:  # transformers 5 names the class TokenizersBackend
        from transformers import TokenizersBackend as FastTokenizer

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=800, special_tokens=["<s>", "</s>", "<pad>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    backend.train_from_iterator(corpus(3000, 1), trainer)
    backend.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", backend.token_to_id("<s>"))])
    return FastTokenizer(tokenizer_object=backend, bos_token="<s>", eos_token="</s>", pad_token="<pad>")


def build_llama(tokenizer: Any, device: str) -> Any:
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=256,
        intermediate_size=688,
        num_hidden_layers=4,
        num_attention_heads=8,
        num_key_value_heads=4,
        max_position_embeddings=2048,
        initializer_range=0.08,  # peakier than 0.02: fewer near ties for the comparison
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    return LlamaForCausalLM(config).to(device).float()


def make_eos_reachable(model: Any, tokenizer: TextTokenizer, eos_id: int) -> int:
    """Copies the LM-head row of the most generated token onto EOS (x1.1), so rows end by EOS at
    different steps. Returns that token id."""
    model.eval()
    generator = BatchGenerator(HFCausalLM(model), tokenizer.special_ids, tokenizer.vocab_size, stop_detector(tokenizer.decode))
    prompts = [tuple(tokenizer.encode(line)) for line in corpus(8, 7)]
    counts: collections.Counter[int] = collections.Counter()
    for generation in generator.generate([GenerationRequest(p, 24) for p in prompts]):
        counts.update(t.token_id for t in generation.tokens)
    token = counts.most_common(1)[0][0]
    head = model.get_output_embeddings()
    with torch.no_grad():
        head.weight[eos_id] = head.weight[token] * 1.1
    return token


def wrap_lora(model: Any) -> Tuple[Any, Optional[str]]:
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError as error:
        return model, f"peft not importable ({error}): LoRA path not exercised"
    torch.manual_seed(1)
    config = LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"], lora_dropout=0.1, init_lora_weights=False)
    return get_peft_model(model, config), None


# --------------------------------------------------------------------------------------------
# HTTP


class Client:
    def __init__(self, url: str):
        host, port = url.rsplit("/", 1)[-1].split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=600)

    def call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Tuple[int, Dict[str, Any]]:
        payload = json.dumps(body).encode() if body is not None else None
        self.connection.request(method, path, body=payload, headers={"content-type": "application/json"} if payload else {})
        response = self.connection.getresponse()
        return response.status, json.loads(response.read())

    def close(self) -> None:
        self.connection.close()


def helm_body(prompt: str, max_new_tokens: int, stops: Sequence[str], **extra: Any) -> Dict[str, Any]:
    body = {"prompt": prompt, "temperature": 1e-7, "num_return_sequences": 1, "max_new_tokens": max_new_tokens, "top_p": 1,
            "echo_prompt": False, "top_k_per_token": 5, "stop_sequences": list(stops)}
    body.update(extra)
    return body


def request_bodies(n: int) -> List[Dict[str, Any]]:
    rng = random.Random(3)
    bodies = []
    for i in range(n):
        prompt = " ".join(rng.choice(WORDS) for _ in range(rng.choice([3, 10, 40, 120, 300])))
        kind = i % 3
        if kind == 0:
            bodies.append(helm_body(prompt + "\nAnswer:", 1, []))  # multiple choice: one token, top 5
        elif kind == 1:
            bodies.append(helm_body("Q: " + prompt + "\nA:", 48, ["\n\n"]))  # GSM-like
        else:
            bodies.append(helm_body(prompt, 24, [" the", "."]))
    bodies.append(helm_body("echo this prompt back", 0, [], echo_prompt=True))
    bodies.append(helm_body("sampled continuation of", 16, [], temperature=0.7, seed=5))
    return bodies


def concurrently(url: str, bodies: List[Dict[str, Any]], clients: int) -> Tuple[List[Dict[str, Any]], List[str], float]:
    """Sends every body once, from `clients` keep-alive connections at once."""
    answers: List[Dict[str, Any]] = [{} for _ in bodies]
    errors: List[str] = []
    barrier = threading.Barrier(clients)

    def one(c: int) -> None:
        client = Client(url)
        try:
            barrier.wait(60)
            for i in range(c, len(bodies), clients):
                status, answer = client.call("POST", "/process", bodies[i])
                if status != 200:
                    errors.append(f"request {i}: HTTP {status} {answer}")
                answers[i] = answer
        except Exception as error:  # connection resets are what this counts
            errors.append(f"client {c}: {type(error).__name__}: {error}")
        finally:
            client.close()

    threads = [threading.Thread(target=one, args=(c,)) for c in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, errors, time.perf_counter() - started


def sequentially(url: str, bodies: List[Dict[str, Any]]) -> Tuple[List[Dict[str, Any]], float]:
    client = Client(url)
    started = time.perf_counter()
    try:
        answers = [client.call("POST", "/process", b)[1] for b in bodies]
    finally:
        client.close()
    return answers, time.perf_counter() - started


def compare_generations(alone: Generation, batched: Generation, tolerance: float, allow_ties: bool) -> Tuple[str, str]:
    """("same" | "tie" | "end-tie" | "mismatch", detail) for one request's batch-1 and batched tokens.

    A tie (allowed in bf16 only) is a first divergence where batch-1's two best candidates are within
    the tolerance; an end-tie, one row ending (EOS is never among the listed alternatives, so its
    margin cannot be read) where the other goes on after identical tokens.
    """
    for i, (a, b) in enumerate(zip(alone.tokens, batched.tokens)):
        if a.token_id != b.token_id:
            gap = a.top[0][1] - a.top[1][1] if len(a.top) >= 2 else float("inf")
            if allow_ties and gap <= tolerance:
                return "tie", f"token {i}: {a.token_id} vs {b.token_id}, batch-1 top-2 gap {gap:.4f}"
            return "mismatch", f"token {i}: batch-1 id {a.token_id} ({a.logprob:.4f}), batched id {b.token_id} ({b.logprob:.4f}), batch-1 top-2 gap {gap:.4f}"
        if abs(a.logprob - b.logprob) > tolerance:
            return "mismatch", f"token {i} (id {a.token_id}): logprob {a.logprob:.5f} batch-1 vs {b.logprob:.5f} batched"
    for a, b in zip(alone.prompt_tokens, batched.prompt_tokens):
        if a.token_id != b.token_id or abs(a.logprob - b.logprob) > tolerance:
            return "mismatch", f"echoed prompt token {a.token_id}: logprob {a.logprob:.5f} batch-1 vs {b.logprob:.5f} batched"
    if len(alone.tokens) != len(batched.tokens) or alone.finish_reason != batched.finish_reason:
        detail = f"{len(alone.tokens)} tokens ({alone.finish_reason}) batch-1 vs {len(batched.tokens)} ({batched.finish_reason}) batched"
        return ("end-tie" if allow_ties else "mismatch"), detail
    return "same", ""


def generation_requests(tokenizer: TextTokenizer, bodies: List[Dict[str, Any]]) -> List[GenerationRequest]:
    return [
        GenerationRequest(
            prompt_ids=tuple(tokenizer.encode(b["prompt"])),
            max_new_tokens=b["max_new_tokens"],
            temperature=b["temperature"],
            seed=b.get("seed"),
            top_k_per_token=b["top_k_per_token"],
            stop_sequences=tuple(b["stop_sequences"]),
            echo_prompt=b["echo_prompt"],
        )
        for b in bodies
    ]


# --------------------------------------------------------------------------------------------
# Checks


class RecordingModel:
    """HFCausalLM plus a record of the cache type, prefill logits width and row selections."""

    def __init__(self, inner: HFCausalLM):
        self.inner = inner
        self.cache_types: List[str] = []
        self.logits_widths: List[int] = []
        self.selections = 0
        self.selection_methods: set[str] = set()

    @property
    def device(self) -> torch.device:
        return self.inner.device

    def step(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, position_ids: torch.Tensor, past: Any, all_logits: bool) -> Tuple[torch.Tensor, Any]:
        logits, cache = self.inner.step(input_ids, attention_mask, position_ids, past, all_logits)
        if past is None and not all_logits:
            self.logits_widths.append(int(logits.shape[1]))
        self.cache_types.append(type(cache).__name__)
        return logits, cache

    def select_rows(self, past: Any, rows: torch.Tensor) -> Any:
        self.selections += 1
        self.selection_methods.add(cache_selection_method(past))
        return self.inner.select_rows(past, rows)


def check_direct(model: Any, tokenizer: TextTokenizer, label: str, dtype: str, requests: int) -> None:
    """batched == batch-1 on token ids, straight through BatchGenerator on the transformers model."""
    recording = RecordingModel(HFCausalLM(model))
    generator = BatchGenerator(recording, tokenizer.special_ids, tokenizer.vocab_size, stop_detector(tokenizer.decode))
    bodies = request_bodies(requests)
    rows = generation_requests(tokenizer, bodies)
    model.eval()
    order = sorted(range(len(rows)), key=lambda i: len(rows[i].prompt_ids))  # similar lengths together, as the batcher does
    batched: Dict[int, Generation] = {}
    for start in range(0, len(order), 8):
        chunk = order[start:start + 8]
        for i, generation in zip(chunk, generator.generate([rows[i] for i in chunk])):
            batched[i] = generation
    outcomes: collections.Counter[str] = collections.Counter()
    details = []
    for i, row in enumerate(rows):
        if not row.greedy and dtype != "float32":
            continue  # a seeded sample may legitimately diverge under bf16 noise
        outcome, detail = compare_generations(generator.generate([row])[0], batched[i], TOLERANCE[dtype], allow_ties=dtype != "float32")
        outcomes[outcome] += 1
        if outcome != "same":
            details.append(f"request {i}: {outcome}: {detail}")
    finishes = collections.Counter(g.finish_reason for g in batched.values())
    report(f"{label}: batched == batch-1 (token ids, BatchGenerator)", outcomes["mismatch"] == 0 and set(recording.logits_widths) == {1} and recording.selections > 0,
           outcomes=dict(outcomes), details=details[:8], finish_reasons=dict(finishes), cache_types=sorted(set(recording.cache_types)),
           prefill_logits_widths=sorted(set(recording.logits_widths)), row_selections=recording.selections,
           selection_methods=sorted(recording.selection_methods))


def check_serving(model: Any, tokenizer: Any, text_tokenizer: TextTokenizer, label: str, dtype: str, clients: int, requests: int) -> List[Dict[str, Any]]:
    tolerance = TOLERANCE[dtype]
    bodies = request_bodies(requests)
    model.train()
    with serving_while_paused(model, tokenizer) as url:
        status, info = Client(url).call("GET", "/info")
        report(f"{label}: /info", status == 200 and set(info) == {"model", "max_sequence_length", "eos_token", "batching"}, info=info)
        alone, alone_s = sequentially(url, bodies)
        batched, errors, batched_s = concurrently(url, bodies, clients)
        report(f"{label}: {clients} concurrent keep-alive clients", not errors, errors=errors[:5], requests=len(bodies))
        differing = [i for i, (a, b) in enumerate(zip(alone, batched)) if a.get("text") != b.get("text")
                     or any(abs(x["logprob"] - y["logprob"]) > tolerance for x, y in zip(a.get("tokens", []), b.get("tokens", [])))]
        eos_in_output = sum(1 for a in alone + batched if "</s>" in a.get("text", "") or any("</s>" in t["text"] for t in a.get("tokens", [])))
        # fp32: the HTTP answers must agree exactly; bf16: differences are reported (the id-level check
        # above tells ties from errors).
        report(f"{label}: concurrent answers == one-at-a-time answers (HTTP)", (dtype != "float32" or not differing) and eos_in_output == 0,
               differing=differing, eos_in_output=eos_in_output, sequential_s=round(alone_s, 3), concurrent_s=round(batched_s, 3))
        one_token = [helm_body(b["prompt"], 1, []) for b in bodies[:clients]]
        _, one_by_one_s = sequentially(url, one_token)
        _, errors, at_once_s = concurrently(url, one_token, len(one_token))
        report(f"{label}: {len(one_token)} one-token requests", not errors, one_after_another_s=round(one_by_one_s, 3), all_at_once_s=round(at_once_s, 3),
               speedup=round(one_by_one_s / max(at_once_s, 1e-9), 2))
        client = Client(url)
        text = " ".join(WORDS)
        _, full = client.call("POST", "/tokenize", {"text": text, "truncation": False, "max_length": 8})
        _, cut = client.call("POST", "/tokenize", {"text": text, "truncation": True, "max_length": 8})
        _, decoded = client.call("POST", "/decode", {"tokens": full["tokens"]})
        expected = text_tokenizer.encode(text)
        client.close()
        report(f"{label}: /tokenize and /decode", full["tokens"] == expected and cut["tokens"] == expected[:8] and decoded["text"] == text,
               first_ids=full["tokens"][:3], truncated=len(cut["tokens"]), decode_round_trip=decoded["text"] == text)
    report(f"{label}: model back in train()", bool(model.training))
    return alone


def check_cli(base_dir: str, adapter_dir: Optional[str], dtype: str, device: str, reference: List[Dict[str, Any]], label: str, requests: int) -> None:
    command = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "scoring_server.py"),
               "--base", base_dir, "--port", "0", "--device", device, "--dtype", dtype, "--max-wait-ms", "5"]
    if adapter_dir:
        command += ["--adapter", adapter_dir]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            report(f"{label}: CLI ready line", False, stderr=process.stderr.read()[-2000:] if process.stderr else "")
            return
        ready = json.loads(line)
        bodies = request_bodies(requests)
        client = Client(ready["listening"])
        answers = [client.call("POST", "/process", b)[1] for b in bodies[:12]]
        client.close()
        differing = [i for i, (r, a) in enumerate(zip(reference, answers)) if r.get("text") != a.get("text")]
        report(f"{label}: CLI over the saved checkpoint answers like the in-memory model", dtype != "float32" or not differing,
               ready_line=ready, differing=differing, compared=len(answers))
    finally:
        process.terminate()
        rest, _ = process.communicate(timeout=60)
    report(f"{label}: CLI printed only the ready line", rest == "", extra_stdout=rest[:200])


def check_real_oom(device: str) -> None:
    if device != "cuda":
        return
    try:
        torch.empty(1 << 46, dtype=torch.uint8, device="cuda")  # 64 TiB
        report("real CUDA OOM recognised", False, detail="the allocation succeeded")
    except Exception as error:
        report("real CUDA OOM recognised", is_out_of_memory(error), error_type=type(error).__name__)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--tiny", action="store_true", help="the CPU tests' TinyLlama and byte tokenizer instead of transformers")
    parser.add_argument("--clients", type=int, default=30, help="concurrent clients (HELM's -n 30)")
    parser.add_argument("--requests", type=int, default=40, help="HELM-shaped requests per comparison")
    args = parser.parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        print("gpu_smoke: --device cuda but CUDA is unavailable", file=sys.stderr)
        return 1
    versions = {"torch": torch.__version__, "device": torch.cuda.get_device_name() if args.device == "cuda" else "cpu"}
    with tempfile.TemporaryDirectory() as scratch:
        if args.tiny:
            from testing_byte_tokenizer import EOS_ID, ByteTokenizer
            from testing_tiny_llama import TinyConfig, TinyLlama

            tokenizer: Any = ByteTokenizer()
            text_tokenizer: TextTokenizer = tokenizer
            model: Any = TinyLlama(TinyConfig(max_position_embeddings=2048)).to(args.device)
            make_eos_reachable(model, text_tokenizer, EOS_ID)
            base_dir: Optional[str] = None
            adapter_dir: Optional[str] = None
        else:
            import transformers

            versions["transformers"] = transformers.__version__
            tokenizer = build_hf_tokenizer()
            model = build_llama(tokenizer, args.device)
            text_tokenizer = HFTokenizer(tokenizer, generation_eos_ids(model))
            make_eos_reachable(model, text_tokenizer, tokenizer.eos_token_id)
            base_dir = os.path.join(scratch, "base")
            model.save_pretrained(base_dir)
            tokenizer.save_pretrained(base_dir)
            model, note = wrap_lora(model)
            adapter_dir = None
            if note is None:
                import peft

                versions["peft"] = peft.__version__
                adapter_dir = os.path.join(scratch, "adapter")
                model.save_pretrained(adapter_dir)
            else:
                report("peft", True, note=note)
        print(json.dumps({"versions": versions, "model": type(model).__name__}), flush=True)
        for dtype in ("float32", "bfloat16"):
            model.to(getattr(torch, dtype))
            label = f"{dtype}"
            check_direct(model, text_tokenizer, label, dtype, args.requests)
            reference = check_serving(model, tokenizer, text_tokenizer, label, dtype, args.clients, args.requests)
            if base_dir is not None:
                check_cli(base_dir, adapter_dir, dtype, args.device, reference, label, args.requests)
        check_real_oom(args.device)
    print(json.dumps({"summary": "FAILED" if FAILURES else "OK", "failed": FAILURES}), flush=True)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
