"""The trainer's side of evalfirst's control protocol: report a checkpoint, wait for the answer.

``POST $EVALFIRST_CONTROL_URL/checkpoint`` with ``Authorization: Bearer $EVALFIRST_CONTROL_TOKEN`` and
the body ``{step, path, serving_url?, save_s?}``; the call blocks while evalfirst scores the
checkpoint and answers ``{action: continue|stop, reason?, detail?}``.

The supervisor may die and be restarted (``evalfirst train --resume``) on the same URL and token, so
connection errors, dropped connections and HTTP 5xx are retried -- exponential backoff with jitter,
for up to a total of ``retry_s`` seconds (constructor argument, else $EVALFIRST_CONTROL_RETRY_S,
else 600) -- after which SupervisorUnreachable is raised. An HTTP 4xx (401 wrong token, 400 invalid
report) is an error in the report itself: not retried, a RuntimeError naming the status and body.
Standard library only.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, Optional

CONTROL_URL_ENV = "EVALFIRST_CONTROL_URL"
CONTROL_TOKEN_ENV = "EVALFIRST_CONTROL_TOKEN"
RETRY_ENV = "EVALFIRST_CONTROL_RETRY_S"
DEFAULT_RETRY_S = 600.0
FIRST_DELAY_S = 0.5
MAX_DELAY_S = 15.0
ANSWER_TIMEOUT_S = 7 * 24 * 3600.0  # scoring a checkpoint may take hours; the trainer waits


class SupervisorUnreachable(RuntimeError):
    """The control endpoint could not be reached (or kept failing) for the whole retry budget."""

    def __init__(self, url: str, waited_s: float, last_error: str):
        super().__init__(f"control endpoint {url} unreachable for {waited_s:.0f} s: {last_error}")
        self.url = url
        self.waited_s = waited_s
        self.last_error = last_error


def retry_budget_s(explicit: Optional[float] = None) -> float:
    """The total seconds to keep retrying: the argument, else $EVALFIRST_CONTROL_RETRY_S, else 600."""
    if explicit is not None:
        if explicit < 0:
            raise ValueError(f"retry_s must be >= 0, got {explicit}")
        return float(explicit)
    raw = os.environ.get(RETRY_ENV)
    if raw is None or raw.strip() == "":
        return DEFAULT_RETRY_S
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{RETRY_ENV}={raw!r} is not a number of seconds") from None
    if value < 0 or value != value:
        raise ValueError(f"{RETRY_ENV}={raw!r} must be a number of seconds >= 0")
    return value


def backoff_delay(attempt: int, rng: Callable[[], float] = random.random) -> float:
    """Seconds before retry number `attempt` (0-based): 0.5 s doubling up to 15 s, jittered to 50-100%."""
    base = min(MAX_DELAY_S, FIRST_DELAY_S * (2.0 ** min(attempt, 30)))
    return base * (0.5 + 0.5 * rng())


class _Retryable(Exception):
    """A failure worth retrying (the supervisor may come back)."""


def _post_once(url: str, token: str, data: bytes, step: int, timeout: float) -> Dict[str, Any]:
    request = urllib.request.Request(
        url.rstrip("/") + "/checkpoint",
        data=data,
        method="POST",
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        body = error.read()[:300]
        if 500 <= error.code < 600:
            raise _Retryable(f"HTTP {error.code} {body!r}") from None
        raise RuntimeError(f"control endpoint {url} refused checkpoint step {step}: HTTP {error.code} {body!r}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        # refused / reset / dropped mid-answer / timed out: the supervisor is down or restarting
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        raise _Retryable(f"{type(reason).__name__}: {reason}") from None
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RuntimeError(f"control endpoint {url} answered checkpoint step {step} with non-JSON {raw[:200]!r}") from None
    if not isinstance(answer, dict) or answer.get("action") not in ("continue", "stop"):
        raise RuntimeError(f"control endpoint {url} answered {answer!r}, expected an action continue|stop")
    return answer


def report_checkpoint(
    step: int,
    path: str,
    serving_url: Optional[str] = None,
    save_s: Optional[float] = None,
    url: Optional[str] = None,
    token: Optional[str] = None,
    retry_s: Optional[float] = None,
    timeout: float = ANSWER_TIMEOUT_S,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rng: Callable[[], float] = random.random,
) -> Dict[str, Any]:
    """POSTs one checkpoint report and returns the supervisor's answer {action, reason?, detail?}.

    Raises SupervisorUnreachable after retrying for retry_s seconds, RuntimeError on a 4xx or a
    malformed answer.
    """
    url = url or os.environ.get(CONTROL_URL_ENV)
    token = token or os.environ.get(CONTROL_TOKEN_ENV)
    if not url or not token:
        raise RuntimeError(f"{CONTROL_URL_ENV} / {CONTROL_TOKEN_ENV} are not set: not running under evalfirst train")
    budget = retry_budget_s(retry_s)
    body: Dict[str, Any] = {"step": int(step), "path": str(path)}
    if serving_url:
        body["serving_url"] = serving_url
    if save_s is not None:
        body["save_s"] = round(float(save_s), 3)
    data = json.dumps(body).encode("utf-8")
    first_failure: Optional[float] = None
    attempt = 0
    while True:
        try:
            return _post_once(url, token, data, step, timeout)
        except _Retryable as failure:
            now = clock()
            if first_failure is None:
                first_failure = now
            waited = now - first_failure
            remaining = budget - waited
            if remaining <= 0:
                raise SupervisorUnreachable(url, waited, str(failure)) from None
            sleep(min(backoff_delay(attempt, rng), remaining))
            attempt += 1
