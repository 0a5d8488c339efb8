"""A batching challenge-protocol server (/process, /tokenize, /decode) over an in-memory model.

Used by EvalfirstCallback(serve=True) while training is paused, and runnable on its own over a saved
checkpoint::

    python3 integrations/scoring_server.py --base DIR [--adapter DIR] [--host 127.0.0.1] [--port N]
        [--dtype bfloat16|float16|float32] [--device cuda|cpu] [--max-batch-tokens N] [--max-wait-ms N]
        [--max-sequence-length N]

(or ``python3 -m integrations.scoring_server ...`` from the repository root). With --port 0 it picks a
free port. When ready it prints exactly one line to stdout and flushes it::

    {"listening": "http://HOST:PORT", "max_sequence_length": N}

and everything else (library banners included) goes to stderr. A server that cannot start exits
with status 1 and a message on stderr naming the port and the reason.

Routes (bodies as in research/challenge.md section 3; errors are {"error": message}):
  POST /process   -> {text, tokens: [{text, logprob, top_logprob}], logprob, request_time}
  POST /tokenize  {text, truncation, max_length} -> {tokens, request_time}
  POST /decode    {tokens} -> {text, request_time}
  GET  /info      -> {model, max_sequence_length, eos_token, batching: {max_batch_tokens, max_wait_ms}}
                     (an evalfirst extension)
Status 400: malformed body (naming the field) or prompt + max_new_tokens over the context; 404:
unknown route; 405: known route, wrong method; 411: no content-length; 413: body over the limit;
500: generation failed (a CUDA OOM that persists for a request alone). `request_time` is the
seconds from receiving the request to answering it (queueing included: the generation of one row
of a batch has no time of its own).

echo_prompt is supported: the prompt's tokens lead `tokens` (BOS and other special tokens left
out), the first real token with logprob 0.0 and no alternatives when nothing precedes it, and
`text` is the prompt followed by the completion; `logprob` sums both.
"""

from __future__ import annotations

import os
import sys

if os.path.dirname(os.path.abspath(__file__)) not in sys.path:  # run as `python3 -m integrations.scoring_server`
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the sibling modules import by name

import argparse
import errno
import json
import signal
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, TYPE_CHECKING, Any, Callable, Dict, List, Optional, Set, Tuple

from completion_text import completion_body, stop_detector
from generation_request import RequestError, parse_decode, parse_process, parse_tokenize
from generation_types import Generation, GenerationRequest
from request_batcher import BatchItemError, RequestBatcher
from text_tokenizer import TextTokenizer

if TYPE_CHECKING:  # torch-dependent modules load lazily, so the CLI reports a missing torch by name
    from causal_lm import StepModel

DEFAULT_MAX_BATCH_TOKENS = 32768
DEFAULT_MAX_WAIT_MS = 5.0
MAX_BODY_BYTES = 8 << 20
DRAIN_FACTOR = 16  # bodies up to this many times the limit are read (and dropped) before the 413
IDLE_CONNECTION_TIMEOUT_S = 600.0
LISTEN_BACKLOG = 1024


class ScoringService:
    """The protocol's operations over a StepModel and a TextTokenizer, batching /process calls."""

    def __init__(
        self,
        model: "StepModel",
        tokenizer: TextTokenizer,
        model_name: str,
        max_sequence_length: int,
        max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
        max_wait_ms: float = DEFAULT_MAX_WAIT_MS,
    ):
        from batch_generation import BatchGenerator
        from cuda_memory import is_out_of_memory, release_cached_memory

        self.tokenizer = tokenizer
        self.model_name = model_name
        self.max_sequence_length = max_sequence_length
        self.max_wait_ms = max_wait_ms
        self.generator = BatchGenerator(model, tokenizer.special_ids, tokenizer.vocab_size, stop_detector(tokenizer.decode))
        self.batcher: RequestBatcher[GenerationRequest, Generation] = RequestBatcher(
            self.generator.generate,
            max_batch_tokens=max_batch_tokens,
            max_wait_s=max_wait_ms / 1000.0,
            is_oom=is_out_of_memory,
            after_oom=release_cached_memory,
        ).start()

    def info(self) -> Dict[str, Any]:
        return {
            "model": self.model_name,
            "max_sequence_length": self.max_sequence_length,
            "eos_token": self.tokenizer.eos_token,
            "batching": {"max_batch_tokens": self.batcher.max_batch_tokens, "max_wait_ms": self.max_wait_ms},
        }

    def process(self, body: Any) -> Dict[str, Any]:
        params = parse_process(body)
        prompt_ids = self.tokenizer.encode(params.prompt)
        if not prompt_ids:
            raise RequestError(400, "the prompt encodes to zero tokens (this tokenizer adds no BOS): nothing to condition on")
        total = len(prompt_ids) + params.max_new_tokens
        if total > self.max_sequence_length:
            raise RequestError(
                400,
                f"prompt of {len(prompt_ids)} tokens + max_new_tokens {params.max_new_tokens} = {total} tokens "
                f"exceeds the model's context of {self.max_sequence_length} tokens",
            )
        request = GenerationRequest(
            prompt_ids=tuple(prompt_ids),
            max_new_tokens=params.max_new_tokens,
            temperature=params.temperature,
            top_p=params.top_p,
            top_k=params.top_k,
            seed=params.seed,
            top_k_per_token=params.top_k_per_token,
            stop_sequences=params.stop_sequences,
            echo_prompt=params.echo_prompt,
        )
        kind = "echo" if params.echo_prompt else "generate"  # echo keeps all prompt logits: its own batches
        try:
            generation = self.batcher.submit(request, kind, len(prompt_ids), params.max_new_tokens)
        except BatchItemError as error:
            raise RequestError(error.status, error.message) from None
        return completion_body(self.tokenizer, generation, params.prompt, params.stop_sequences, params.echo_prompt)

    def tokenize(self, body: Any) -> Dict[str, Any]:
        params = parse_tokenize(body, self.max_sequence_length)
        return {"tokens": self.tokenizer.encode(params.text, params.max_length)}

    def decode(self, body: Any) -> Dict[str, Any]:
        return {"text": self.tokenizer.decode(parse_decode(body, self.tokenizer.vocab_size))}

    def close(self) -> None:
        self.batcher.stop()


class ScoringHTTPServer(ThreadingHTTPServer):
    """A thread per connection; a deep listen backlog (Python's default of 5 resets bursts of clients)."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: Tuple[str, int], handler: Callable[..., BaseHTTPRequestHandler]):
        self.open_connections: Set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Ends the idle keep-alive connections, whose threads would otherwise wait out their timeout."""
        with self.connections_lock:
            connections = list(self.open_connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def make_handler(service: ScoringService, max_body_bytes: int = MAX_BODY_BYTES) -> type:
    """The request handler class: HTTP/1.1 keep-alive, JSON bodies, quiet logs."""
    post_routes: Dict[str, Callable[[Any], Dict[str, Any]]] = {
        "/process": service.process,
        "/tokenize": service.tokenize,
        "/decode": service.decode,
    }
    get_routes: Dict[str, Callable[[], Dict[str, Any]]] = {"/info": service.info}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: every response carries content-length
        server_version = "evalfirst-scoring/1"
        timeout = IDLE_CONNECTION_TIMEOUT_S  # an idle keep-alive connection frees its thread after this

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, body: Dict[str, Any], close: bool = False) -> None:
            payload = json.dumps(body, allow_nan=False).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                if close:
                    self.send_header("connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                self.close_connection = True  # the client went away; nothing to tell it

        def _route(self) -> str:
            return self.path.split("?", 1)[0]

        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            route = self._route()
            if route in get_routes:
                return self._send(200, get_routes[route]())
            if route in post_routes:
                return self._send(405, {"error": f"{route} takes POST"})
            self._send(404, {"error": f"no route GET {route}"})

        def _read_json(self) -> Tuple[Optional[Any], bool]:
            """The parsed body, or (None, False) after answering the error."""
            if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
                self._send(411, {"error": "chunked bodies are not supported: send content-length"}, close=True)
                return None, False
            length_header = self.headers.get("content-length")
            if length_header is None:
                self._send(411, {"error": "content-length is required"}, close=True)
                return None, False
            try:
                length = int(length_header)
            except ValueError:
                self._send(400, {"error": f"content-length {length_header!r} is not an integer"}, close=True)
                return None, False
            if length < 0 or length > max_body_bytes:
                # Read and drop a moderately large body so the client gets the 413 rather than a reset
                # while it is still sending; past that, close without reading.
                drained = 0 <= length <= DRAIN_FACTOR * max_body_bytes
                while drained and length > 0:
                    chunk = self.rfile.read(min(length, 1 << 16))
                    if not chunk:
                        break
                    length -= len(chunk)
                self._send(413, {"error": f"body of {length_header} bytes exceeds the limit of {max_body_bytes} bytes"}, close=not drained)
                return None, False
            raw = self.rfile.read(length)
            try:
                return json.loads(raw.decode("utf-8")), True
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                if self._route() not in post_routes:
                    return None, True  # a wrong route is answered as such, whatever its body
                self._send(400, {"error": f"body is not JSON: {error}"})
                return None, False

        def do_POST(self) -> None:  # noqa: N802 (http.server API)
            started = time.perf_counter()
            route = self._route()
            handler = post_routes.get(route)
            body, ok = self._read_json()  # read even for a wrong route, so the connection stays usable
            if not ok:
                return
            if handler is None:
                if route in get_routes:
                    return self._send(405, {"error": f"{route} takes GET"})
                return self._send(404, {"error": f"no route POST {route}"})
            try:
                answer = handler(body)
            except RequestError as error:
                return self._send(error.status, {"error": error.message})
            except Exception as error:  # the client sees the reason; the server keeps serving
                print(f"scoring_server: {route} failed: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
                return self._send(500, {"error": f"{type(error).__name__}: {error}"})
            answer["request_time"] = time.perf_counter() - started
            self._send(200, answer)

    return Handler


class ServingThread:
    """A ScoringHTTPServer on (host, port) served from a background thread until stop()."""

    def __init__(
        self,
        service: ScoringService,
        host: str = "127.0.0.1",
        port: int = 0,
        httpd: Optional[ScoringHTTPServer] = None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ):
        self.service = service
        handler = make_handler(service, max_body_bytes)
        self.httpd = httpd if httpd is not None else ScoringHTTPServer((host, port), handler)
        self.httpd.RequestHandlerClass = handler
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="evalfirst-http", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{host_text}:{port}"

    def start(self) -> "ServingThread":
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops accepting, lets the running batch answer, then ends the open connections."""
        self.httpd.shutdown()
        self.service.close()
        self.httpd.close_connections()
        self.httpd.server_close()


# --------------------------------------------------------------------------------------------
# The command line: load a saved checkpoint with transformers (and peft) and serve it.


class StartupError(Exception):
    """Why the server cannot start (reported with the port)."""


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scoring_server", description="Serve a saved HF checkpoint over the challenge protocol, batching requests.")
    parser.add_argument("--base", required=True, help="directory of the base model (transformers save_pretrained layout)")
    parser.add_argument("--adapter", help="directory of a peft adapter to apply on the base")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--dtype", choices=["bfloat16", "float16", "float32"], default="bfloat16")
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    parser.add_argument("--max-batch-tokens", type=int, default=DEFAULT_MAX_BATCH_TOKENS, help="rows x (longest prompt + largest max_new_tokens) of a batch")
    parser.add_argument("--max-wait-ms", type=float, default=DEFAULT_MAX_WAIT_MS, help="how long the oldest request waits for others to join its batch")
    parser.add_argument("--max-sequence-length", type=int, help="the model's context (default: from its config)")
    args = parser.parse_args(argv)
    if args.max_batch_tokens < 1:
        parser.error(f"--max-batch-tokens must be >= 1, got {args.max_batch_tokens}")
    if args.max_wait_ms < 0:
        parser.error(f"--max-wait-ms must be >= 0, got {args.max_wait_ms}")
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be in 0..65535, got {args.port}")
    return args


Loaded = Tuple["StepModel", TextTokenizer, str, int]  # (model, tokenizer, model name, max_sequence_length)


def load_checkpoint(args: argparse.Namespace) -> Loaded:
    """Loads base (+ adapter) with transformers/peft for --device/--dtype; StartupError on failure."""
    if not os.path.isdir(args.base):
        raise StartupError(f"base dir {args.base} does not exist")
    if args.adapter is not None and not os.path.isdir(args.adapter):
        raise StartupError(f"adapter dir {args.adapter} does not exist")
    try:
        import torch
    except ImportError as error:
        raise StartupError(f"torch is not importable: {error}") from None
    if args.device == "cuda" and not torch.cuda.is_available():
        raise StartupError("--device cuda but CUDA is unavailable to torch (pass --device cpu to serve on the CPU)")
    try:
        import transformers
    except ImportError as error:
        raise StartupError(f"transformers is not importable: {error}") from None
    from causal_lm import HFCausalLM, context_length
    from text_tokenizer import HFTokenizer, generation_eos_ids

    dtype = getattr(torch, args.dtype)
    major, minor = (int(p) for p in transformers.__version__.split(".")[:2])
    dtype_keyword = "dtype" if (major, minor) >= (4, 56) else "torch_dtype"  # renamed in 4.56
    tokenizer_dir = args.adapter if args.adapter and _has_tokenizer(args.adapter) else args.base
    try:
        hf_tokenizer = transformers.AutoTokenizer.from_pretrained(tokenizer_dir)
        model = transformers.AutoModelForCausalLM.from_pretrained(args.base, **{dtype_keyword: dtype})
        if args.adapter:
            try:
                from peft import PeftModel
            except ImportError as error:
                raise StartupError(f"--adapter needs peft, which is not importable: {error}") from None
            model = PeftModel.from_pretrained(model, args.adapter)
        model.to(args.device)
    except StartupError:
        raise
    except Exception as error:
        raise StartupError(f"cannot load the checkpoint ({args.base}{' + ' + args.adapter if args.adapter else ''}): {type(error).__name__}: {error}") from None
    model.eval()
    tokenizer = HFTokenizer(hf_tokenizer, generation_eos_ids(model))
    max_length = args.max_sequence_length or context_length(model, tokenizer.model_max_length)
    name = args.base if not args.adapter else f"{args.base} + {args.adapter}"
    return HFCausalLM(model), tokenizer, name, max_length


def _has_tokenizer(directory: str) -> bool:
    return any(os.path.exists(os.path.join(directory, f)) for f in ("tokenizer.json", "tokenizer_config.json", "tokenizer.model"))


def bind(host: str, port: int) -> ScoringHTTPServer:
    """Binds and listens before the (slow) model load, so a taken port fails at once."""
    try:
        return ScoringHTTPServer((host, port), BaseHTTPRequestHandler)
    except OSError as error:
        reason = "address already in use" if error.errno == errno.EADDRINUSE else (error.strerror or str(error))
        raise StartupError(reason) from None


def redirect_stdout_to_stderr() -> IO[str]:
    """Keeps the real stdout for the ready line only: Python prints and C-level writes (library
    banners) go to stderr from now on."""
    sys.stdout.flush()
    ready = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return ready


def serve(args: argparse.Namespace, ready: IO[str], load: Callable[[argparse.Namespace], Loaded] = load_checkpoint, stop: Optional[threading.Event] = None) -> int:
    """Binds, loads, prints the ready line and serves until `stop` is set (SIGTERM/SIGINT set it)."""
    try:
        httpd = bind(args.host, args.port)
    except StartupError as error:
        print(f"scoring_server: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr, flush=True)
        return 1
    port = httpd.server_address[1]
    try:
        model, tokenizer, name, max_length = load(args)
        service = ScoringService(model, tokenizer, name, max_length, args.max_batch_tokens, args.max_wait_ms)
    except (StartupError, ValueError) as error:
        httpd.server_close()
        print(f"scoring_server: cannot start on port {port}: {error}", file=sys.stderr, flush=True)
        return 1
    server = ServingThread(service, httpd=httpd).start()
    host = args.host if ":" not in args.host else f"[{args.host}]"
    ready.write(json.dumps({"listening": f"http://{host}:{port}", "max_sequence_length": max_length}) + "\n")
    ready.flush()
    stop = stop or threading.Event()
    while not stop.wait(0.5):  # a timed wait lets the signal handlers run promptly
        pass
    server.stop()
    return 0


def main(argv: Optional[List[str]] = None, load: Callable[[argparse.Namespace], Loaded] = load_checkpoint) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    ready = redirect_stdout_to_stderr()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return serve(args, ready, load=load, stop=stop)


if __name__ == "__main__":
    sys.exit(main())
