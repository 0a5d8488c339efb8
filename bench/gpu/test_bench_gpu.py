"""Tests of the GPU benchmarks' parts that run anywhere: the load generator, prompts, statistics,
result collection, the train driver's arithmetic, the 70B-layer math (against transformers' LLaMA
layer where transformers is installed), and the frozen peer copy.

Run: python3 -m unittest bench/gpu/test_bench_gpu.py
Tests needing torch or transformers skip with the reason when those are absent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import benchcommon  # noqa: E402
import collect  # noqa: E402
import load_client  # noqa: E402
import prompts  # noqa: E402
import train_bench  # noqa: E402

try:
    import torch
except ImportError as e:  # pragma: no cover
    torch = None
    NO_TORCH = f"torch is not installed ({e})"
else:
    NO_TORCH = ""
try:
    import transformers  # noqa: F401
except ImportError as e:  # pragma: no cover
    transformers = None
    NO_HF = f"transformers is not installed ({e})"
else:
    NO_HF = ""

MMLU_DIR = os.path.join(REPO, "..", "shared", "datasets", "mmlu", "data")


def good_answer(n_tokens: int = 1) -> Dict[str, Any]:
    return {"text": "B" * n_tokens, "logprob": -0.5, "request_time": 0.01,
            "tokens": [{"text": "B", "logprob": -0.5, "top_logprob": {"B": -0.5}} for _ in range(n_tokens)]}


class Server:
    """A loopback HTTP server whose /process behaviour a test chooses."""

    def __init__(self, respond: Any):
        outer = self
        self.inflight = 0
        self.max_inflight = 0
        self.lock = threading.Lock()

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                with outer.lock:
                    outer.inflight += 1
                    outer.max_inflight = max(outer.max_inflight, outer.inflight)
                try:
                    respond(self, body)
                finally:
                    with outer.lock:
                        outer.inflight -= 1

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def send_json(h: BaseHTTPRequestHandler, status: int, doc: Any) -> None:
    raw = json.dumps(doc).encode()
    h.send_response(status)
    h.send_header("content-type", "application/json")
    h.send_header("content-length", str(len(raw)))
    h.end_headers()
    h.wfile.write(raw)


class TestLoadClient(unittest.TestCase):
    def test_a_round_has_every_request_in_flight_at_once(self) -> None:
        n = 12
        arrived = threading.Barrier(n, timeout=20)

        def respond(h: BaseHTTPRequestHandler, body: Dict[str, Any]) -> None:
            arrived.wait()  # answers only once all n requests are inside the server
            send_json(h, 200, good_answer(body["max_new_tokens"]))

        s = Server(respond)
        try:
            bodies = [load_client.process_body(f"p{i}", 3, 1) for i in range(n)]
            rd = load_client.fire_round(s.url, bodies, timeout_s=30)
        finally:
            s.close()
        self.assertEqual(rd.ok, n)
        self.assertEqual(s.max_inflight, n)
        self.assertTrue(all(r.tokens == 3 for r in rd.results))

    def test_errors_are_counted_by_kind(self) -> None:
        def respond(h: BaseHTTPRequestHandler, body: Dict[str, Any]) -> None:
            kind = body["prompt"]
            if kind == "ok":
                send_json(h, 200, good_answer())
            elif kind == "500":
                send_json(h, 500, {"error": "boom"})
            elif kind == "shape":
                send_json(h, 200, {"text": "x", "tokens": []})  # no logprob, no request_time
            elif kind == "json":
                h.send_response(200)
                h.send_header("content-length", "3")
                h.end_headers()
                h.wfile.write(b"{{{")
            elif kind == "drop":
                h.close_connection = True
                h.connection.shutdown(2)

        s = Server(respond)
        try:
            bodies = [load_client.process_body(k, 1, 5) for k in ("ok", "500", "shape", "json", "drop", "ok")]
            summary = load_client.summarize_rounds([load_client.fire_round(s.url, bodies, timeout_s=30)])
        finally:
            s.close()
        self.assertEqual(summary["ok"], 2)
        self.assertEqual(summary["errors"], 4)
        self.assertEqual(summary["errors_by_kind"], {"http_500": 1, "bad_shape": 1, "bad_json": 1, "connection": 1})

    def test_a_refused_connection_is_a_connection_error(self) -> None:
        s = Server(lambda h, b: None)
        url = s.url
        s.close()
        r = load_client.post_process(url, load_client.process_body("x", 1, 1), timeout_s=5)
        self.assertFalse(r.ok)
        self.assertEqual(r.error, "connection")

    def test_response_validation_names_the_missing_field(self) -> None:
        self.assertIsNone(load_client.validate_process_response(good_answer(2)))
        self.assertEqual(load_client.validate_process_response({"text": "a", "logprob": 0, "tokens": []}), 'missing "request_time"')
        bad = good_answer()
        bad["tokens"][0].pop("top_logprob")
        self.assertIn("tokens[0]", load_client.validate_process_response(bad) or "")

    def test_the_body_is_helms(self) -> None:
        b = load_client.process_body("P", 1, 5, [])
        self.assertEqual(b, {"prompt": "P", "temperature": 1e-7, "num_return_sequences": 1, "max_new_tokens": 1, "top_p": 1,
                             "echo_prompt": False, "top_k_per_token": 5, "stop_sequences": []})

    def test_summary_rates_and_percentiles(self) -> None:
        R = load_client.RequestResult
        rounds = [load_client.RoundResult(2.0, [R(True, 1.0, tokens=4), R(True, 2.0, tokens=4), R(False, 0.1, "timeout")]),
                  load_client.RoundResult(1.0, [R(True, 0.5, tokens=4), R(True, 1.0, tokens=4), R(True, 1.0, tokens=4)])]
        s = load_client.summarize_rounds(rounds)
        self.assertEqual(s["requests_per_s"], (1.0 + 3.0) / 2)
        self.assertEqual(s["latency_p50_s"], 1.0)
        self.assertEqual(s["errors_by_kind"], {"timeout": 1})
        self.assertEqual(s["generated_tokens_per_s"], (4.0 + 12.0) / 2)


class TestStats(unittest.TestCase):
    def test_percentile_is_numpys_linear(self) -> None:
        self.assertEqual(benchcommon.percentile([1, 2, 3, 4], 50), 2.5)
        self.assertAlmostEqual(benchcommon.percentile(list(range(1, 21)), 95), 19.05)
        self.assertEqual(benchcommon.percentile([7], 95), 7)
        self.assertIsNone(benchcommon.percentile([], 50))
        with self.assertRaises(ValueError):
            benchcommon.percentile([1], 101)


class TestPrompts(unittest.TestCase):
    def test_mmlu_prompt_is_helms_multiple_choice_joint(self) -> None:
        p = prompts.mmlu_prompt("high_school_physics", [("q1", ["a", "b", "c", "d"], "B")], "q", ["w", "x", "y", "z"])
        self.assertEqual(p, "The following are multiple choice questions (with answers) about high school physics.\n\n"
                            "Question: q1\nA. a\nB. b\nC. c\nD. d\nAnswer: B\n\n"
                            "Question: q\nA. w\nB. x\nC. y\nD. z\nAnswer:")

    def test_gsm_prompt_is_helms_generation_format(self) -> None:
        p = prompts.synthetic_gsm(1, 2, 0)
        blocks = p.split("\n\n")
        self.assertEqual(len(blocks), 3)
        self.assertTrue(all(b.startswith("Q: ") and "\nA: " in b for b in blocks[:2]))
        self.assertTrue(blocks[2].startswith("Q: ") and blocks[2].endswith("\nA:"))

    def test_synthetic_prompts_are_deterministic_and_fitted(self) -> None:
        count = lambda t: len(t.split())  # noqa: E731 - any monotone counter will do
        a = prompts.mmlu_prompts(count, 5, 300, 500)
        self.assertEqual(a, prompts.mmlu_prompts(count, 5, 300, 500))
        lengths = [count(p) for p in a]
        for target, got in zip([300, 350, 400, 450, 500], lengths):
            self.assertLess(abs(got - target), 12)
        g = prompts.gsm_prompts(count, 3, 200)
        self.assertTrue(all(abs(count(p) - 200) < 12 for p in g))

    @unittest.skipUnless(os.path.isdir(MMLU_DIR), f"real MMLU CSVs not at {MMLU_DIR}")
    def test_real_mmlu_prompts_have_five_shots(self) -> None:
        ps = prompts.real_mmlu_prompts(MMLU_DIR, 3)
        self.assertEqual(len(ps), 3)
        for p in ps:
            self.assertTrue(p.startswith("The following are multiple choice questions (with answers) about "))
            self.assertTrue(p.endswith("\nAnswer:"))
            self.assertEqual(p.count("\nAnswer: "), 5)

    def test_a_bad_mmlu_dir_is_named(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaisesRegex(ValueError, "expected dev/ and test/"):
                prompts.real_mmlu_prompts(d, 1)


class TestCollect(unittest.TestCase):
    def doc(self, bench: str, figures: Dict[str, Any], status: str = "ok") -> Dict[str, Any]:
        return {"schema": collect.SCHEMA, "bench": bench, "date": "2026-01-01T00:00:00+00:00", "command": "python3 bench/gpu/x.py --a",
                "env": {"gpu": "NVIDIA H200", "gpu_memory_gib": 139.8, "torch": "2.11.0", "transformers": "5.17.0", "peft": "0.21.0", "driver": "570.1", "cuda": "12.8"},
                "status": status, "figures": figures}

    def test_rows_name_versions_and_figures(self) -> None:
        serve = {"peer": {"one_token": {"requests_per_s": 10.4, "latency_p50_s": 1.5, "latency_p95_s": 2.8, "errors": 0}},
                 "batched": {"one_token": {"requests_per_s": 104.0, "latency_p50_s": 0.2, "latency_p95_s": 0.3, "errors": 2}},
                 "ratio_batched_over_peer": {"one_token": {"requests_per_s": 10.0}}}
        r = collect.row(self.doc("serve", serve))
        self.assertIn("NVIDIA H200 (139.8 GiB)", r)
        self.assertIn("2.11.0 / 5.17.0 / 0.21.0", r)
        self.assertIn("570.1 / 12.8", r)
        self.assertIn("peer 10.40 req/s", r)
        self.assertIn("batched 104.00 req/s (p50 0.200 s, p95 0.300 s, 2 errors), x10.0", r)
        failed = collect.row(self.doc("nf4_layer", {"layers": 3}, status="failed") | {"error": "OOM"})
        self.assertIn("**FAILED**: OOM", failed)
        self.assertIn("EXTRAPOLATED", failed)

    def test_rows_go_under_the_results_header(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "RESULTS.md")
            shutil.copy(os.path.join(HERE, "RESULTS.md"), path)
            collect.insert_rows(path, ["| a |", "| b |"])
            collect.insert_rows(path, ["| c |"])
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
        sep = lines.index("|---|---|---|---|---|---|---|")
        self.assertEqual(lines[sep - 1], collect.HEADER.split("\n")[0])
        self.assertEqual(lines[sep + 1 : sep + 4], ["| c |", "| a |", "| b |"])

    def test_files_that_are_not_results_are_skipped(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.json")
            with open(p, "w") as f:
                json.dump({"checkpoints": []}, f)
            self.assertEqual(collect.load([p]), [])


class TestTrainBenchArithmetic(unittest.TestCase):
    def timings(self) -> Dict[str, Any]:
        steps = [{"step": i + 1, "begin": 10.0 + 2 * i, "end": 10.0 + 2 * i + (3.0 if i == 0 else 1.0)} for i in range(6)]
        return {"meta": {"tokens_per_step": 8192, "process_start": 0.0, "build_s": 5.0}, "train_begin": 9.0, "train_end": 29.0, "steps": steps,
                "saves": [{"step": 3, "saved_at": 16.0, "save_s": 1.0, "pause_s": 4.0}, {"step": 6, "saved_at": 22.0, "save_s": 1.0, "pause_s": 5.0}]}

    def test_step_stats(self) -> None:
        s = train_bench.step_stats(self.timings(), skip=1)
        self.assertEqual(s["step_s_median"], 1.0)
        self.assertEqual(s["tokens_per_s"], 8192.0)
        self.assertEqual(s["train_wall_s"], 20.0)
        self.assertEqual(s["pause_after_save_s"], [4.0, 5.0])
        self.assertAlmostEqual(s["pause_share_of_wall"], 9.0 / 20.0)
        self.assertEqual(s["setup_s"], 9.0)
        self.assertAlmostEqual(s["effective_tokens_per_s"], 8192 * 6 / 20.0)

    def test_projection_uses_the_adaptive_checkpoints(self) -> None:
        rows = [{"eval_s": 40.0, "trainer_pause_s": 41.0}, {"eval_s": 9.0, "trainer_pause_s": 10.0}, {"eval_s": 11.0, "trainer_pause_s": 12.0}]
        p = train_bench.projection(0.75, [2.0, 2.0], rows, 200)
        self.assertEqual(p["scoring_s_per_checkpoint"], 11.0)
        self.assertEqual(p["first_checkpoint_scoring_s"], 41.0)
        self.assertAlmostEqual(p["scoring_share"], 11.0 / (200 * 0.75 + 2.0 + 11.0))
        self.assertIsNone(train_bench.projection(None, [], rows, 200))

    def test_the_evalfirst_command_scores_at_the_trainers_url(self) -> None:
        args = train_bench.parse_args(["--out", "/tmp/x.json", "--node", "/opt/node", "--repo-root", "/r"])
        cmd = train_bench.loop_cmd(args, "/w/loop")
        self.assertEqual(cmd[:3], ["/opt/node", "/r/bin/evalfirst.js", "train"])
        flags = dict(zip(cmd[3::2], cmd[4::2]))
        self.assertEqual(flags["--score-with"], "server")
        self.assertEqual(flags["--suite"], "mini")
        self.assertNotIn("--server", flags)  # the serving_url each checkpoint report carries is used
        self.assertIn("--no-final-eval", cmd)
        self.assertIn("train_loop.py", flags["--trainer"])
        self.assertIn("--save-steps 20", flags["--trainer"])
        # the trainer's --output-dir is an allowed checkpoint root (the GPU run of 2026-12-02 was refused without it)
        self.assertEqual(flags["--checkpoint-root"], "/w/loop/checkpoints")
        self.assertIn("--output-dir /w/loop/checkpoints", flags["--trainer"])

    def test_final_eval_saves_the_base_and_hands_it_to_evalfirst(self) -> None:
        args = train_bench.parse_args(["--out", "/tmp/x.json", "--node", "/opt/node", "--repo-root", "/r", "--final-eval", "--scoring-device", "cpu", "--python", "py"])
        self.assertEqual(train_bench.base_dir(args, "/w"), "/w/base")
        cmd = train_bench.loop_cmd(args, "/w/loop", "/w/base", base_saved=False)
        flags = dict(zip(cmd[3::2], cmd[4::2]))
        self.assertNotIn("--no-final-eval", cmd)
        self.assertEqual(flags["--base"], "/w/base")
        self.assertIn("--save-base /w/base", flags["--trainer"])  # no alone phase saved it: the loop's trainer does
        self.assertNotIn("--baseline", flags)
        saved = train_bench.loop_cmd(args, "/w/loop", "/w/base", base_saved=True)
        saved_flags = dict(zip(saved[3::2], saved[4::2]))
        self.assertEqual(saved_flags["--baseline"], "/w/base")
        self.assertNotIn("--save-base", saved_flags["--trainer"])
        self.assertEqual(flags["--final-eval-with"], "server")
        self.assertEqual(flags["--max-steps"], "40")
        self.assertEqual(flags["--scoring-server-cmd"], "py /r/integrations/scoring_server.py --device cpu --dtype float32")


@unittest.skipIf(torch is None, NO_TORCH)
class TestLayerMath(unittest.TestCase):
    def setUp(self) -> None:
        import nf4_layer_bench as b

        self.b = b
        torch.manual_seed(0)
        self.s = b.SHAPES["tiny"]
        self.w = b.make_weights(self.s, "cpu", std=0.05)
        self.layer = b.DecoderLayer(self.s, self.w, 4, 8, "cpu", torch.float32)
        with torch.no_grad():
            for p in self.layer.proj.values():
                p.lora_B.normal_(0, 0.05)

    def test_prefill_then_decode_equals_one_longer_forward(self) -> None:
        b, s = self.b, self.s
        cos, sin = b.rope_tables(s, 16, "cpu", torch.float32)
        x = torch.randn(2, 9, s.hidden)
        with torch.no_grad():
            full = self.layer(x, cos, sin)
            cache = b.KVCache(2, s, 9, "cpu", torch.float32)
            pre = self.layer(x[:, :8], cos, sin, cache)
            nxt = self.layer(x[:, 8:], cos, sin, cache)
        self.assertTrue(torch.allclose(pre, full[:, :8], atol=1e-5))
        self.assertTrue(torch.allclose(nxt, full[:, 8:], atol=1e-5))

    def test_checkpointed_stack_gives_the_same_gradients(self) -> None:
        b, s = self.b, self.s
        cos, sin = b.rope_tables(s, 8, "cpu", torch.float32)
        x = torch.randn(1, 8, s.hidden)
        grads = []
        for ckpt in (False, True):
            out = b.run_stack([self.layer], x, cos, sin, checkpoint=ckpt)
            out.pow(2).mean().backward()
            grads.append([p.grad.clone() for p in b.lora_params([self.layer])])
            for p in b.lora_params([self.layer]):
                p.grad = None
        for g0, g1 in zip(*grads):
            self.assertTrue(torch.allclose(g0, g1, atol=1e-6))

    @unittest.skipIf(transformers is None, NO_HF)
    def test_layer_equals_transformers_llama_decoder_layer(self) -> None:
        """Same dense weights (the dequantised NF4 ones) in transformers' LLaMA: same output."""
        from transformers import LlamaConfig, LlamaModel

        from nf4 import dequantize_nf4

        b, s = self.b, self.s
        cfg = LlamaConfig(hidden_size=s.hidden, intermediate_size=s.ffn, num_hidden_layers=1, num_attention_heads=s.heads,
                          num_key_value_heads=s.kv_heads, head_dim=s.head_dim, vocab_size=s.vocab, rms_norm_eps=s.eps,
                          attn_implementation="eager")
        hf = LlamaModel(cfg).float().eval()
        lay = hf.layers[0]
        mods = {"q_proj": lay.self_attn.q_proj, "k_proj": lay.self_attn.k_proj, "v_proj": lay.self_attn.v_proj, "o_proj": lay.self_attn.o_proj,
                "gate_proj": lay.mlp.gate_proj, "up_proj": lay.mlp.up_proj, "down_proj": lay.mlp.down_proj}
        with torch.no_grad():
            for name, m in mods.items():
                p = self.layer.proj[name]
                m.weight.copy_(dequantize_nf4(self.w[name], torch.float32) + (p.lora_B @ p.lora_A) * p.scaling)
        x = torch.randn(2, 7, s.hidden)
        cos, sin = b.rope_tables(s, 7, "cpu", torch.float32)
        with torch.no_grad():
            mine = b.rms_norm(self.layer(x, cos, sin), torch.ones(s.hidden), s.eps)
            theirs = hf(inputs_embeds=x).last_hidden_state
        self.assertTrue(torch.allclose(mine, theirs, atol=2e-5), f"max diff {(mine - theirs).abs().max()}")


class TestPeerCopy(unittest.TestCase):
    def test_peer_is_the_f4aac42_serving_path_verbatim(self) -> None:
        try:
            old = subprocess.run(["git", "-C", REPO, "show", "f4aac42:integrations/hf_trainer_callback.py"], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            self.skipTest(f"git history not available: {e}")
        start = old.index("def _truncate_at_stop")
        end = old.index("class EvalfirstCallback")
        with open(os.path.join(HERE, "peer_sequential_server.py"), encoding="utf-8") as f:
            mine = f.read()
        self.assertEqual(mine[mine.index("def _truncate_at_stop"):].rstrip(), old[start:end].rstrip())


@unittest.skipIf(transformers is None, NO_HF)
class TestServeBenchEndToEnd(unittest.TestCase):
    def test_tiny_run_measures_both_paths_over_the_cli_contract(self) -> None:
        """A server that keeps scoring_server.py's CLI contract (--base/--adapter/--port 0, listening line)."""
        with tempfile.TemporaryDirectory() as d:
            server = os.path.join(d, "server.py")
            with open(server, "w") as f:
                f.write(CONTRACT_SERVER.replace("@HERE@", HERE))
            out = os.path.join(d, "serve.json")
            r = subprocess.run([sys.executable, os.path.join(HERE, "serve_bench.py"), "--shape", "tiny", "--device", "cpu", "--vocab-size", "600",
                                "--requests", "3", "--gen-requests", "2", "--gen-tokens", "3", "--rounds", "1", "--gen-rounds", "1", "--direct-reps", "1",
                                "--mmlu-min-tokens", "100", "--mmlu-max-tokens", "150", "--gen-prompt-tokens", "80",
                                "--out", out, "--server-script", server, "--tokenizer-cache", d], capture_output=True, text=True, timeout=600)
            with open(out, encoding="utf-8") as f:
                doc = json.load(f)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertEqual(doc["status"], "ok")
        f = doc["figures"]
        for path in ("peer", "batched"):
            for case, tokens in (("one_token", 1), ("generation", 3)):
                self.assertEqual(f[path][case]["errors"], 0)
                self.assertEqual(f[path][case]["ok"], 3 if case == "one_token" else 2)
                self.assertEqual(f[path][case]["tokens_per_request"], tokens)
        self.assertIn("--adapter", f["batched_server"]["command"])
        self.assertIsNotNone(f["ratio_batched_over_peer"]["one_token"]["requests_per_s"])


CONTRACT_SERVER = '''
import argparse, json, sys, time
sys.path.insert(0, "@HERE@")
p = argparse.ArgumentParser()
for a in ("--base", "--adapter", "--device", "--dtype", "--max-batch-tokens", "--max-wait-ms"):
    p.add_argument(a)
p.add_argument("--port", type=int)
a = p.parse_args()
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer
m = AutoModelForCausalLM.from_pretrained(a.base, dtype=torch.bfloat16)
if a.adapter:
    from peft import PeftModel
    m = PeftModel.from_pretrained(m, a.adapter)
m.eval()
tok = AutoTokenizer.from_pretrained(a.base)
from peer_sequential_server import ModelServer, torch_generate_fn
s = ModelServer(torch_generate_fn(m, tok), lambda t: tok(t).input_ids, lambda ids: tok.decode(ids)).start()
print(json.dumps({"listening": s.url, "max_sequence_length": 2048}), flush=True)
while True:
    time.sleep(1)
'''

if __name__ == "__main__":
    unittest.main()
