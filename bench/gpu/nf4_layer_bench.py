"""nf4_layer_bench: a LLaMA-2-70B-shaped QLoRA step in plain torch, NF4 base dequantised on the fly.

Decoder layers of the 70B shape (hidden 8192, 64 heads, 8 KV heads, head_dim 128, SwiGLU ffn
28672, RMSNorm eps 1e-5, RoPE theta 10000), every projection a frozen NF4 weight in bitsandbytes'
layout (nf4.py: 64-value blocks, double-quantised absmax) plus LoRA r16 (alpha 32) trained, the
attention through SDPA. As many layers as fit are built (--layers, default: from free memory after
probing one layer) and timed with CUDA events after a warm-up:
  train:   forward + backward of the stack on batch x seq tokens, then AdamW on the LoRA params;
  prefill: a scoring batch (default 30 x 700) through the stack, no grad, filling KV caches;
  decode:  one token for each of the batch's sequences against those caches, repeated.
The embedding + final norm + lm_head (bf16, frozen, vocab 32000) + cross-entropy are timed on their
own ("head"). The 80-layer figures are an EXTRAPOLATION: per-layer time x 80 + head, stated as such
in the JSON (per-layer time measured on the layers that fit, weights of layer 0 quantised from
random normal weights and copied to the others, which changes no timing).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.utils.checkpoint  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from benchcommon import GpuTimer, log, new_result, repo_root_default, sigterm_as_exit, summarize_seconds, write_json  # noqa: E402
import nf4  # noqa: E402
from nf4 import LoraNF4Linear, NF4Weight, quantize_nf4  # noqa: E402


@dataclass(frozen=True)
class Shape:
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    vocab: int
    layers_full: int
    eps: float = 1e-5
    rope_theta: float = 10000.0


SHAPES = {
    # meta-llama/Llama-2-70b-hf config.json (runtime.md §3.3)
    "70b": Shape(hidden=8192, heads=64, kv_heads=8, head_dim=128, ffn=28672, vocab=32000, layers_full=80),
    # CPU tests: the same code paths, GQA included
    "tiny": Shape(hidden=128, heads=4, kv_heads=2, head_dim=32, ffn=344, vocab=512, layers_full=80),
}

PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def projection_shapes(s: Shape) -> Dict[str, Tuple[int, int]]:
    """[out, in] of each projection."""
    q, kv = s.heads * s.head_dim, s.kv_heads * s.head_dim
    return {"q_proj": (q, s.hidden), "k_proj": (kv, s.hidden), "v_proj": (kv, s.hidden), "o_proj": (s.hidden, q),
            "gate_proj": (s.ffn, s.hidden), "up_proj": (s.ffn, s.hidden), "down_proj": (s.hidden, s.ffn)}


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    """LLaMA RMSNorm as HF computes it: in fp32, then back to the input dtype, times the weight."""
    xf = x.float()
    return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)).to(x.dtype) * weight


def rope_tables(s: Shape, positions: int, device: Any, dtype: torch.dtype) -> Tuple[torch.Tensor, torch.Tensor]:
    inv = 1.0 / (s.rope_theta ** (torch.arange(0, s.head_dim, 2, device=device, dtype=torch.float32) / s.head_dim))
    freqs = torch.outer(torch.arange(positions, device=device, dtype=torch.float32), inv)
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """HF rotate_half RoPE; x [b, h, t, d], cos/sin [t, d]."""
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rotated * sin


HAS_SDPA = hasattr(F, "scaled_dot_product_attention")


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool) -> torch.Tensor:
    """q [b, h, tq, d], k/v [b, kvh, tk, d]; KV heads repeated to h (as HF's repeat_kv), then SDPA."""
    rep = q.shape[1] // k.shape[1]
    if rep > 1:
        b, kvh, tk, d = k.shape
        k = k[:, :, None].expand(b, kvh, rep, tk, d).reshape(b, kvh * rep, tk, d)
        v = v[:, :, None].expand(b, kvh, rep, tk, d).reshape(b, kvh * rep, tk, d)
    if HAS_SDPA:
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    scores = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])  # torch < 2.0 (Debian's 1.13, CPU tests)
    if causal:
        tq, tk = q.shape[2], k.shape[2]
        mask = torch.ones(tq, tk, dtype=torch.bool, device=q.device).tril(tk - tq)
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores.float(), dim=-1).to(q.dtype) @ v


class KVCache:
    """Preallocated keys/values of one layer: [b, kvh, capacity, d]."""

    def __init__(self, b: int, s: Shape, capacity: int, device: Any, dtype: torch.dtype):
        self.k = torch.empty(b, s.kv_heads, capacity, s.head_dim, device=device, dtype=dtype)
        self.v = torch.empty_like(self.k)
        self.length = 0

    def append(self, k: torch.Tensor, v: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        t = k.shape[2]
        self.k[:, :, self.length : self.length + t] = k
        self.v[:, :, self.length : self.length + t] = v
        self.length += t
        return self.k[:, :, : self.length], self.v[:, :, : self.length]


class DecoderLayer(torch.nn.Module):
    def __init__(self, s: Shape, weights: Dict[str, NF4Weight], r: int, alpha: float, device: Any, dtype: torch.dtype):
        super().__init__()
        self.s = s
        self.proj = torch.nn.ModuleDict({n: LoraNF4Linear(weights[n], r, alpha, 0.0, dtype) for n in PROJECTIONS})
        self.norm1 = torch.ones(s.hidden, device=device, dtype=dtype)  # frozen
        self.norm2 = torch.ones(s.hidden, device=device, dtype=dtype)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, cache: Optional[KVCache] = None) -> torch.Tensor:
        s, p = self.s, self.proj
        b, t, _ = x.shape
        h = rms_norm(x, self.norm1, s.eps)
        q = p["q_proj"](h).view(b, t, s.heads, s.head_dim).transpose(1, 2)
        k = p["k_proj"](h).view(b, t, s.kv_heads, s.head_dim).transpose(1, 2)
        v = p["v_proj"](h).view(b, t, s.kv_heads, s.head_dim).transpose(1, 2)
        start = cache.length if cache is not None else 0
        c, sn = cos[start : start + t], sin[start : start + t]
        q, k = apply_rope(q, c, sn), apply_rope(k, c, sn)
        if cache is not None:
            k, v = cache.append(k, v)
        a = attention(q, k, v, causal=t > 1).transpose(1, 2).reshape(b, t, s.heads * s.head_dim)
        x = x + p["o_proj"](a)
        h = rms_norm(x, self.norm2, s.eps)
        return x + p["down_proj"](F.silu(p["gate_proj"](h)) * p["up_proj"](h))


def make_weights(s: Shape, device: Any, std: float = 0.02) -> Dict[str, NF4Weight]:
    """Random normal weights, NF4-quantised (with double quantisation) one projection at a time."""
    out = {}
    for name, (o, i) in projection_shapes(s).items():
        w = torch.randn(o, i, device=device, dtype=torch.bfloat16) * std
        out[name] = quantize_nf4(w)
        del w
    return out


def layer_nf4_bytes(weights: Dict[str, NF4Weight]) -> int:
    return sum(w.nbytes() for w in weights.values())


def lora_params(layers: List[DecoderLayer]) -> List[torch.nn.Parameter]:
    return [p for layer in layers for p in layer.parameters() if p.requires_grad]


def run_stack(layers: List[DecoderLayer], x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, caches: Optional[List[KVCache]] = None, checkpoint: bool = False) -> torch.Tensor:
    for i, layer in enumerate(layers):
        if checkpoint:
            x = torch.utils.checkpoint.checkpoint(layer, x, cos, sin, use_reentrant=False)
        else:
            x = layer(x, cos, sin, caches[i] if caches else None)
    return x


def train_step_times(layers: List[DecoderLayer], opt: Any, x: torch.Tensor, cos: Any, sin: Any, timer: GpuTimer, checkpoint: bool) -> Dict[str, float]:
    """Seconds of forward, backward and optimizer step of one training step of the stack."""
    x = x.detach().requires_grad_(False)
    holder: Dict[str, Any] = {}

    def fwd() -> None:
        out = run_stack(layers, x, cos, sin, checkpoint=checkpoint)
        holder["loss"] = out.float().pow(2).mean()  # stands in for the head (timed separately)

    def bwd() -> None:
        holder.pop("loss").backward()

    def step() -> None:
        opt.step()
        opt.zero_grad(set_to_none=True)

    return {"forward_s": timer.time(fwd), "backward_s": timer.time(bwd), "optimizer_s": timer.time(step)}


class Head(torch.nn.Module):
    """Embedding + final RMSNorm + lm_head (bf16, frozen; QLoRA keeps them unquantised) + CE loss."""

    def __init__(self, s: Shape, device: Any, dtype: torch.dtype):
        super().__init__()
        self.s = s
        self.embed = torch.randn(s.vocab, s.hidden, device=device, dtype=dtype) * 0.02
        self.lm_head = torch.randn(s.vocab, s.hidden, device=device, dtype=dtype) * 0.02
        self.norm = torch.ones(s.hidden, device=device, dtype=dtype)

    def logits(self, h: torch.Tensor) -> torch.Tensor:
        return rms_norm(h, self.norm, self.s.eps) @ self.lm_head.t()


def head_times(head: Head, b: int, t: int, prefill_b: int, timer: GpuTimer, reps: int, device: Any) -> Dict[str, Any]:
    """Embedding lookup, and norm + lm_head + fp32 cross-entropy forward and backward (to the hidden state)."""
    s = head.s
    tokens = torch.randint(3, s.vocab, (b, t), device=device)
    hidden = (torch.randn(b, t, s.hidden, device=device, dtype=head.embed.dtype) * 0.5).requires_grad_(True)

    def train() -> None:
        F.embedding(tokens, head.embed)
        logits = head.logits(hidden)
        loss = F.cross_entropy(logits.float().view(-1, s.vocab)[:-1], tokens.view(-1)[1:])
        loss.backward()

    last = torch.randn(prefill_b, 1, s.hidden, device=device, dtype=head.embed.dtype)

    def score() -> None:
        with torch.no_grad():
            torch.log_softmax(head.logits(last).float(), dim=-1).topk(5)

    train()
    score()
    tr = [timer.time(train) for _ in range(reps)]
    sc = [timer.time(score) for _ in range(reps)]
    return {"train": summarize_seconds(tr), "score_last_position": summarize_seconds(sc)}


def free_bytes(device: Any) -> int:
    if getattr(device, "type", str(device)) == "cuda":
        free, _total = torch.cuda.mem_get_info()
        return int(free)
    return 8 << 30  # CPU tests: pretend 8 GiB


def parse_args(argv: List[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--shape", default="70b", choices=sorted(SHAPES))
    p.add_argument("--device", default=None)
    p.add_argument("--layers", type=int, default=None, help="layers to build (default: as many as fit, at most --max-layers)")
    p.add_argument("--max-layers", type=int, default=80)
    p.add_argument("--memory-fraction", type=float, default=0.85, help="share of free GPU memory the auto layer count may plan for")
    p.add_argument("--batch", type=int, default=1, help="training batch (sequences)")
    p.add_argument("--seq", type=int, default=1024, help="training sequence length")
    p.add_argument("--checkpoint", action="store_true", help="gradient checkpointing per layer (recompute forward in backward)")
    p.add_argument("--lora-r", type=int, default=16)
    p.add_argument("--lora-alpha", type=float, default=32)
    p.add_argument("--prefill-batch", type=int, default=30, help="scoring batch (requests)")
    p.add_argument("--prefill-len", type=int, default=700, help="scoring prompt length (tokens)")
    p.add_argument("--decode-tokens", type=int, default=8)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--compile-dequant", action="store_true", help="torch.compile the dequantisation (fused; compile time is reported, not in the timings)")
    p.add_argument("--skip", default="", help="comma list of phases to skip: train,prefill,decode,head")
    p.add_argument("--repo-root", default=repo_root_default())
    return p.parse_args(argv)


def plan_layers(args: argparse.Namespace, s: Shape, device: Any, probe: Dict[str, Any]) -> int:
    """Layers that fit: per layer NF4 + LoRA state + saved activations + KV cache, plus the transient peak."""
    if args.layers is not None:
        return args.layers
    budget = free_bytes(device) * args.memory_fraction
    per_layer = probe["nf4_bytes"] + probe["lora_state_bytes"] + probe["saved_activation_bytes"] + probe["kv_cache_bytes"]
    fixed = probe["transient_bytes"] + probe["head_bytes"]
    fit = int((budget - fixed) // per_layer) + probe["layers"]  # the probe layer is already resident
    return max(1, min(args.max_layers, fit))


def probe_layer(args: argparse.Namespace, s: Shape, device: Any, dtype: torch.dtype, weights: Dict[str, NF4Weight], cos: Any, sin: Any) -> Dict[str, Any]:
    """One layer's memory: saved activations of a training forward and the transient peak of its backward."""
    cuda = device.type == "cuda"
    layer = DecoderLayer(s, weights, args.lora_r, args.lora_alpha, device, dtype)
    n_lora = sum(p.numel() for p in layer.parameters() if p.requires_grad)
    lora_state = n_lora * (2 + 2 + 4 + 4)  # bf16 param + grad, fp32 Adam moments
    x = torch.randn(args.batch, args.seq, s.hidden, device=device, dtype=dtype)
    saved = transient = 0
    if cuda:
        torch.cuda.synchronize()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        out = run_stack([layer], x, cos, sin, checkpoint=args.checkpoint)
        torch.cuda.synchronize()
        saved = torch.cuda.memory_allocated() - base - out.numel() * out.element_size()
        out.float().pow(2).mean().backward()
        torch.cuda.synchronize()
        transient = torch.cuda.max_memory_allocated() - base - saved
        del out
    kv = 2 * args.prefill_batch * s.kv_heads * (args.prefill_len + args.decode_tokens) * s.head_dim * 2
    head = 2 * s.vocab * s.hidden * 2 + args.batch * args.seq * s.vocab * (2 + 4 + 4)
    return {"layers": 1, "nf4_bytes": layer_nf4_bytes(weights), "lora_params": n_lora, "lora_state_bytes": lora_state,
            "saved_activation_bytes": max(0, saved), "transient_bytes": max(0, transient), "kv_cache_bytes": kv, "head_bytes": head, "layer": layer}


@dataclass
class Ctx:
    args: argparse.Namespace
    s: Shape
    device: Any
    dtype: torch.dtype
    layers: List[DecoderLayer]
    cos: torch.Tensor
    sin: torch.Tensor
    timer: GpuTimer
    n: int


def phase_train(c: Ctx) -> Dict[str, Any]:
    """Training steps of the stack: forward, backward (LoRA grads + activations), AdamW."""
    args, n = c.args, c.n
    opt = torch.optim.AdamW(lora_params(c.layers), lr=1e-4, foreach=True)
    x = torch.randn(args.batch, args.seq, c.s.hidden, device=c.device, dtype=c.dtype)
    if c.device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    try:
        for _ in range(args.warmup):
            train_step_times(c.layers, opt, x, c.cos, c.sin, c.timer, args.checkpoint)
        reps = [train_step_times(c.layers, opt, x, c.cos, c.sin, c.timer, args.checkpoint) for _ in range(args.reps)]
    finally:
        for p in lora_params(c.layers):
            p.grad = None
    fb = [r["forward_s"] + r["backward_s"] for r in reps]
    out = {"tokens": args.batch * args.seq, "checkpoint": args.checkpoint,
           "forward": summarize_seconds([r["forward_s"] for r in reps]),
           "backward": summarize_seconds([r["backward_s"] for r in reps]),
           "optimizer": summarize_seconds([r["optimizer_s"] for r in reps]),
           "forward_backward": summarize_seconds(fb),
           "per_layer_forward_backward_s": sorted(fb)[len(fb) // 2] / n,
           "per_layer_optimizer_s": sorted(r["optimizer_s"] for r in reps)[len(reps) // 2] / n}
    if c.device.type == "cuda":
        out["peak_memory_gib"] = torch.cuda.max_memory_allocated() / 2**30
    log(f"train: {out['per_layer_forward_backward_s'] * 1e3:.2f} ms/layer fwd+bwd")
    return {"train": out}


def phase_prefill_decode(c: Ctx) -> Dict[str, Any]:
    """A scoring batch through the stack (no grad, KV caches filled), then one-token decode steps."""
    args, s, n = c.args, c.s, c.n
    B, C = args.prefill_batch, args.prefill_len
    decode = "decode" not in set(filter(None, args.skip.split(",")))
    prompt = torch.randn(B, C, s.hidden, device=c.device, dtype=c.dtype)
    pre: List[float] = []
    dec: List[float] = []
    with torch.no_grad():
        for rep in range(args.warmup + args.reps):
            caches = [KVCache(B, s, C + args.decode_tokens, c.device, c.dtype) for _ in c.layers]
            t_pre = c.timer.time(lambda: run_stack(c.layers, prompt, c.cos, c.sin, caches))
            step_x = torch.randn(B, 1, s.hidden, device=c.device, dtype=c.dtype)
            t_dec = [c.timer.time(lambda: run_stack(c.layers, step_x, c.cos, c.sin, caches)) for _ in range(args.decode_tokens if decode else 0)]
            if rep >= args.warmup:
                pre.append(t_pre)
                dec.extend(t_dec)
            del caches
    out: Dict[str, Any] = {"prefill": {"batch": B, "prompt_tokens": C, **summarize_seconds(pre), "per_layer_s": sorted(pre)[len(pre) // 2] / n}}
    if dec:
        d = {"batch": B, "context": f"{C}..{C + args.decode_tokens - 1}", **summarize_seconds(dec), "per_layer_per_token_s": sorted(dec)[len(dec) // 2] / n}
        d.pop("samples_s")
        d["n_tokens"] = len(dec)
        out["decode"] = d
    log(f"prefill: {out['prefill']['per_layer_s'] * 1e3:.2f} ms/layer; decode: {out.get('decode', {}).get('per_layer_per_token_s', float('nan')) * 1e3:.3f} ms/layer/token")
    return out


def phase_head(c: Ctx) -> Dict[str, Any]:
    head = Head(c.s, c.device, c.dtype)
    try:
        return {"head": head_times(head, c.args.batch, c.args.seq, c.args.prefill_batch, c.timer, c.args.reps, c.device)}
    finally:
        del head


def main(argv: List[str]) -> int:
    sigterm_as_exit()
    args = parse_args(argv)
    result = new_result("nf4_layer", ["bench/gpu/nf4_layer_bench.py"] + argv, vars(args), args.repo_root)
    fig: Dict[str, Any] = result["figures"]
    write_json(args.out, result)
    skip = set(filter(None, args.skip.split(",")))
    try:
        device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
        dtype = torch.bfloat16
        s = SHAPES[args.shape]
        fig["shape"] = asdict(s)
        fig["attention"] = "sdpa" if HAS_SDPA else "manual (torch < 2.0)"
        timer = GpuTimer(device)
        torch.manual_seed(0)
        fig["dequant"] = "torch.compile(expand_codes)" if args.compile_dequant else "eager (int32 widen, byte->code-pair lookup, scale, cast)"
        if args.compile_dequant:
            nf4.use_compiled_dequant(True)
        cos, sin = rope_tables(s, max(args.seq, args.prefill_len + args.decode_tokens), device, dtype)

        t0 = time.perf_counter()
        w0 = make_weights(s, device)
        if device.type == "cuda":
            torch.cuda.synchronize()
        fig["quantize_layer_s"] = time.perf_counter() - t0
        probe = probe_layer(args, s, device, dtype, w0, cos, sin)
        layers = [probe.pop("layer")]
        fig["probe"] = probe
        n = plan_layers(args, s, device, probe)
        fig["layers"] = n
        log(f"{args.shape}: {n} layers (probe {probe})")
        t0 = time.perf_counter()
        for _ in range(n - 1):
            layers.append(DecoderLayer(s, {k: w.clone() for k, w in w0.items()}, args.lora_r, args.lora_alpha, device, dtype))
        if device.type == "cuda":
            torch.cuda.synchronize()
            fig["resident_after_build_gib"] = torch.cuda.memory_allocated() / 2**30
        fig["build_layers_s"] = time.perf_counter() - t0
        write_json(args.out, result)

        ctx = Ctx(args, s, device, dtype, layers, cos, sin, timer, n)
        phases = [("train", phase_train), ("prefill", phase_prefill_decode), ("head", phase_head)]
        for name, fn in phases:
            if name in skip or (name == "prefill" and "decode" in skip and "prefill" in skip):
                continue
            try:
                fig.update(fn(ctx))
            except RuntimeError as e:  # out of memory in one phase: record it, free, go on
                if "out of memory" not in str(e).lower():
                    raise
                fig[f"{name}_error"] = f"{type(e).__name__}: {str(e)[:300]}"
                result["notes"].append(f"{name}: out of memory; try fewer --layers or --checkpoint")
                log(f"{name}: out of memory")
                for p in lora_params(layers):
                    p.grad = None
                if device.type == "cuda":
                    torch.cuda.empty_cache()
            write_json(args.out, result)

        fig["extrapolated_80_layers"] = extrapolate(fig, s, n)
        result["status"] = "partial" if any(k.endswith("_error") for k in fig) else "ok"
        return 0 if result["status"] == "ok" else 1
    except BaseException as e:  # noqa: BLE001
        result["status"] = "failed"
        result["error"] = f"{type(e).__name__}: {e}"
        log(f"nf4_layer_bench failed: {result['error']}")
        return 1
    finally:
        write_json(args.out, result)


def extrapolate(fig: Dict[str, Any], s: Shape, measured_layers: int) -> Dict[str, Any]:
    """Per-layer times x the full depth + the head: an extrapolation, labelled as one."""
    L = s.layers_full
    out: Dict[str, Any] = {"kind": "extrapolation", "layers": L, "from_measured_layers": measured_layers,
                           "method": "median per-layer time measured on the stack x layers + head measured separately; weights memory = NF4 bytes per layer x layers + bf16 embedding and lm_head"}
    head = fig.get("head", {})
    if "train" in fig:
        step = fig["train"]["per_layer_forward_backward_s"] * L + fig["train"]["per_layer_optimizer_s"] * L + (head.get("train", {}).get("median_s") or 0.0)
        out["train_step_s"] = step
        out["train_tokens_per_s"] = fig["train"]["tokens"] / step if step else None
    if "prefill" in fig:
        out["prefill_s"] = fig["prefill"]["per_layer_s"] * L + (head.get("score_last_position", {}).get("median_s") or 0.0)
        out["prefill_requests_per_s"] = fig["prefill"]["batch"] / out["prefill_s"] if out["prefill_s"] else None
    if "decode" in fig:
        out["decode_token_s"] = fig["decode"]["per_layer_per_token_s"] * L + (head.get("score_last_position", {}).get("median_s") or 0.0)
    probe = fig.get("probe", {})
    if probe:
        out["weights_gib"] = (probe["nf4_bytes"] * L + 2 * s.vocab * s.hidden * 2) / 2**30
        out["train_saved_activations_gib"] = probe["saved_activation_bytes"] * L / 2**30
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
