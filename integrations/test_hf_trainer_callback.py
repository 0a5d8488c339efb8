"""Tests of the evalfirst HF callback's protocol logic (standard library only)."""

import json
import os
import sys
import threading
import unittest
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(__file__))
import hf_trainer_callback as cb  # noqa: E402


class FakeControl:
    """A control endpoint answering stop from a given step on, recording what it received."""

    def __init__(self, stop_from: int, token: str = "tok"):
        self.received = []
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                return

            def do_POST(self):
                if self.headers.get("authorization") != f"Bearer {token}":
                    self.send_response(401)
                    self.end_headers()
                    return
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                outer.received.append(body)
                if body.get("serving_url"):  # score through the served model, like evalfirst would
                    req = urllib.request.Request(body["serving_url"] + "/process", data=json.dumps({"prompt": "hi", "stop_sequences": ["\n"]}).encode(), method="POST")
                    body["served"] = json.loads(urllib.request.urlopen(req).read())
                answer = {"action": "stop" if body["step"] >= stop_from else "continue"}
                payload = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.token = token

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class CallbackTest(unittest.TestCase):
    def setUp(self):
        self.ctl = FakeControl(stop_from=3)
        os.environ[cb.CONTROL_URL_ENV] = self.ctl.url
        os.environ[cb.CONTROL_TOKEN_ENV] = self.ctl.token

    def tearDown(self):
        self.ctl.close()
        os.environ.pop(cb.CONTROL_URL_ENV, None)
        os.environ.pop(cb.CONTROL_TOKEN_ENV, None)

    def test_reports_each_save_and_stops_when_told(self):
        callback = cb.EvalfirstCallback()
        args = SimpleNamespace(output_dir="/tmp/out")
        for step in (1, 2, 3):
            control = SimpleNamespace(should_training_stop=False)
            state = SimpleNamespace(global_step=step, is_world_process_zero=True)
            callback.on_save(args, state, control)
            self.assertEqual(control.should_training_stop, step >= 3)
        self.assertEqual([r["step"] for r in self.ctl.received], [1, 2, 3])
        self.assertEqual(self.ctl.received[0]["path"], "/tmp/out/checkpoint-1")

    def test_disabled_outside_evalfirst(self):
        os.environ.pop(cb.CONTROL_URL_ENV)
        callback = cb.EvalfirstCallback()
        control = SimpleNamespace(should_training_stop=False)
        callback.on_save(SimpleNamespace(output_dir="/x"), SimpleNamespace(global_step=9, is_world_process_zero=True), control)
        self.assertFalse(control.should_training_stop)
        self.assertEqual(self.ctl.received, [])

    def test_wrong_token_is_a_clear_error(self):
        with self.assertRaisesRegex(RuntimeError, "HTTP 401"):
            cb.report_checkpoint(1, "/p", url=self.ctl.url, token="wrong")

    def test_serves_the_model_while_paused(self):
        # A fake generate function stands in for torch: the served text must be cut at the stop sequence.
        def generate(req):
            text, _ = cb._truncate_at_stop("Hello\nworld", req.get("stop_sequences", []))
            return {"text": text, "tokens": [{"text": text, "logprob": -0.5, "top_logprob": {text: -0.5}}], "logprob": -0.5}

        server = cb.ModelServer(generate, lambda t: [1, 2], lambda ids: "x").start()
        try:
            answer = cb.report_checkpoint(2, "/tmp/out/checkpoint-2", serving_url=server.url)
        finally:
            server.stop()
        self.assertEqual(answer["action"], "continue")
        served = self.ctl.received[-1]["served"]
        self.assertEqual(served["text"], "Hello")
        for key in ("text", "tokens", "logprob", "request_time"):
            self.assertIn(key, served)


if __name__ == "__main__":
    unittest.main()
