"""A stand-in for evalfirst's control endpoint in the tests: records reports, answers as scripted."""

from __future__ import annotations

import json
import socket
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

Answer = Tuple[int, Dict[str, Any]]  # (HTTP status, JSON body); status 0 drops the connection unanswered


def free_port() -> int:
    """A port nothing listens on right now (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FakeSupervisor:
    """POST /checkpoint with a bearer token; `answers` is consumed one per report, then `default`."""

    def __init__(
        self,
        token: str = "tok",
        port: int = 0,
        answers: Optional[List[Answer]] = None,
        stop_from: Optional[int] = None,
        score: Optional[Callable[[str], Dict[str, Any]]] = None,
    ):
        self.token = token
        self.received: List[Dict[str, Any]] = []
        self.requests = 0
        self.answers = list(answers or [])
        self.stop_from = stop_from
        self.score = score  # called with serving_url, as evalfirst would score the served model
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                outer.requests += 1
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                if self.headers.get("authorization") != f"Bearer {outer.token}":
                    return self._answer(401, {"error": "missing or wrong bearer token"})
                body = json.loads(raw)
                status, answer = outer.answers.pop(0) if outer.answers else (200, {})
                if status == 0:  # the supervisor dies mid-request
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if status == 200:
                    outer.received.append(body)
                    if body.get("serving_url") and outer.score is not None:
                        body["served"] = outer.score(body["serving_url"])
                    if not answer:
                        stop = outer.stop_from is not None and body["step"] >= outer.stop_from
                        answer = {"action": "stop" if stop else "continue"}
                self._answer(status, answer)

            def _answer(self, status: int, body: Dict[str, Any]) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def post_json(url: str, body: Dict[str, Any], timeout: float = 60.0) -> Dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        result: Dict[str, Any] = json.loads(response.read())
    return result
