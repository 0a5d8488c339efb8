"""A challenge-protocol load generator on the standard library: N requests released at once.

Each request opens its own connection (as HELM's client does: ``requests.post`` without a session)
and POSTs a ``/process`` body; a barrier releases all threads together, so a round is "N requests
in flight at once", like ``helm-run -n 30``. A response counts only if it has the fields HELM reads
(challenge.md §3.1: text, logprob, request_time, tokens[].text/logprob/top_logprob); anything else
is an error of a named kind.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from benchcommon import median, percentile


@dataclass
class RequestResult:
    ok: bool
    latency_s: float
    error: Optional[str] = None  # kind: connection | timeout | http_<code> | bad_json | bad_shape
    detail: Optional[str] = None
    tokens: int = 0


@dataclass
class RoundResult:
    wall_s: float
    results: List[RequestResult] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return sum(1 for r in self.results if r.ok)


def process_body(prompt: str, max_new_tokens: int, top_k_per_token: int, stop_sequences: Sequence[str] = ()) -> Dict[str, Any]:
    """The /process body HELM's http_model_client sends (temperature 0 becomes 1e-7)."""
    return {
        "prompt": prompt,
        "temperature": 1e-7,
        "num_return_sequences": 1,
        "max_new_tokens": int(max_new_tokens),
        "top_p": 1,
        "echo_prompt": False,
        "top_k_per_token": int(top_k_per_token),
        "stop_sequences": list(stop_sequences),
    }


def validate_process_response(doc: Any) -> Optional[str]:
    """None if doc has every field HELM reads from a /process answer, else what is wrong."""
    if not isinstance(doc, dict):
        return f"answer is {type(doc).__name__}, not an object"
    for key, kind in (("text", str), ("logprob", (int, float)), ("request_time", (int, float)), ("tokens", list)):
        if key not in doc:
            return f'missing "{key}"'
        if not isinstance(doc[key], kind):
            return f'"{key}" is {type(doc[key]).__name__}'
    for i, t in enumerate(doc["tokens"]):
        if not isinstance(t, dict) or not isinstance(t.get("text"), str) or not isinstance(t.get("logprob"), (int, float)) or not isinstance(t.get("top_logprob"), dict):
            return f"tokens[{i}] lacks text/logprob/top_logprob"
    return None


def post_process(base_url: str, body: Dict[str, Any], timeout_s: float, path: str = "/process") -> RequestResult:
    """One POST on a fresh connection; latency from connect to parsed answer."""
    u = urllib.parse.urlsplit(base_url)
    if u.scheme != "http" or not u.hostname:
        raise ValueError(f"server URL must be http://HOST:PORT, got {base_url!r}")
    payload = json.dumps(body).encode("utf-8")
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=timeout_s)
    try:
        conn.request("POST", (u.path.rstrip("/") or "") + path, body=payload, headers={"content-type": "application/json"})
        resp = conn.getresponse()
        raw = resp.read()
        latency = time.perf_counter() - t0
        if resp.status != 200:
            return RequestResult(False, latency, f"http_{resp.status}", raw[:200].decode("utf-8", "replace"))
        try:
            doc = json.loads(raw)
        except ValueError as e:
            return RequestResult(False, latency, "bad_json", str(e))
        problem = validate_process_response(doc)
        if problem:
            return RequestResult(False, latency, "bad_shape", problem)
        return RequestResult(True, latency, tokens=len(doc["tokens"]))
    except socket.timeout as e:
        return RequestResult(False, time.perf_counter() - t0, "timeout", str(e))
    except (ConnectionError, OSError, http.client.HTTPException) as e:
        return RequestResult(False, time.perf_counter() - t0, "connection", f"{type(e).__name__}: {e}")
    finally:
        conn.close()


def fire_round(base_url: str, bodies: Sequence[Dict[str, Any]], timeout_s: float) -> RoundResult:
    """Sends all bodies at once (one thread each, released by a barrier); wall = first send to last answer."""
    results: List[Optional[RequestResult]] = [None] * len(bodies)
    barrier = threading.Barrier(len(bodies) + 1)

    def worker(i: int) -> None:
        barrier.wait()
        results[i] = post_process(base_url, bodies[i], timeout_s)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(len(bodies))]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return RoundResult(wall, [r for r in results if r is not None])


def summarize_rounds(rounds: Sequence[RoundResult]) -> Dict[str, Any]:
    """Requests/s per round (ok answers / wall), latency percentiles over every request, error counts."""
    lat = [r.latency_s for rd in rounds for r in rd.results if r.ok]
    errors: Dict[str, int] = {}
    first_error: Optional[str] = None
    for rd in rounds:
        for r in rd.results:
            if not r.ok:
                errors[r.error or "unknown"] = errors.get(r.error or "unknown", 0) + 1
                first_error = first_error or f"{r.error}: {r.detail}"
    rps = [rd.ok / rd.wall_s for rd in rounds if rd.wall_s > 0]
    tok = [sum(r.tokens for r in rd.results if r.ok) / rd.wall_s for rd in rounds if rd.wall_s > 0]
    return {
        "rounds": len(rounds),
        "requests_per_round": len(rounds[0].results) if rounds else 0,
        "round_wall_s": [rd.wall_s for rd in rounds],
        "requests_per_s": median(rps),
        "generated_tokens_per_s": median(tok),
        "tokens_per_request": median([float(r.tokens) for rd in rounds for r in rd.results if r.ok]),
        "latency_p50_s": percentile(lat, 50),
        "latency_p95_s": percentile(lat, 95),
        "latency_max_s": max(lat) if lat else None,
        "ok": sum(rd.ok for rd in rounds),
        "errors": sum(errors.values()),
        "errors_by_kind": errors,
        "first_error": first_error,
    }


def run_case(base_url: str, bodies: Sequence[Dict[str, Any]], warmup: int, rounds: int, timeout_s: float) -> Dict[str, Any]:
    """Warm-up rounds (discarded, their errors still counted), then measured rounds."""
    warm = [fire_round(base_url, bodies, timeout_s) for _ in range(warmup)]
    measured = [fire_round(base_url, bodies, timeout_s) for _ in range(rounds)]
    out = summarize_rounds(measured)
    out["warmup_rounds"] = warmup
    out["warmup_errors"] = sum(len(rd.results) - rd.ok for rd in warm)
    return out
