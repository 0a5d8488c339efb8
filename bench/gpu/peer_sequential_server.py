"""The pre-issue-13 serving path, kept unchanged as the benchmark peer.

This is a verbatim copy of ``_truncate_at_stop``, ``make_handler``, ``torch_generate_fn`` and
``ModelServer`` from ``integrations/hf_trainer_callback.py`` at commit f4aac42: the one-request-at-a-
time challenge-protocol server that ``EvalfirstCallback(serve=True)`` ran while training was paused
(every request its own ``model(...)`` calls, batch 1, a thread per connection, no lock). Issue 13
replaces it with the batching ``integrations/scoring_server.py``; ``serve_bench.py`` measures both on
the same model and GPU, and this file stays frozen so that the comparison keeps its baseline. Do not
"fix" it: a change here changes what the benchmark compares against.
"""

from __future__ import annotations

import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List

# ---- verbatim from integrations/hf_trainer_callback.py @ f4aac42 below this line ----


def _truncate_at_stop(text: str, stops: List[str]) -> tuple[str, bool]:
    """Cuts text at the earliest stop sequence, as HELM expects the server to do."""
    cut = len(text)
    for s in stops or []:
        if s:
            i = text.find(s)
            if i != -1:
                cut = min(cut, i)
    return text[:cut], cut < len(text)


def make_handler(generate: Callable[[Dict[str, Any]], Dict[str, Any]], tokenize: Callable[[str], List[int]], decode: Callable[[List[int]], str]):
    """An HTTP handler class for /process, /tokenize and /decode with the challenge's bodies."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            return

        def _send(self, status: int, body: Dict[str, Any]) -> None:
            payload = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:  # noqa: N802 (http.server API)
            try:
                length = int(self.headers.get("content-length", "0"))
                req = json.loads(self.rfile.read(length) or b"{}")
                t0 = time.perf_counter()
                if self.path == "/process":
                    out = generate(req)
                elif self.path == "/tokenize":
                    out = {"tokens": tokenize(req["text"])}
                elif self.path == "/decode":
                    out = {"text": decode(list(req["tokens"]))}
                else:
                    return self._send(404, {"error": f"no route {self.path}"})
                out["request_time"] = time.perf_counter() - t0
                self._send(200, out)
            except Exception as e:  # the client sees the reason
                self._send(500, {"error": f"{type(e).__name__}: {e}"})

    return Handler


def torch_generate_fn(model: Any, tokenizer: Any) -> Callable[[Dict[str, Any]], Dict[str, Any]]:
    """Greedy/sampled generation with per-token logprobs and top-k logprobs, honouring stop sequences."""
    import torch  # local import: only needed when serving

    @torch.no_grad()
    def generate(req: Dict[str, Any]) -> Dict[str, Any]:
        prompt = req["prompt"]
        max_new = int(req.get("max_new_tokens", 50))
        temperature = float(req.get("temperature", 1e-7))
        top_k_per_token = max(1, int(req.get("top_k_per_token", 1)))
        stops = list(req.get("stop_sequences") or [])
        seed = req.get("seed")
        gen = torch.Generator(device=model.device)
        if seed is not None:
            gen.manual_seed(int(seed))
        ids = tokenizer(prompt, return_tensors="pt").input_ids.to(model.device)
        past = None
        tokens: List[Dict[str, Any]] = []
        out_ids: List[int] = []
        step_input = ids
        for _ in range(max_new):
            o = model(input_ids=step_input, past_key_values=past, use_cache=True)
            past = o.past_key_values
            logprobs = torch.log_softmax(o.logits[0, -1].float(), dim=-1)
            if temperature <= 1e-6:
                nxt = int(torch.argmax(logprobs))
            else:
                probs = torch.softmax(logprobs / temperature, dim=-1)
                nxt = int(torch.multinomial(probs, 1, generator=gen))
            top = torch.topk(logprobs, top_k_per_token)
            tokens.append({
                "text": tokenizer.decode([nxt]),
                "logprob": float(logprobs[nxt]),
                "top_logprob": {tokenizer.decode([int(i)]): float(v) for v, i in zip(top.values, top.indices)},
            })
            out_ids.append(nxt)
            if nxt == tokenizer.eos_token_id:
                break
            text_so_far = tokenizer.decode(out_ids)
            if any(s and s in text_so_far for s in stops):
                break
            step_input = torch.tensor([[nxt]], device=model.device)
        text, cut = _truncate_at_stop(tokenizer.decode(out_ids), stops)
        if cut:  # keep only the tokens whose text lies before the stop sequence
            kept, acc = [], ""
            for t in tokens:
                if len(acc) + len(t["text"]) > len(text):
                    break
                kept.append(t)
                acc += t["text"]
            tokens = kept
        logprob = sum(t["logprob"] for t in tokens)
        return {"text": text, "tokens": tokens, "logprob": logprob if math.isfinite(logprob) else -1e9}

    return generate


class ModelServer:
    """Serves an in-memory model on 127.0.0.1 (random port) until stop()."""

    def __init__(self, generate: Callable[[Dict[str, Any]], Dict[str, Any]], tokenize: Callable[[str], List[int]], decode: Callable[[List[int]], str]):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(generate, tokenize, decode))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "ModelServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


