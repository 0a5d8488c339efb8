"""evalfirst control protocol for Hugging Face transformers' Trainer.

Add ``EvalfirstCallback()`` to a ``Trainer``'s callbacks and run the training script under
``evalfirst train --trainer "python train.py ..."``. After every checkpoint save the callback
reports ``{step, path, serving_url?, save_s?}`` to the supervisor's control endpoint (URL and bearer
token from EVALFIRST_CONTROL_URL / EVALFIRST_CONTROL_TOKEN, which evalfirst sets) and waits for the
answer: ``continue``, or ``stop`` (then ``control.should_training_stop`` is set and the Trainer ends
cleanly after the save).

With ``serve=True`` the callback serves the in-memory model over the challenge protocol while
training is paused (scoring_server.py: batched generation, HTTP/1.1 keep-alive, deep listen
backlog), so a single-GPU QLoRA run is scored without a second copy of the model. The model is put
in eval() for that and back in train() afterwards; generation runs under torch.no_grad.

``save_s`` is the time the Trainer spent between the last event before the save and on_save: the
Trainer calls on_step_end, then (in _maybe_log_save_evaluate) logs (on_log), evaluates (on_log,
on_evaluate), saves the checkpoint and calls on_save. The latest of those events at the same
global step starts the clock, so logging and evaluation are not counted; what remains is
_save_checkpoint (model, optimizer, scheduler, RNG and trainer state, checkpoint rotation).

If the supervisor stays unreachable for the retry budget (EVALFIRST_CONTROL_RETRY_S, default 600 s;
it may be restarted with ``evalfirst train --resume`` meanwhile), the callback logs that, keeps the
checkpoint and stops training instead of raising.

Outside evalfirst (no EVALFIRST_CONTROL_URL) the callback does nothing.
"""

from __future__ import annotations

import os
import sys

if os.path.dirname(os.path.abspath(__file__)) not in sys.path:  # imported as integrations.hf_trainer_callback
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import contextlib
import time
from typing import Any, Callable, Dict, Iterator, Optional

from control_client import CONTROL_TOKEN_ENV, CONTROL_URL_ENV, SupervisorUnreachable, report_checkpoint
from scoring_server import DEFAULT_MAX_BATCH_TOKENS, DEFAULT_MAX_WAIT_MS

try:  # transformers is optional so the protocol logic can be tested without it
    from transformers import TrainerCallback
except Exception:  # exercised where transformers is absent

    class TrainerCallback:  # type: ignore[no-redef]
        """Stand-in base class when transformers is not installed."""


__all__ = ["EvalfirstCallback", "report_checkpoint", "serving_while_paused", "CONTROL_URL_ENV", "CONTROL_TOKEN_ENV"]


@contextlib.contextmanager
def serving_while_paused(
    model: Any,
    tokenizer: Any,
    host: str = "127.0.0.1",
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
    max_wait_ms: float = DEFAULT_MAX_WAIT_MS,
    max_sequence_length: Optional[int] = None,
) -> Iterator[str]:
    """Serves `model` (an HF causal LM, peft-wrapped or not) on host:random port; yields its URL.

    `tokenizer` is a transformers tokenizer or anything implementing text_tokenizer.TextTokenizer.
    """
    from causal_lm import HFCausalLM, context_length
    from cuda_memory import release_cached_memory
    from scoring_server import ScoringService, ServingThread
    from text_tokenizer import HFTokenizer, generation_eos_ids

    text_tokenizer = tokenizer if hasattr(tokenizer, "special_ids") else HFTokenizer(tokenizer, generation_eos_ids(model))
    max_length = max_sequence_length or context_length(model, getattr(text_tokenizer, "model_max_length", None))
    name = str(getattr(getattr(model, "config", None), "_name_or_path", "") or type(model).__name__)
    was_training = bool(getattr(model, "training", False))
    model.eval()  # dropout (LoRA's included) off while scoring
    server: Optional[ServingThread] = None
    try:
        service = ScoringService(HFCausalLM(model), text_tokenizer, name, max_length, max_batch_tokens, max_wait_ms)
        server = ServingThread(service, host=host, port=0).start()
        yield server.url
    finally:
        if server is not None:
            server.stop()
        if was_training:
            model.train()
        release_cached_memory()  # the KV caches' blocks go back before training resumes


class EvalfirstCallback(TrainerCallback):
    """Reports each saved checkpoint to evalfirst and stops training when told to."""

    def __init__(
        self,
        serve: bool = False,
        tokenizer: Any = None,
        retry_s: Optional[float] = None,
        max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
        max_wait_ms: float = DEFAULT_MAX_WAIT_MS,
        max_sequence_length: Optional[int] = None,
        host: str = "127.0.0.1",
        clock: Callable[[], float] = time.monotonic,
    ):
        self.serve = serve
        self.tokenizer = tokenizer
        self.retry_s = retry_s
        self.max_batch_tokens = max_batch_tokens
        self.max_wait_ms = max_wait_ms
        self.max_sequence_length = max_sequence_length
        self.host = host
        self.clock = clock
        self.enabled = bool(os.environ.get(CONTROL_URL_ENV) and os.environ.get(CONTROL_TOKEN_ENV))
        self.last_answer: Optional[Dict[str, Any]] = None
        self._mark: Optional[float] = None  # when the last event before a save happened
        self._mark_step: Optional[int] = None

    # The events that precede a save in the Trainer's loop; each restarts the save clock.
    def _note(self, state: Any) -> None:
        self._mark = self.clock()
        self._mark_step = getattr(state, "global_step", None)

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        self._note(state)
        return control

    def on_epoch_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        self._note(state)
        return control

    def on_log(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        self._note(state)
        return control

    def on_evaluate(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        self._note(state)
        return control

    def save_seconds(self, state: Any) -> Optional[float]:
        """Seconds since the last pre-save event of this step, or None when none was seen."""
        if self._mark is None or self._mark_step != getattr(state, "global_step", None):
            return None
        return self.clock() - self._mark

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        save_s = self.save_seconds(state)
        if not self.enabled or not getattr(state, "is_world_process_zero", True):
            return control
        path = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
        try:
            with self._serving(kwargs) as serving_url:
                self.last_answer = report_checkpoint(state.global_step, path, serving_url=serving_url, save_s=save_s, retry_s=self.retry_s)
        except SupervisorUnreachable as error:
            print(
                f"evalfirst: supervisor unreachable for {error.waited_s:.0f} s; stopping training, checkpoint kept at {path} "
                f"(last error: {error.last_error})",
                file=sys.stderr,
                flush=True,
            )
            control.should_training_stop = True
            return control
        if self.last_answer.get("action") == "stop":
            control.should_training_stop = True
        return control

    @contextlib.contextmanager
    def _serving(self, kwargs: Dict[str, Any]) -> Iterator[Optional[str]]:
        if not self.serve:
            yield None
            return
        model = kwargs.get("model")
        tokenizer = self.tokenizer or kwargs.get("processing_class") or kwargs.get("tokenizer")
        if model is None or tokenizer is None:
            raise RuntimeError(
                "EvalfirstCallback(serve=True) needs the model and a tokenizer: pass EvalfirstCallback(serve=True, tokenizer=tok) "
                f"or give the Trainer a processing_class (on_save got model: {model is not None}, tokenizer: {tokenizer is not None})"
            )
        with serving_while_paused(model, tokenizer, self.host, self.max_batch_tokens, self.max_wait_ms, self.max_sequence_length) as url:
            yield url
