"""Batch assembly, the wait bound, the token budget and the out-of-memory split (standard library only)."""

from __future__ import annotations

import collections
import os
import sys
import threading
import unittest
from typing import Deque, List

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from request_batcher import BatchItemError, Pending, RequestBatcher, batch_cost, run_splitting_on_oom, take_batch  # noqa: E402


class SimulatedOOM(RuntimeError):
    def __init__(self) -> None:
        super().__init__("CUDA out of memory. Tried to allocate 2.00 GiB")


def is_oom(error: BaseException) -> bool:
    return isinstance(error, SimulatedOOM)


def identity(items: List[str]) -> List[str]:
    return items


def pending(name: str, prompt: int = 10, new: int = 5, kind: str = "generate") -> Pending[str, str]:
    return Pending(name, kind, prompt, new, 0.0)


def submit_all(batcher: RequestBatcher[str, str], names: List[str], prompt: int = 10, new: int = 5) -> List[str]:
    """Submits each name from its own thread (as HTTP handler threads do); returns results in order."""
    results: List[str] = [""] * len(names)

    def one(i: int) -> None:
        try:
            results[i] = batcher.submit(names[i], "generate", prompt, new)
        except BatchItemError as error:
            results[i] = f"error {error.status}"

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(names))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results


class TakeBatchTest(unittest.TestCase):
    def test_cost_is_rows_times_longest_prompt_plus_largest_new(self) -> None:
        self.assertEqual(batch_cost([pending("a", 10, 1), pending("b", 4, 400)]), 2 * (10 + 400))
        self.assertEqual(batch_cost([]), 0)

    def test_budget_limits_the_batch_and_keeps_order(self) -> None:
        queue: Deque[Pending[str, str]] = collections.deque(pending(n) for n in "abcde")
        self.assertEqual([p.item for p in take_batch(queue, 2 * 15)], ["a", "b"])
        self.assertEqual([p.item for p in take_batch(queue, 2 * 15)], ["c", "d"])
        self.assertEqual([p.item for p in take_batch(queue, 2 * 15)], ["e"])

    def test_an_item_over_the_budget_runs_alone(self) -> None:
        queue: Deque[Pending[str, str]] = collections.deque([pending("huge", 5000, 400), pending("small")])
        self.assertEqual([p.item for p in take_batch(queue, 100)], ["huge"])
        self.assertEqual([p.item for p in queue], ["small"])

    def test_the_oldest_goes_with_the_prompts_nearest_its_length(self) -> None:
        lengths = {"long1": 100, "short1": 5, "long2": 98, "short2": 6, "long3": 90}
        queue: Deque[Pending[str, str]] = collections.deque(pending(n, lengths[n], 1) for n in lengths)
        self.assertEqual([p.item for p in take_batch(queue, 2 * 101, padding_limit=100.0)], ["long1", "long2"])
        self.assertEqual([p.item for p in take_batch(queue, 2 * 101, padding_limit=100.0)], ["short1", "short2"])  # the oldest left, then its nearest
        self.assertEqual([p.item for p in take_batch(queue, 2 * 101, padding_limit=100.0)], ["long3"])

    def test_prompts_of_very_different_lengths_are_not_padded_together(self) -> None:
        queue: Deque[Pending[str, str]] = collections.deque([pending("long", 1500, 1), pending("short", 100, 1), pending("near", 1400, 1)])
        self.assertEqual([p.item for p in take_batch(queue, 100_000)], ["long", "near"])
        self.assertEqual([p.item for p in take_batch(queue, 100_000)], ["short"])
        small: Deque[Pending[str, str]] = collections.deque([pending("a", 200, 1), pending("b", 10, 1)])
        self.assertEqual(len(take_batch(small, 100_000)), 2)  # 2 x 200 padded tokens: too few to matter

    def test_kinds_do_not_mix_and_skipped_items_keep_their_place(self) -> None:
        queue: Deque[Pending[str, str]] = collections.deque([pending("g1"), pending("e1", kind="echo"), pending("g2"), pending("e2", kind="echo")])
        self.assertEqual([p.item for p in take_batch(queue, 10_000)], ["g1", "g2"])
        self.assertEqual([p.item for p in queue], ["e1", "e2"])


class OOMSplitTest(unittest.TestCase):
    def test_a_batch_too_large_is_split_until_it_fits(self) -> None:
        calls: List[List[str]] = []

        def run(items: List[str]) -> List[str]:
            calls.append(items)
            if len(items) > 2:
                raise SimulatedOOM()
            return [i.upper() for i in items]

        items = [pending(n) for n in "abcde"]
        released: List[int] = []
        run_splitting_on_oom(items, run, is_oom, lambda: released.append(1))
        self.assertEqual([p.result for p in items], ["A", "B", "C", "D", "E"])
        self.assertEqual(calls, [list("abcde"), list("ab"), list("cde"), list("c"), list("de")])
        self.assertEqual(len(released), 2)

    def test_only_the_request_that_never_fits_fails(self) -> None:
        def run(items: List[str]) -> List[str]:
            if "big" in items:
                raise SimulatedOOM()
            return items

        items = [pending(n) for n in ["a", "big", "c", "d"]]
        run_splitting_on_oom(items, run, is_oom, lambda: None)
        self.assertEqual([p.result for p in items], ["a", None, "c", "d"])
        error = items[1].error
        assert error is not None
        self.assertEqual(error.status, 500)
        self.assertIn("out of accelerator memory", error.message)

    def test_another_error_fails_the_batch_with_its_name(self) -> None:
        def run(items: List[str]) -> List[str]:
            raise ValueError("bad shapes")

        items = [pending("a"), pending("b")]
        run_splitting_on_oom(items, run, is_oom, lambda: None)
        for item in items:
            assert item.error is not None
            self.assertIn("ValueError: bad shapes", item.error.message)


class BatcherTest(unittest.TestCase):
    def test_concurrent_submissions_within_the_wait_share_a_batch(self) -> None:
        seen: List[List[str]] = []

        def run(items: List[str]) -> List[str]:
            seen.append(items)
            return [i + "!" for i in items]

        batcher: RequestBatcher[str, str] = RequestBatcher(run, max_batch_tokens=10_000, max_wait_s=0.5).start()
        try:
            self.assertEqual(submit_all(batcher, ["a", "b", "c", "d"]), ["a!", "b!", "c!", "d!"])
        finally:
            batcher.stop()
        # Four threads started within milliseconds, well inside the 0.5 s wait: one batch.
        self.assertEqual(batcher.batch_sizes, [4])

    def test_the_wait_ends_when_the_budget_is_full(self) -> None:
        # A 1 hour wait never elapses here: the batch must go as soon as the queue fills the budget.
        batcher: RequestBatcher[str, str] = RequestBatcher(identity, max_batch_tokens=3 * 15, max_wait_s=3600.0).start()
        try:
            self.assertEqual(submit_all(batcher, ["a", "b", "c"]), ["a", "b", "c"])
        finally:
            batcher.stop()
        self.assertEqual(batcher.batch_sizes, [3])

    def test_a_lone_request_is_served_after_the_wait(self) -> None:
        batcher: RequestBatcher[str, str] = RequestBatcher(identity, max_batch_tokens=10_000, max_wait_s=0.05).start()
        try:
            self.assertEqual(submit_all(batcher, ["only"]), ["only"])
        finally:
            batcher.stop()

    def test_budget_splits_a_burst_into_batches(self) -> None:
        batcher: RequestBatcher[str, str] = RequestBatcher(identity, max_batch_tokens=2 * 15, max_wait_s=0.5).start()
        try:
            names = [str(i) for i in range(6)]
            self.assertEqual(submit_all(batcher, names), names)
        finally:
            batcher.stop()
        self.assertTrue(all(size <= 2 for size in batcher.batch_sizes), batcher.batch_sizes)
        self.assertEqual(sum(batcher.batch_sizes), 6)

    def test_out_of_memory_lowers_the_budget_for_later_batches(self) -> None:
        def run(items: List[str]) -> List[str]:
            if len(items) > 2:
                raise SimulatedOOM()
            return items

        batcher: RequestBatcher[str, str] = RequestBatcher(run, max_batch_tokens=10_000, max_wait_s=0.5, is_oom=is_oom).start()
        try:
            self.assertEqual(submit_all(batcher, list("abcd")), list("abcd"))
            self.assertEqual(batcher.budget, 2 * 15)  # half of the 4-row batch that did not fit
            self.assertEqual(submit_all(batcher, list("efgh")), list("efgh"))
        finally:
            batcher.stop()
        self.assertEqual(batcher.batch_sizes[0], 4)
        self.assertTrue(all(size <= 2 for size in batcher.batch_sizes[1:]), batcher.batch_sizes)

    def test_stop_fails_what_is_queued(self) -> None:
        started = threading.Event()
        release = threading.Event()

        def run(items: List[str]) -> List[str]:
            started.set()
            release.wait(5)
            return items

        batcher: RequestBatcher[str, str] = RequestBatcher(run, max_batch_tokens=15, max_wait_s=0.0).start()
        results: List[str] = []
        first = threading.Thread(target=lambda: results.append(batcher.submit("first", "generate", 10, 5)))
        first.start()
        started.wait(5)
        second_error: List[int] = []

        def second() -> None:
            try:
                batcher.submit("second", "generate", 10, 5)
            except BatchItemError as error:
                second_error.append(error.status)

        waiter = threading.Thread(target=second)
        waiter.start()
        while not batcher._queue:  # the second one is queued behind the running batch
            threading.Event().wait(0.01)
        stopper = threading.Thread(target=batcher.stop)
        stopper.start()
        waiter.join(5)
        release.set()
        first.join(5)
        stopper.join(5)
        self.assertEqual(results, ["first"])  # the running batch finished
        self.assertEqual(second_error, [503])
        with self.assertRaises(BatchItemError):
            batcher.submit("late", "generate", 1, 1)


if __name__ == "__main__":
    unittest.main()
