"""Validation of the challenge protocol's request bodies (/process, /tokenize, /decode).

HELM's client (PH src/helm/proxy/clients/http_model_client.py) sends for /process::

    {prompt, temperature (1e-7 for greedy), num_return_sequences, max_new_tokens, top_p,
     echo_prompt, top_k_per_token, stop_sequences}

The challenge's reference server also accepts ``seed`` and ``top_k``; both are honoured when sampling.
Defaults apply to fields a client leaves out (the organisers' healthcheck sends only ``prompt``);
unlike the reference server's temperature 0.8, an absent temperature means greedy. Unknown fields are
ignored, as the reference server does. A field of the wrong type or out of range is a RequestError
(HTTP 400) naming the field.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Dict, List, Optional, Tuple

GREEDY_TEMPERATURE = 1e-6  # HELM sends 1e-7 for temperature 0; anything at or below this is argmax
MAX_TOP_K_PER_TOKEN = 1000
MAX_STOP_SEQUENCES = 64
MAX_STOP_SEQUENCE_CHARS = 1000


class RequestError(Exception):
    """A request the server refuses; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclasses.dataclass(frozen=True)
class ProcessParams:
    """A validated /process body (the prompt not yet tokenized)."""

    prompt: str
    max_new_tokens: int = 50
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 0
    seed: Optional[int] = None
    top_k_per_token: int = 1
    stop_sequences: Tuple[str, ...] = ()
    echo_prompt: bool = False

    @property
    def greedy(self) -> bool:
        return self.temperature <= GREEDY_TEMPERATURE


@dataclasses.dataclass(frozen=True)
class TokenizeParams:
    text: str
    truncation: bool
    max_length: Optional[int]


def _bad(field: str, expected: str, value: Any) -> RequestError:
    return RequestError(400, f"field {field!r} must be {expected}, got {json_repr(value)}")


def json_repr(value: Any) -> str:
    """A short rendering of a JSON value for error messages."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) and math.isfinite(value)


def _optional(body: Dict[str, Any], field: str) -> Any:
    """A field's value, None when absent or null."""
    return body.get(field)


def _int_field(body: Dict[str, Any], field: str, default: int, low: int, high: Optional[int]) -> int:
    value = _optional(body, field)
    if value is None:
        return default
    bound = f"an integer >= {low}" + (f" and <= {high}" if high is not None else "")
    if not _is_int(value) or value < low or (high is not None and value > high):
        raise _bad(field, bound, value)
    return int(value)


def _require_object(body: Any) -> Dict[str, Any]:
    if not isinstance(body, dict):
        raise RequestError(400, f"the request body must be a JSON object, got {type(body).__name__}")
    return body


def parse_process(body: Any) -> ProcessParams:
    """Validates a /process body; raises RequestError(400) naming the offending field."""
    body = _require_object(body)
    prompt = body.get("prompt")
    if not isinstance(prompt, str):
        raise _bad("prompt", "a string", prompt)
    max_new_tokens = _int_field(body, "max_new_tokens", 50, 0, None)
    temperature = _optional(body, "temperature")
    if temperature is None:
        temperature = 0.0
    elif not _is_number(temperature) or temperature < 0:
        raise _bad("temperature", "a finite number >= 0", temperature)
    top_p = _optional(body, "top_p")
    if top_p is None:
        top_p = 1.0
    elif not _is_number(top_p) or not 0 < top_p <= 1:
        raise _bad("top_p", "a number in (0, 1]", top_p)
    # The response carries one sequence (text, tokens, logprob), so only one can be asked for.
    num_return_sequences = _optional(body, "num_return_sequences")
    if num_return_sequences is not None and (not _is_int(num_return_sequences) or num_return_sequences != 1):
        raise _bad("num_return_sequences", "1 (the protocol's response holds a single sequence)", num_return_sequences)
    top_k_per_token = _int_field(body, "top_k_per_token", 1, 1, MAX_TOP_K_PER_TOKEN)
    top_k = _int_field(body, "top_k", 0, 0, None)
    seed = _optional(body, "seed")
    if seed is not None and not _is_int(seed):
        raise _bad("seed", "an integer or null", seed)
    echo_prompt = _optional(body, "echo_prompt")
    if echo_prompt is None:
        echo_prompt = False
    elif not isinstance(echo_prompt, bool):
        raise _bad("echo_prompt", "a boolean", echo_prompt)
    return ProcessParams(
        prompt=prompt,
        max_new_tokens=max_new_tokens,
        temperature=float(temperature),
        top_p=float(top_p),
        top_k=top_k,
        seed=int(seed) if seed is not None else None,
        top_k_per_token=top_k_per_token,
        stop_sequences=_stop_sequences(body),
        echo_prompt=echo_prompt,
    )


def _stop_sequences(body: Dict[str, Any]) -> Tuple[str, ...]:
    value = _optional(body, "stop_sequences")
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_STOP_SEQUENCES:
        raise _bad("stop_sequences", f"a list of at most {MAX_STOP_SEQUENCES} strings", value)
    stops: List[str] = []
    for index, stop in enumerate(value):
        if not isinstance(stop, str) or len(stop) > MAX_STOP_SEQUENCE_CHARS:
            raise _bad(f"stop_sequences[{index}]", f"a string of at most {MAX_STOP_SEQUENCE_CHARS} characters", stop)
        if stop:  # an empty stop sequence would match everywhere; HELM never sends one
            stops.append(stop)
    return tuple(stops)


def parse_tokenize(body: Any, default_max_length: int) -> TokenizeParams:
    """Validates a /tokenize body {text, truncation (default true), max_length (default: the context)}."""
    body = _require_object(body)
    text = body.get("text")
    if not isinstance(text, str):
        raise _bad("text", "a string", text)
    truncation = _optional(body, "truncation")
    if truncation is None:
        truncation = True
    elif not isinstance(truncation, bool):
        raise _bad("truncation", "a boolean", truncation)
    max_length = _int_field(body, "max_length", default_max_length, 1, None)
    return TokenizeParams(text=text, truncation=truncation, max_length=max_length if truncation else None)


def parse_decode(body: Any, vocab_size: int) -> List[int]:
    """Validates a /decode body {tokens: [int, ...]} against the tokenizer's vocabulary."""
    body = _require_object(body)
    tokens = body.get("tokens")
    if not isinstance(tokens, list):
        raise _bad("tokens", "a list of token ids", tokens)
    for index, token in enumerate(tokens):
        if not _is_int(token) or not 0 <= token < vocab_size:
            raise _bad(f"tokens[{index}]", f"a token id in [0, {vocab_size})", token)
    return [int(t) for t in tokens]
