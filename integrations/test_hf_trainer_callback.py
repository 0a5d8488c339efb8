"""The HF Trainer callback: reports, stop, save_s, giving up on a dead supervisor, serving while paused."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import unittest
from types import SimpleNamespace
from typing import Any, Dict, List

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_trainer_callback as cb  # noqa: E402
from testing_fake_supervisor import FakeSupervisor, free_port, post_json  # noqa: E402

try:
    import torch
except ImportError:  # the suite runs without torch too; the serving test then skips with the reason
    torch = None  # type: ignore[assignment]

TORCH_MISSING = "torch is not importable by this interpreter (apt-get install python3-torch gives it to /usr/bin/python3)"

ARGS = SimpleNamespace(output_dir="/tmp/out")


def state(step: int) -> SimpleNamespace:
    return SimpleNamespace(global_step=step, is_world_process_zero=True)


def control() -> SimpleNamespace:
    return SimpleNamespace(should_training_stop=False)


class CallbackTest(unittest.TestCase):
    def setUp(self) -> None:
        self.supervisor = FakeSupervisor(stop_from=3)
        self.saved_env = {k: os.environ.get(k) for k in (cb.CONTROL_URL_ENV, cb.CONTROL_TOKEN_ENV)}
        os.environ[cb.CONTROL_URL_ENV] = self.supervisor.url
        os.environ[cb.CONTROL_TOKEN_ENV] = self.supervisor.token

    def tearDown(self) -> None:
        self.supervisor.close()
        for key, value in self.saved_env.items():
            os.environ.pop(key, None)
            if value is not None:
                os.environ[key] = value

    def test_reports_each_save_and_stops_when_told(self) -> None:
        callback = cb.EvalfirstCallback()
        for step in (1, 2, 3):
            c = control()
            callback.on_save(ARGS, state(step), c)
            self.assertEqual(c.should_training_stop, step >= 3)
        self.assertEqual([r["step"] for r in self.supervisor.received], [1, 2, 3])
        self.assertEqual(self.supervisor.received[0]["path"], "/tmp/out/checkpoint-1")
        self.assertNotIn("serving_url", self.supervisor.received[0])

    def test_disabled_outside_evalfirst(self) -> None:
        os.environ.pop(cb.CONTROL_URL_ENV)
        callback = cb.EvalfirstCallback()
        c = control()
        callback.on_save(ARGS, state(9), c)
        self.assertFalse(c.should_training_stop)
        self.assertEqual(self.supervisor.received, [])

    def test_wrong_token_is_a_clear_error(self) -> None:
        os.environ[cb.CONTROL_TOKEN_ENV] = "wrong"
        with self.assertRaisesRegex(RuntimeError, "HTTP 401"):
            cb.EvalfirstCallback().on_save(ARGS, state(1), control())

    def test_save_s_counts_from_the_last_event_before_the_save(self) -> None:
        now = [100.0]
        callback = cb.EvalfirstCallback(clock=lambda: now[0])
        callback.on_step_end(ARGS, state(4), control())
        now[0] += 5.0  # logging and evaluation come next and are not the save
        callback.on_log(ARGS, state(4), control())
        callback.on_evaluate(ARGS, state(4), control())
        now[0] += 0.75  # _save_checkpoint
        callback.on_save(ARGS, state(4), control())
        self.assertEqual(self.supervisor.received[-1]["save_s"], 0.75)

    def test_save_s_is_left_out_when_no_event_of_that_step_was_seen(self) -> None:
        callback = cb.EvalfirstCallback()
        callback.on_step_end(ARGS, state(1), control())
        callback.on_save(ARGS, state(2), control())
        self.assertNotIn("save_s", self.supervisor.received[-1])

    def test_an_unreachable_supervisor_stops_training_and_keeps_the_checkpoint(self) -> None:
        os.environ[cb.CONTROL_URL_ENV] = f"http://127.0.0.1:{free_port()}"
        callback = cb.EvalfirstCallback(retry_s=0.5)
        c = control()
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors):
            callback.on_save(ARGS, state(5), c)  # does not raise
        self.assertTrue(c.should_training_stop)
        self.assertRegex(errors.getvalue(), r"supervisor unreachable for \d+ s; stopping training, checkpoint kept at /tmp/out/checkpoint-5")

    def test_serve_without_a_tokenizer_is_a_clear_error(self) -> None:
        with self.assertRaisesRegex(RuntimeError, "needs the model and a tokenizer"):
            cb.EvalfirstCallback(serve=True).on_save(ARGS, state(1), control(), model=object())


@unittest.skipIf(torch is None, TORCH_MISSING)
class ServingWhilePausedTest(unittest.TestCase):
    def test_the_in_memory_model_is_served_in_eval_mode_then_trains_again(self) -> None:
        from testing_byte_tokenizer import ByteTokenizer
        from testing_tiny_llama import TinyConfig, TinyLlama

        model = TinyLlama(TinyConfig(eos_bias=2.0))
        model.train()
        modes: List[bool] = []

        def score(url: str) -> Dict[str, Any]:
            modes.append(model.training)
            info = urllib_get_json(url + "/info")
            answer = post_json(url + "/process", {"prompt": "Q: hi\nA:", "temperature": 1e-7, "max_new_tokens": 8, "top_k_per_token": 1, "stop_sequences": ["\n"]})
            return {"info": info, "answer": answer}

        supervisor = FakeSupervisor(score=score)
        saved = {k: os.environ.get(k) for k in (cb.CONTROL_URL_ENV, cb.CONTROL_TOKEN_ENV)}
        os.environ[cb.CONTROL_URL_ENV] = supervisor.url
        os.environ[cb.CONTROL_TOKEN_ENV] = supervisor.token
        try:
            callback = cb.EvalfirstCallback(serve=True, tokenizer=ByteTokenizer())
            callback.on_save(ARGS, state(2), control(), model=model)
        finally:
            supervisor.close()
            for key, value in saved.items():
                os.environ.pop(key, None)
                if value is not None:
                    os.environ[key] = value
        self.assertEqual(modes, [False])
        self.assertTrue(model.training)
        report = supervisor.received[-1]
        self.assertRegex(report["serving_url"], r"^http://127\.0\.0\.1:\d+$")
        served = report["served"]
        self.assertEqual(served["info"]["max_sequence_length"], 256)
        for key in ("text", "tokens", "logprob", "request_time"):
            self.assertIn(key, served["answer"])
        self.assertNotIn("\n", served["answer"]["text"])
        self.assertNotIn("</s>", served["answer"]["text"])


def urllib_get_json(url: str) -> Dict[str, Any]:
    import json
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as response:
        result: Dict[str, Any] = json.loads(response.read())
    return result


if __name__ == "__main__":
    unittest.main()
