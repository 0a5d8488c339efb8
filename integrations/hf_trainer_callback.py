"""evalfirst control protocol for Hugging Face transformers' Trainer.

Add ``EvalfirstCallback()`` to a ``Trainer``'s callbacks and run the training script under
``evalfirst train --trainer "python train.py ..."``. After every checkpoint save the callback
reports ``{step, path[, serving_url]}`` to the supervisor's control endpoint (URL and bearer token
come from the environment variables EVALFIRST_CONTROL_URL / EVALFIRST_CONTROL_TOKEN that evalfirst
sets) and waits for the answer: ``continue`` or ``stop`` (then ``control.should_training_stop`` is
set, so the Trainer ends cleanly after the save).

With ``serve=True`` the callback also serves the in-memory model over the challenge protocol
(``/process``, ``/tokenize``, ``/decode``) on 127.0.0.1 while training is paused, so a single-GPU
QLoRA run is scored without a second copy of the model. Only the standard library is needed for
the protocol; torch and transformers are used only when serving.

Outside evalfirst (no EVALFIRST_CONTROL_URL) the callback does nothing.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional

try:  # transformers is optional so the protocol logic can be tested without it
    from transformers import TrainerCallback  # type: ignore
except Exception:  # pragma: no cover - exercised where transformers is absent
    class TrainerCallback:  # type: ignore[no-redef]
        """Stand-in base class when transformers is not installed."""


CONTROL_URL_ENV = "EVALFIRST_CONTROL_URL"
CONTROL_TOKEN_ENV = "EVALFIRST_CONTROL_TOKEN"


def report_checkpoint(
    step: int,
    path: str,
    serving_url: Optional[str] = None,
    url: Optional[str] = None,
    token: Optional[str] = None,
    timeout: float = 7 * 24 * 3600,
    retries: int = 3,
) -> Dict[str, Any]:
    """POSTs one checkpoint to the control endpoint and returns its JSON answer.

    The call blocks while evalfirst scores the checkpoint. Connection errors are retried with
    backoff; an HTTP error or a body that is not the expected JSON raises RuntimeError naming it.
    """
    url = url or os.environ.get(CONTROL_URL_ENV)
    token = token or os.environ.get(CONTROL_TOKEN_ENV)
    if not url or not token:
        raise RuntimeError(f"{CONTROL_URL_ENV} / {CONTROL_TOKEN_ENV} are not set: not running under evalfirst train")
    body: Dict[str, Any] = {"step": int(step), "path": str(path)}
    if serving_url:
        body["serving_url"] = serving_url
    data = json.dumps(body).encode("utf-8")
    last_error: Optional[BaseException] = None
    for attempt in range(retries + 1):
        request = urllib.request.Request(
            url.rstrip("/") + "/checkpoint",
            data=data,
            method="POST",
            headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer = json.loads(response.read().decode("utf-8"))
            if not isinstance(answer, dict) or answer.get("action") not in ("continue", "stop"):
                raise RuntimeError(f"control endpoint {url} answered {answer!r}, expected an action continue|stop")
            return answer
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"control endpoint {url} refused checkpoint step {step}: HTTP {e.code} {e.read()[:200]!r}") from e
        except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
            last_error = e
            time.sleep(min(30.0, 0.5 * 2**attempt))
    raise RuntimeError(f"control endpoint {url} unreachable after {retries + 1} tries: {last_error}")


# --------------------------------------------------------------------------------------------
# Challenge-protocol server over an in-memory model (used only with serve=True).


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


class EvalfirstCallback(TrainerCallback):
    """Reports each saved checkpoint to evalfirst and stops training when told to."""

    def __init__(self, serve: bool = False, tokenizer: Any = None):
        self.serve = serve
        self.tokenizer = tokenizer
        self.enabled = bool(os.environ.get(CONTROL_URL_ENV) and os.environ.get(CONTROL_TOKEN_ENV))
        self.last_answer: Optional[Dict[str, Any]] = None

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if not self.enabled or not getattr(state, "is_world_process_zero", True):
            return control
        path = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
        server: Optional[ModelServer] = None
        model = kwargs.get("model")
        tokenizer = self.tokenizer or kwargs.get("tokenizer") or kwargs.get("processing_class")
        if self.serve and model is not None and tokenizer is not None:
            was_training = model.training
            model.eval()
            server = ModelServer(torch_generate_fn(model, tokenizer), lambda t: tokenizer(t).input_ids, lambda ids: tokenizer.decode(ids)).start()
        try:
            self.last_answer = report_checkpoint(state.global_step, path, serving_url=server.url if server else None)
        finally:
            if server is not None:
                server.stop()
                if was_training:
                    model.train()
        if self.last_answer.get("action") == "stop":
            control.should_training_stop = True
        return control
