"""serve_bench: the batching scoring server against the one-by-one path it replaces, same model, same GPU.

Cases, each as N requests released at once over fresh HTTP connections (load_client.py):
  one-token: N 5-shot MMLU-format prompts (~500-750 tokens), max_new_tokens 1, top_k_per_token 5,
             stop [] (HELM's multiple_choice_joint request);
  generation: N GSM-format prompts (~300 tokens), max_new_tokens 64 greedy, top_k_per_token 1.
Paths:
  peer:    peer_sequential_server.ModelServer + torch_generate_fn (pre-issue-13, kept verbatim), in
           this process, over the model built here;
  batched: integrations/scoring_server.py in a child process (--port 0), loading the same weights,
           which this script saves first (base + the LoRA adapter). Or --server-url for a server
           started elsewhere. Each path is measured while the other is idle (the peer's model stays
           resident; both fit on one H200).
Order: direct forward, peer one-token, batched one-token, batched generation, peer generation
(the slowest, last, so a timeout loses only it).
Also measured: one direct batched forward of the N one-token prompts (no HTTP, no protocol), the
floor a server can approach. Figures: requests/s (median over rounds), p50/p95 latency over all
measured requests, errors by kind, and batched/peer ratios. Results go to --out as JSON, rewritten
after every case so a timeout keeps what was measured.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shlex
import subprocess
import sys
import threading
import time
from typing import Any, Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchcommon import log, new_result, repo_root_default, sigterm_as_exit, summarize_seconds, write_json  # noqa: E402
from load_client import process_body, run_case  # noqa: E402


def parse_args(argv: List[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="result JSON path")
    p.add_argument("--shape", default="7b", choices=["7b", "tiny"])
    p.add_argument("--device", default=None, help="cuda (default when available) or cpu")
    p.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    p.add_argument("--vocab-size", type=int, default=32000, help="tokenizer and model vocabulary (32000 = LLaMA-2)")
    p.add_argument("--lora-r", type=int, default=16, help="serve base + LoRA r on all 7 projections (0: base only)")
    p.add_argument("--lora-alpha", type=int, default=32)
    p.add_argument("--requests", type=int, default=30, help="one-token requests in flight at once")
    p.add_argument("--mmlu-dir", default=None, help="real MMLU CSVs (folder with dev/ and test/); else synthetic prompts")
    p.add_argument("--mmlu-min-tokens", type=int, default=500)
    p.add_argument("--mmlu-max-tokens", type=int, default=750)
    p.add_argument("--gen-requests", type=int, default=30)
    p.add_argument("--gen-tokens", type=int, default=64, help="max_new_tokens of the generation case")
    p.add_argument("--gen-prompt-tokens", type=int, default=300)
    p.add_argument("--gen-stop", default="", help='stop sequence of the generation case (default none, so every request runs to --gen-tokens; GSM sends "\\n\\n")')
    p.add_argument("--warmup", type=int, default=1, help="warm-up rounds per case (not measured)")
    p.add_argument("--rounds", type=int, default=3, help="measured rounds of the one-token case")
    p.add_argument("--gen-rounds", type=int, default=2, help="measured rounds of the generation case (batched)")
    p.add_argument("--peer-gen-rounds", type=int, default=1, help="measured rounds of the generation case on the peer (slow: ~N x tokens batch-1 steps)")
    p.add_argument("--direct-reps", type=int, default=3, help="repetitions of the direct batched forward")
    p.add_argument("--only", default="both", choices=["both", "peer", "batched"])
    p.add_argument("--request-timeout", type=float, default=600.0)
    p.add_argument("--repo-root", default=repo_root_default())
    p.add_argument("--server-script", default=None, help="default REPO/integrations/scoring_server.py")
    p.add_argument("--server-url", default=None, help="bench this running server instead of starting one")
    p.add_argument("--server-start-timeout", type=float, default=300.0)
    p.add_argument("--max-batch-tokens", type=int, default=None, help="passed to the scoring server")
    p.add_argument("--max-wait-ms", type=float, default=None, help="passed to the scoring server")
    p.add_argument("--server-extra", default="", help="more scoring-server flags (one shell-quoted string)")
    p.add_argument("--python", default=sys.executable, help="interpreter for the scoring server")
    p.add_argument("--workdir", default=None, help="where the weights for the server are saved (default: next to --out)")
    p.add_argument("--tokenizer-cache", default=None, help="cache folder for the synthetic tokenizer")
    return p.parse_args(argv)


def token_stats(counts: List[int]) -> Dict[str, Any]:
    return {"n": len(counts), "min": min(counts), "max": max(counts), "mean": sum(counts) / len(counts)} if counts else {"n": 0}


def direct_forward(model: Any, tok: Any, prompts: List[str], reps: int) -> Dict[str, Any]:
    """One padded forward of all prompts (logits of the last position only kept), warm-up first."""
    import torch

    from benchcommon import GpuTimer

    enc = tok(prompts, return_tensors="pt", padding=True)
    ids, mask = enc.input_ids.to(model.device), enc.attention_mask.to(model.device)
    timer = GpuTimer(model.device)

    @torch.no_grad()
    def run() -> None:
        out = model(input_ids=ids, attention_mask=mask, use_cache=False, logits_to_keep=1)
        torch.log_softmax(out.logits[:, -1].float(), dim=-1).topk(5)

    run()
    samples = [timer.time(run) for _ in range(reps)]
    return {"batch": len(prompts), "padded_len": int(ids.shape[1]), **summarize_seconds(samples)}


class ChildServer:
    """The scoring server as a child process; ready when it prints its {"listening": URL} line."""

    def __init__(self, cmd: List[str], start_timeout: float, cwd: str):
        self.cmd = cmd
        log(f"starting scoring server: {' '.join(shlex.quote(c) for c in cmd)}")
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=None, text=True, start_new_session=True)
        self.ready: Optional[Dict[str, Any]] = None
        self.lines: List[str] = []
        got = threading.Event()

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                if self.ready is None:
                    try:
                        doc = json.loads(line)
                    except ValueError:
                        doc = None
                    if isinstance(doc, dict) and isinstance(doc.get("listening"), str):
                        self.ready = doc
                        got.set()
                print(f"[scoring_server] {line.rstrip()}", file=sys.stderr, flush=True)
            got.set()

        threading.Thread(target=pump, daemon=True).start()
        t0 = time.perf_counter()
        while not got.wait(0.5):
            if time.perf_counter() - t0 > start_timeout:
                self.stop()
                raise RuntimeError(f"scoring server printed no listening line within {start_timeout:.0f}s")
        self.start_s = time.perf_counter() - t0
        if self.ready is None:
            raise RuntimeError(f"scoring server exited with code {self.proc.wait()} before listening; stdout: {self.lines[-5:]}")

    @property
    def url(self) -> str:
        assert self.ready is not None
        return str(self.ready["listening"])

    def stop(self) -> Optional[int]:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 15)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        return self.proc.returncode


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a / b if a is not None and b not in (None, 0) else None


def main(argv: List[str]) -> int:
    sigterm_as_exit()
    args = parse_args(argv)
    result = new_result("serve", ["bench/gpu/serve_bench.py"] + argv, vars(args), args.repo_root)
    fig: Dict[str, Any] = result["figures"]
    write_json(args.out, result)
    server: Optional[ChildServer] = None
    try:
        import torch

        from hf_model import add_lora, build_model, count_params, timed
        from prompts import gsm_prompts, mmlu_prompts, real_mmlu_prompts
        from synth_tokenizer import build_tokenizer

        device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
        workdir = args.workdir or os.path.join(os.path.dirname(os.path.abspath(args.out)), "serve_bench_model")
        tok, fig["tokenizer_s"] = timed(build_tokenizer, args.vocab_size, args.tokenizer_cache)
        count = lambda t: len(tok(t).input_ids)  # noqa: E731
        one = real_mmlu_prompts(args.mmlu_dir, args.requests) if args.mmlu_dir else mmlu_prompts(count, args.requests, args.mmlu_min_tokens, args.mmlu_max_tokens)
        gen = gsm_prompts(count, args.gen_requests, args.gen_prompt_tokens)
        fig["one_token_prompt_tokens"] = token_stats([count(p) for p in one])
        fig["generation_prompt_tokens"] = token_stats([count(p) for p in gen])
        one_bodies = [process_body(p, 1, 5, []) for p in one]
        stops = [args.gen_stop.encode().decode("unicode_escape")] if args.gen_stop else []
        gen_bodies = [process_body(p, args.gen_tokens, 1, stops) for p in gen]

        need_model = args.only in ("both", "peer") or (args.only == "batched" and not args.server_url)
        base_dir, adapter_dir = os.path.join(workdir, "base"), os.path.join(workdir, "adapter")
        if need_model:
            model, fig["build_s"] = timed(build_model, args.shape, args.vocab_size, device, args.dtype)
            log(f"built {args.shape} on {device} in {fig['build_s']:.1f}s")
            if args.only != "peer" and not args.server_url:
                t0 = time.perf_counter()
                model.save_pretrained(base_dir)
                tok.save_pretrained(base_dir)
                fig["save_base_s"] = time.perf_counter() - t0
            if args.lora_r > 0:
                model = add_lora(model, args.lora_r, args.lora_alpha, 0.0)
                if args.only != "peer" and not args.server_url:
                    model.save_pretrained(adapter_dir)
            fig["params"] = count_params(model)
            model.eval()
            write_json(args.out, result)
            fig["direct_forward"] = direct_forward(model, tok, one, args.direct_reps)
            log(f"direct batched forward of {len(one)} prompts: {fig['direct_forward']['median_s']:.3f}s")
            write_json(args.out, result)

        peer = None
        if args.only in ("both", "peer"):
            from peer_sequential_server import ModelServer, torch_generate_fn

            if device == "cuda":
                torch.cuda.reset_peak_memory_stats()
            peer = ModelServer(torch_generate_fn(model, tok), lambda t: tok(t).input_ids, lambda ids: tok.decode(ids)).start()
            fig["peer"] = {"one_token": run_case(peer.url, one_bodies, args.warmup, args.rounds, args.request_timeout)}
            log(f"peer one-token: {fig['peer']['one_token']['requests_per_s']} req/s")
            write_json(args.out, result)

        # The batched server runs while the peer's model stays resident but idle (both fit on one
        # GPU); the peer's slow generation case comes last so a timeout costs only that figure.
        batched_error: Optional[str] = None
        if args.only in ("both", "batched"):
            try:
                url = args.server_url
                if not url:
                    script = args.server_script or os.path.join(args.repo_root, "integrations", "scoring_server.py")
                    if not os.path.isfile(script):
                        raise FileNotFoundError(f"{script} does not exist: the batched path cannot be measured (give --server-script or --server-url)")
                    cmd = [args.python, script, "--base", base_dir, "--port", "0", "--device", device, "--dtype", args.dtype]
                    if args.lora_r > 0:
                        cmd += ["--adapter", adapter_dir]
                    if args.max_batch_tokens is not None:
                        cmd += ["--max-batch-tokens", str(args.max_batch_tokens)]
                    if args.max_wait_ms is not None:
                        cmd += ["--max-wait-ms", str(args.max_wait_ms)]
                    cmd += shlex.split(args.server_extra)
                    server = ChildServer(cmd, args.server_start_timeout, args.repo_root)
                    url = server.url
                    fig["batched_server"] = {"command": cmd, "start_s": server.start_s, "ready_line": server.ready}
                fig["batched"] = {"one_token": run_case(url, one_bodies, args.warmup, args.rounds, args.request_timeout)}
                log(f"batched one-token: {fig['batched']['one_token']['requests_per_s']} req/s")
                write_json(args.out, result)
                fig["batched"]["generation"] = run_case(url, gen_bodies, args.warmup, args.gen_rounds, args.request_timeout)
                log(f"batched generation: {fig['batched']['generation']['requests_per_s']} req/s")
                write_json(args.out, result)
                if server is not None:
                    fig["batched_server"]["exit_code"] = server.stop()
                    server = None
            except Exception as e:  # noqa: BLE001 - the peer's last case still runs; the error is recorded
                batched_error = f"{type(e).__name__}: {e}"
                fig["batched_error"] = batched_error
                log(f"batched path failed: {batched_error}")
                if server is not None:
                    fig.setdefault("batched_server", {})["exit_code"] = server.stop()
                    server = None

        if peer is not None:
            try:
                fig["peer"]["generation"] = run_case(peer.url, gen_bodies, 0, args.peer_gen_rounds, args.request_timeout)
                log(f"peer generation: {fig['peer']['generation']['requests_per_s']} req/s")
                if device == "cuda":
                    fig["peer"]["peak_memory_gib"] = torch.cuda.max_memory_allocated() / 2**30
            finally:
                peer.stop()
            write_json(args.out, result)

        if "peer" in fig and "batched" in fig:
            fig["ratio_batched_over_peer"] = {
                case: {
                    "requests_per_s": ratio(fig["batched"][case].get("requests_per_s"), fig["peer"][case].get("requests_per_s")),
                    "latency_p50": ratio(fig["batched"][case].get("latency_p50_s"), fig["peer"][case].get("latency_p50_s")),
                }
                for case in ("one_token", "generation")
                if case in fig["batched"] and case in fig["peer"]
            }
        result["status"] = "partial" if batched_error else "ok"
        if batched_error:
            result["error"] = f"batched path: {batched_error}"
        return 1 if batched_error else 0
    except BaseException as e:  # noqa: BLE001 - the partial result is written with the reason
        result["status"] = "failed"
        result["error"] = f"{type(e).__name__}: {e}"
        log(f"serve_bench failed: {result['error']}")
        return 1
    finally:
        if server is not None:
            fig.setdefault("batched_server", {})["exit_code"] = server.stop()
        write_json(args.out, result)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
