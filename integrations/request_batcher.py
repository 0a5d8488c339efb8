"""Gathers concurrent requests into batches for one worker thread that owns the model.

HTTP handler threads `submit` work and block on its result. The worker waits for the first pending
item, then up to `max_wait_s` after that item arrived for more (HELM keeps up to 30 requests in
flight: they arrive within milliseconds of each other), and takes the oldest item with the items of
the same kind closest to it in prompt length that fit the token budget. An item that waited through
the previous batch is already past its wait bound and goes at once.

A batch's cost is rows x (longest prompt + largest max_new_tokens): the KV positions the padded
batch can reach. An item costlier than the whole budget still runs, alone. Rows of very different
prompt lengths are not mixed (see take_batch).

When a batch runs out of accelerator memory it is split in halves, each retried, recursively down
to single items; only a single item that still does not fit fails (with status 500). The budget is
then lowered to half the failed cost, so later batches do not hit the same wall first.

Pure Python: the model, the out-of-memory test and the cache release are injected.
"""

from __future__ import annotations

import collections
import dataclasses
import sys
import threading
import time
from typing import Callable, Deque, Generic, List, Optional, Sequence, TypeVar

PADDING_LIMIT = 1.3  # padded prefill tokens <= this x real prompt tokens ...
SMALL_PREFILL_TOKENS = 512  # ... unless the whole padded prefill is this small

Item = TypeVar("Item")
Result = TypeVar("Result")


class BatchItemError(Exception):
    """Why one item of a batch produced no result; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclasses.dataclass
class Pending(Generic[Item, Result]):
    item: Item
    kind: str  # items of different kinds never share a batch
    prompt_tokens: int
    max_new_tokens: int
    arrived: float
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    result: Optional[Result] = None
    error: Optional[BatchItemError] = None


def batch_cost(items: Sequence[Pending[Item, Result]]) -> int:
    """rows x (longest prompt + largest max_new_tokens)."""
    if not items:
        return 0
    return len(items) * (max(p.prompt_tokens for p in items) + max(p.max_new_tokens for p in items))


def padding_ok(items: Sequence[Pending[Item, Result]], limit: float) -> bool:
    """Whether the left-padded prefill (rows x longest prompt) stays within `limit` x the real prompt
    tokens, or is too small for padding to matter."""
    padded = len(items) * max(p.prompt_tokens for p in items)
    return padded <= SMALL_PREFILL_TOKENS or padded <= limit * sum(p.prompt_tokens for p in items)


def take_batch(queue: Deque[Pending[Item, Result]], max_tokens: int, padding_limit: float = PADDING_LIMIT) -> List[Pending[Item, Result]]:
    """Removes and returns the next batch, in arrival order.

    The oldest item always goes; then the queued items of its kind nearest to it in prompt length
    (the older first among equals) join while the batch cost stays within max_tokens and the padded
    prefill within padding_limit x the real prompt tokens. Left padding makes every row as long as
    the longest prompt, and a prefill of long prompts keeps the accelerator busy at batch 1 already,
    so padding a 100-token prompt to 1500 would cost more than it saves. Nothing starves: whatever
    is left behind is older than anything that arrives later.
    """
    first = queue[0]
    candidates = sorted(
        (abs(p.prompt_tokens - first.prompt_tokens), index, p) for index, p in enumerate(queue) if index > 0 and p.kind == first.kind
    )
    chosen = {0}
    batch = [first]
    for _, index, candidate in candidates:
        if batch_cost(batch + [candidate]) <= max_tokens and padding_ok(batch + [candidate], padding_limit):
            batch.append(candidate)
            chosen.add(index)
    kept = [p for index, p in enumerate(queue) if index in chosen]
    rest = [p for index, p in enumerate(queue) if index not in chosen]
    queue.clear()
    queue.extend(rest)
    return kept


def run_splitting_on_oom(
    items: List[Pending[Item, Result]],
    run: Callable[[List[Item]], List[Result]],
    is_oom: Callable[[BaseException], bool],
    after_oom: Callable[[], None],
    on_oom: Callable[[List[Pending[Item, Result]]], None] = lambda items: None,
) -> None:
    """Runs items as one batch and stores each result or error on its Pending.

    Out of memory: release the cache, then the two halves in turn; a single item that does not fit
    fails alone with 500. Any other exception fails the whole batch with 500 naming it.
    """
    message: Optional[str] = None
    try:
        results = run([p.item for p in items])
        if len(results) != len(items):
            raise RuntimeError(f"the batch returned {len(results)} results for {len(items)} requests")
        for pending, result in zip(items, results):
            pending.result = result
        return
    except Exception as error:  # the handler threads must always get an answer
        if not is_oom(error):
            for pending in items:
                pending.error = BatchItemError(500, f"generation failed: {type(error).__name__}: {error}")
            return
        message = f"{type(error).__name__}: {error}"
    # Out of the except block: the traceback (which holds the failed batch's tensors) is released.
    after_oom()
    on_oom(items)
    if len(items) == 1:
        items[0].error = BatchItemError(500, f"out of accelerator memory even for this request alone ({items[0].prompt_tokens} prompt tokens + {items[0].max_new_tokens} new): {message}")
        return
    middle = len(items) // 2
    run_splitting_on_oom(items[:middle], run, is_oom, after_oom, on_oom)
    run_splitting_on_oom(items[middle:], run, is_oom, after_oom, on_oom)


class RequestBatcher(Generic[Item, Result]):
    """A queue of pending items and the worker thread that runs them in batches."""

    def __init__(
        self,
        run: Callable[[List[Item]], List[Result]],
        max_batch_tokens: int,
        max_wait_s: float,
        is_oom: Callable[[BaseException], bool] = lambda e: False,
        after_oom: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ):
        if max_batch_tokens < 1:
            raise ValueError(f"max_batch_tokens must be >= 1, got {max_batch_tokens}")
        if max_wait_s < 0:
            raise ValueError(f"max_wait_s must be >= 0, got {max_wait_s}")
        self.run = run
        self.max_batch_tokens = max_batch_tokens
        self.budget = max_batch_tokens  # lowered after an out-of-memory split
        self.max_wait_s = max_wait_s
        self.is_oom = is_oom
        self.after_oom = after_oom
        self.clock = clock
        self.batch_sizes: List[int] = []  # rows of every batch run, for tests and reports
        self._queue: Deque[Pending[Item, Result]] = collections.deque()
        self._condition = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._work, name="evalfirst-batcher", daemon=True)

    def start(self) -> "RequestBatcher[Item, Result]":
        self._thread.start()
        return self

    def submit(self, item: Item, kind: str, prompt_tokens: int, max_new_tokens: int) -> Result:
        """Queues one item and blocks until its batch ran; raises BatchItemError when it failed."""
        pending: Pending[Item, Result] = Pending(item, kind, prompt_tokens, max_new_tokens, self.clock())
        with self._condition:
            if self._stopping:
                raise BatchItemError(503, "the scoring server is stopping")
            self._queue.append(pending)
            self._condition.notify_all()
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        assert pending.result is not None
        return pending.result

    def stop(self) -> None:
        """Fails what is queued (503), lets a running batch finish, and ends the worker."""
        with self._condition:
            self._stopping = True
            for pending in self._queue:
                pending.error = BatchItemError(503, "the scoring server is stopping")
                pending.done.set()
            self._queue.clear()
            self._condition.notify_all()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()

    def _next_batch(self) -> Optional[List[Pending[Item, Result]]]:
        with self._condition:
            while not self._queue and not self._stopping:
                self._condition.wait()
            if self._stopping:
                return None
            deadline = self._queue[0].arrived + self.max_wait_s
            while not self._stopping and batch_cost(list(self._queue)) < self.budget:
                remaining = deadline - self.clock()
                if remaining <= 0:
                    break
                self._condition.wait(remaining)
            if self._stopping:
                return None
            return take_batch(self._queue, self.budget)

    def _lower_budget(self, items: List[Pending[Item, Result]]) -> None:
        cost = batch_cost(items)
        if len(items) > 1 and cost // 2 < self.budget:
            self.budget = max(1, cost // 2)
            print(f"scoring_server: out of memory on a batch of {len(items)} requests ({cost} tokens); batches now hold at most {self.budget} tokens", file=sys.stderr, flush=True)

    def _work(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            self.batch_sizes.append(len(batch))
            run_splitting_on_oom(batch, self.run, self.is_oom, self.after_oom, self._lower_budget)
            for pending in batch:
                if pending.result is None and pending.error is None:
                    pending.error = BatchItemError(500, "the batch produced no result for this request")
                pending.done.set()
