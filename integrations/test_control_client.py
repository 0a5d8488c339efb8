"""The control client's retries: a supervisor down and back, giving up, 4xx not retried (standard library only)."""

from __future__ import annotations

import os
import sys
import threading
import time
import unittest
from typing import Any, Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import control_client as cc  # noqa: E402
from testing_fake_supervisor import FakeSupervisor, free_port  # noqa: E402


class SupervisorComesBackTest(unittest.TestCase):
    def test_retries_until_the_supervisor_listens_again_on_the_same_port(self) -> None:
        port = free_port()
        outcome: Dict[str, Any] = {}

        def report() -> None:
            try:
                outcome["answer"] = cc.report_checkpoint(7, "/out/checkpoint-7", save_s=0.61, url=f"http://127.0.0.1:{port}", token="tok", retry_s=60)
            except Exception as error:  # recorded for the assertion below
                outcome["error"] = error

        reporter = threading.Thread(target=report)
        reporter.start()
        time.sleep(1.5)  # the reporter meets a refused connection for a while
        self.assertNotIn("error", outcome)
        supervisor = FakeSupervisor(port=port)  # `evalfirst train --resume`: same url, same token
        try:
            reporter.join(30)
        finally:
            supervisor.close()
        self.assertEqual(outcome.get("answer"), {"action": "continue"}, outcome.get("error"))
        self.assertEqual(supervisor.received, [{"step": 7, "path": "/out/checkpoint-7", "save_s": 0.61}])

    def test_5xx_and_dropped_connections_are_retried(self) -> None:
        supervisor = FakeSupervisor(answers=[(503, {"error": "restarting"}), (0, {}), (500, {"error": "oops"})])
        try:
            answer = cc.report_checkpoint(3, "/p", url=supervisor.url, token="tok", retry_s=30)
        finally:
            supervisor.close()
        self.assertEqual(answer, {"action": "continue"})
        self.assertEqual(supervisor.requests, 4)

    def test_4xx_is_not_retried(self) -> None:
        for status in (401, 400):
            supervisor = FakeSupervisor(answers=[(400, {"error": '"step" must be a non-negative integer'})])
            token = "wrong" if status == 401 else "tok"
            try:
                with self.assertRaisesRegex(RuntimeError, f"HTTP {status}") as caught:
                    cc.report_checkpoint(1, "/p", url=supervisor.url, token=token, retry_s=30)
            finally:
                supervisor.close()
            self.assertNotIsInstance(caught.exception, cc.SupervisorUnreachable)
            self.assertEqual(supervisor.requests, 1)
            if status == 400:
                self.assertIn("non-negative integer", str(caught.exception))

    def test_a_malformed_answer_is_an_error(self) -> None:
        supervisor = FakeSupervisor(answers=[(200, {"action": "maybe"})])
        try:
            with self.assertRaisesRegex(RuntimeError, "expected an action continue\\|stop"):
                cc.report_checkpoint(1, "/p", url=supervisor.url, token="tok", retry_s=30)
        finally:
            supervisor.close()


class GiveUpTest(unittest.TestCase):
    def test_gives_up_after_the_retry_budget(self) -> None:
        with self.assertRaises(cc.SupervisorUnreachable) as caught:
            cc.report_checkpoint(1, "/p", url=f"http://127.0.0.1:{free_port()}", token="tok", retry_s=0.8)
        self.assertGreaterEqual(caught.exception.waited_s, 0.8)
        self.assertIn("unreachable for", str(caught.exception))

    def test_backoff_grows_with_jitter_and_fills_the_budget_exactly(self) -> None:
        now = [0.0]
        sleeps: List[float] = []

        def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            now[0] += seconds

        with self.assertRaises(cc.SupervisorUnreachable) as caught:
            cc.report_checkpoint(1, "/p", url=f"http://127.0.0.1:{free_port()}", token="tok", retry_s=100, sleep=sleep, clock=lambda: now[0], rng=lambda: 1.0)
        self.assertEqual(sleeps[:6], [0.5, 1.0, 2.0, 4.0, 8.0, 15.0])
        self.assertTrue(all(s <= cc.MAX_DELAY_S for s in sleeps))
        self.assertAlmostEqual(sum(sleeps), 100.0)
        self.assertAlmostEqual(caught.exception.waited_s, 100.0)
        self.assertEqual([cc.backoff_delay(3, lambda: 0.0), cc.backoff_delay(3, lambda: 1.0)], [2.0, 4.0])

    def test_budget_from_argument_then_environment_then_default(self) -> None:
        saved: Optional[str] = os.environ.pop(cc.RETRY_ENV, None)
        try:
            self.assertEqual(cc.retry_budget_s(), 600.0)
            os.environ[cc.RETRY_ENV] = "42.5"
            self.assertEqual(cc.retry_budget_s(), 42.5)
            self.assertEqual(cc.retry_budget_s(3), 3.0)
            os.environ[cc.RETRY_ENV] = "ten"
            with self.assertRaisesRegex(ValueError, cc.RETRY_ENV):
                cc.retry_budget_s()
            os.environ[cc.RETRY_ENV] = "-1"
            with self.assertRaisesRegex(ValueError, cc.RETRY_ENV):
                cc.retry_budget_s()
        finally:
            os.environ.pop(cc.RETRY_ENV, None)
            if saved is not None:
                os.environ[cc.RETRY_ENV] = saved


if __name__ == "__main__":
    unittest.main()
