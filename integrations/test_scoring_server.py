"""The scoring server over HTTP on a small real torch LM: protocol bodies, errors, concurrency, OOM."""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import unittest
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import torch
except ImportError:  # the suite runs without torch too; these tests then skip with the reason
    torch = None  # type: ignore[assignment]

TORCH_MISSING = "torch is not importable by this interpreter (apt-get install python3-torch gives it to /usr/bin/python3)"

if torch is not None:
    from causal_lm import HFCausalLM
    from scoring_server import ScoringService, ServingThread, parse_args, serve
    from testing_byte_tokenizer import BOS_ID, EOS_ID, ByteTokenizer
    from testing_tiny_llama import TinyConfig, TinyLlama

CONTEXT = 96


def helm_body(prompt: str, max_new_tokens: int = 6, **overrides: Any) -> Dict[str, Any]:
    body: Dict[str, Any] = {
        "prompt": prompt,
        "temperature": 1e-7,
        "num_return_sequences": 1,
        "max_new_tokens": max_new_tokens,
        "top_p": 1,
        "echo_prompt": False,
        "top_k_per_token": 5,
        "stop_sequences": [],
    }
    body.update(overrides)
    return body


class Client:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, url: str):
        host, port = url.rsplit("/", 1)[-1].split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)

    def call(self, method: str, path: str, body: Optional[Any] = None, raw: Optional[bytes] = None) -> Tuple[int, Dict[str, Any]]:
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        headers = {"content-type": "application/json"} if payload is not None else {}
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        return response.status, json.loads(response.read())

    def close(self) -> None:
        self.connection.close()


class OOMAbove:
    """A StepModel that raises CUDA out-of-memory for batches larger than `limit` rows."""

    def __init__(self, inner: Any, limit: int):
        self.inner = inner
        self.limit = limit
        self.ooms = 0

    @property
    def device(self) -> Any:
        return self.inner.device

    def step(self, input_ids: Any, attention_mask: Any, position_ids: Any, past: Any, all_logits: bool) -> Tuple[Any, Any]:
        if input_ids.shape[0] > self.limit:
            self.ooms += 1
            error_type = getattr(torch.cuda, "OutOfMemoryError", RuntimeError)
            raise error_type("CUDA out of memory. Tried to allocate 20.00 GiB")
        logits, cache = self.inner.step(input_ids, attention_mask, position_ids, past, all_logits)
        return logits, cache

    def select_rows(self, past: Any, rows: Any) -> Any:
        return self.inner.select_rows(past, rows)


def start_server(model: Optional[Any] = None, max_wait_ms: float = 20.0, max_body_bytes: int = 1 << 20) -> "ServingThread":
    step_model = model if model is not None else HFCausalLM(TinyLlama(TinyConfig(eos_bias=2.0)).eval())
    service = ScoringService(step_model, ByteTokenizer(), "tiny-llama", CONTEXT, max_batch_tokens=4096, max_wait_ms=max_wait_ms)
    return ServingThread(service, max_body_bytes=max_body_bytes).start()


@unittest.skipIf(torch is None, TORCH_MISSING)
class ProtocolTest(unittest.TestCase):
    server: "ServingThread"
    client: Client

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = start_server()
        cls.client = Client(cls.server.url)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()
        cls.server.stop()

    def test_process_answers_what_helm_reads(self) -> None:
        status, body = self.client.call("POST", "/process", helm_body("Q: 2+2?\nA:"))
        self.assertEqual(status, 200, body)
        self.assertEqual(set(body), {"text", "tokens", "logprob", "request_time"})
        self.assertGreater(len(body["tokens"]), 0)
        for token in body["tokens"]:
            self.assertEqual(set(token), {"text", "logprob", "top_logprob"})
            self.assertEqual(len(token["top_logprob"]), min(5, len(token["top_logprob"])))
        self.assertAlmostEqual(body["logprob"], sum(t["logprob"] for t in body["tokens"]), places=5)
        self.assertEqual(body["text"], "".join(t["text"] for t in body["tokens"]))
        self.assertNotIn("</s>", body["text"])

    def test_stop_sequences_cut_text_and_tokens(self) -> None:
        _, free = self.client.call("POST", "/process", helm_body("Once", max_new_tokens=12))
        if len(free["text"]) < 3:
            self.skipTest(f"the random model ended after {free['text']!r}: no text to cut")
        stop = free["text"][1:3]
        _, cut = self.client.call("POST", "/process", helm_body("Once", max_new_tokens=12, stop_sequences=[stop]))
        self.assertEqual(cut["text"], free["text"][: free["text"].index(stop)])
        self.assertNotIn(stop, "".join(t["text"] for t in cut["tokens"]))

    def test_echo_prompt_returns_the_prompt_first(self) -> None:
        status, body = self.client.call("POST", "/process", helm_body("abc", max_new_tokens=2, echo_prompt=True))
        self.assertEqual(status, 200, body)
        self.assertTrue(body["text"].startswith("abc"))
        self.assertEqual([t["text"] for t in body["tokens"][:3]], ["a", "b", "c"])

    def test_tokenize_encodes_like_process_and_honours_truncation(self) -> None:
        status, body = self.client.call("POST", "/tokenize", {"text": "hello", "truncation": False, "max_length": 3})
        self.assertEqual((status, body["tokens"]), (200, [BOS_ID] + list(b"hello")))
        self.assertIn("request_time", body)
        _, truncated = self.client.call("POST", "/tokenize", {"text": "hello", "truncation": True, "max_length": 3})
        self.assertEqual(truncated["tokens"], [BOS_ID, ord("h"), ord("e")])

    def test_decode_skips_special_tokens(self) -> None:
        status, body = self.client.call("POST", "/decode", {"tokens": [BOS_ID] + list(b"hi") + [EOS_ID]})
        self.assertEqual((status, body["text"]), (200, "hi"))
        self.assertIn("request_time", body)

    def test_info(self) -> None:
        status, body = self.client.call("GET", "/info")
        self.assertEqual(status, 200)
        self.assertEqual(body, {"model": "tiny-llama", "max_sequence_length": CONTEXT, "eos_token": "</s>", "batching": {"max_batch_tokens": 4096, "max_wait_ms": 20.0}})

    def test_a_request_over_the_context_is_400_naming_the_lengths(self) -> None:
        status, body = self.client.call("POST", "/process", helm_body("x" * 50, max_new_tokens=60))
        self.assertEqual(status, 400)
        self.assertIn("51 tokens", body["error"])
        self.assertIn("max_new_tokens 60", body["error"])
        self.assertIn(f"context of {CONTEXT}", body["error"])

    def test_malformed_bodies_are_400_naming_the_field(self) -> None:
        for overrides, field in [({"temperature": -1}, "temperature"), ({"top_p": 0}, "top_p"), ({"num_return_sequences": 0}, "num_return_sequences"), ({"max_new_tokens": -3}, "max_new_tokens")]:
            with self.subTest(field=field):
                status, body = self.client.call("POST", "/process", helm_body("x", **overrides))
                self.assertEqual(status, 400)
                self.assertIn(f"'{field}'", body["error"])
        status, body = self.client.call("POST", "/process", raw=b"{not json")
        self.assertEqual(status, 400)
        self.assertIn("not JSON", body["error"])

    def test_unknown_routes_and_wrong_methods(self) -> None:
        self.assertEqual(self.client.call("POST", "/generate", {"prompt": "x"})[0], 404)
        self.assertEqual(self.client.call("GET", "/nothing")[0], 404)
        self.assertEqual(self.client.call("GET", "/process")[0], 405)
        self.assertEqual(self.client.call("POST", "/info", {})[0], 405)
        # The connection is still usable after those answers (keep-alive).
        self.assertEqual(self.client.call("GET", "/info")[0], 200)

    def test_a_body_over_the_limit_is_413(self) -> None:
        client = Client(self.server.url)
        try:
            status, body = client.call("POST", "/process", helm_body("x" * (2 << 20)))
        finally:
            client.close()
        self.assertEqual(status, 413)
        self.assertIn("exceeds the limit", body["error"])


@unittest.skipIf(torch is None, TORCH_MISSING)
class ConcurrencyTest(unittest.TestCase):
    def run_clients(self, url: str, bodies: List[Dict[str, Any]], per_client: int) -> Tuple[List[Dict[str, Any]], List[str]]:
        """len(bodies) clients at once, each sending its body `per_client` times on one connection."""
        answers: List[Dict[str, Any]] = [{} for _ in bodies]
        errors: List[str] = []
        barrier = threading.Barrier(len(bodies))

        def one(i: int) -> None:
            client = Client(url)
            try:
                barrier.wait(10)
                for _ in range(per_client):
                    status, answer = client.call("POST", "/process", bodies[i])
                    if status != 200:
                        errors.append(f"client {i}: HTTP {status} {answer}")
                    answers[i] = answer
            except Exception as error:  # a reset connection is exactly what this test counts
                errors.append(f"client {i}: {type(error).__name__}: {error}")
            finally:
                client.close()

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(bodies))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        return answers, errors

    def test_thirty_concurrent_clients_get_no_resets_and_batched_equals_alone(self) -> None:
        server = start_server()
        try:
            bodies = [helm_body(f"Prompt number {i} says", max_new_tokens=1 + i % 7, stop_sequences=["\n"] if i % 3 == 0 else []) for i in range(30)]
            answers, errors = self.run_clients(server.url, bodies, per_client=3)
            self.assertEqual(errors, [])
            self.assertGreater(max(server.service.batcher.batch_sizes), 1)  # requests were batched
            alone = Client(server.url)
            try:
                for body, answer in zip(bodies, answers):
                    _, reference = alone.call("POST", "/process", body)  # one at a time: batch-1
                    self.assertEqual(answer["text"], reference["text"])
                    self.assertEqual([t["text"] for t in answer["tokens"]], [t["text"] for t in reference["tokens"]])
                    self.assertAlmostEqual(answer["logprob"], reference["logprob"], delta=1e-3)
            finally:
                alone.close()
        finally:
            server.stop()

    def test_out_of_memory_splits_the_batch_and_every_request_succeeds(self) -> None:
        inner = HFCausalLM(TinyLlama(TinyConfig(eos_bias=2.0)).eval())
        reference_server = start_server(inner)
        oom_model = OOMAbove(inner, limit=2)
        server = start_server(oom_model, max_wait_ms=200.0)
        try:
            bodies = [helm_body(f"oom {i}", max_new_tokens=3) for i in range(6)]
            answers, errors = self.run_clients(server.url, bodies, per_client=1)
            self.assertEqual(errors, [])
            self.assertGreater(oom_model.ooms, 0)
            reference = Client(reference_server.url)
            try:
                for body, answer in zip(bodies, answers):
                    self.assertEqual(answer["text"], reference.call("POST", "/process", body)[1]["text"])
            finally:
                reference.close()
        finally:
            server.stop()
            reference_server.stop()

    def test_stop_ends_idle_keep_alive_connections(self) -> None:
        server = start_server()
        client = Client(server.url)
        self.assertEqual(client.call("GET", "/info")[0], 200)
        server.stop()
        sock = client.connection.sock
        assert sock is not None
        sock.settimeout(10)
        self.assertEqual(sock.recv(1), b"")  # closed by the server, not left to its idle timeout
        client.close()

    def test_a_request_that_never_fits_fails_alone_with_500(self) -> None:
        server = start_server(OOMAbove(HFCausalLM(TinyLlama(TinyConfig()).eval()), limit=0))
        client = Client(server.url)
        try:
            status, body = client.call("POST", "/process", helm_body("x"))
            self.assertEqual(status, 500)
            self.assertIn("out of accelerator memory", body["error"])
            self.assertEqual(client.call("GET", "/info")[0], 200)  # the server still serves
        finally:
            client.close()
            server.stop()


@unittest.skipIf(torch is None, TORCH_MISSING)
class CommandLineTest(unittest.TestCase):
    def test_ready_line_names_the_picked_port_and_the_context(self) -> None:
        args = parse_args(["--base", "unused", "--port", "0", "--device", "cpu", "--max-wait-ms", "1"])
        ready = io.StringIO()
        stop = threading.Event()

        def load(parsed: argparse.Namespace) -> Any:
            return HFCausalLM(TinyLlama(TinyConfig()).eval()), ByteTokenizer(), "tiny", CONTEXT

        worker = threading.Thread(target=lambda: serve(args, ready, load=load, stop=stop))
        worker.start()
        try:
            for _ in range(200):
                if ready.getvalue().endswith("\n"):
                    break
                threading.Event().wait(0.05)
            lines = ready.getvalue().splitlines()
            self.assertEqual(len(lines), 1)
            line = json.loads(lines[0])
            self.assertEqual(set(line), {"listening", "max_sequence_length"})
            self.assertEqual(line["max_sequence_length"], CONTEXT)
            self.assertRegex(line["listening"], r"^http://127\.0\.0\.1:\d+$")
            self.assertNotEqual(line["listening"].rsplit(":", 1)[1], "0")
            client = Client(line["listening"])
            try:
                self.assertEqual(client.call("POST", "/process", helm_body("hi", 2))[0], 200)
            finally:
                client.close()
        finally:
            stop.set()
            worker.join(10)

    def run_cli(self, *args: str, module: bool = False) -> "subprocess.CompletedProcess[str]":
        command = [sys.executable, "-m", "integrations.scoring_server"] if module else [sys.executable, os.path.join(HERE, "scoring_server.py")]
        return subprocess.run(command + list(args), cwd=os.path.dirname(HERE), capture_output=True, text=True, timeout=120)

    def test_a_missing_base_dir_exits_non_zero_naming_port_and_reason(self) -> None:
        result = self.run_cli("--base", "/nonexistent/base", "--port", "0", "--device", "cpu", module=True)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, "")
        self.assertRegex(result.stderr, r"cannot start on port \d+: base dir /nonexistent/base does not exist")

    def test_a_port_in_use_exits_non_zero_naming_it(self) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            result = self.run_cli("--base", HERE, "--port", str(port), "--device", "cpu")
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"cannot listen on 127.0.0.1:{port}: address already in use", result.stderr)

    @unittest.skipIf(torch is not None and torch.cuda.is_available(), "CUDA is available here")
    def test_cuda_unavailable_exits_non_zero_naming_it(self) -> None:
        with tempfile.TemporaryDirectory() as base:
            result = self.run_cli("--base", base, "--port", "0", "--device", "cuda")
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stderr, r"cannot start on port \d+: --device cuda but CUDA is unavailable")



@unittest.skipIf(torch is None, TORCH_MISSING)
class SmokeScriptTest(unittest.TestCase):
    def test_gpu_smoke_passes_on_the_cpu_test_model(self) -> None:
        result = subprocess.run(
            [sys.executable, os.path.join(HERE, "gpu_smoke.py"), "--tiny", "--device", "cpu", "--requests", "9", "--clients", "3"],
            capture_output=True, text=True, timeout=300,
        )
        self.assertEqual(result.returncode, 0, result.stdout[-3000:] + result.stderr[-3000:])
        self.assertIn('{"summary": "OK", "failed": []}', result.stdout)


if __name__ == "__main__":
    unittest.main()
