"""From generated token ids to the challenge protocol's /process response body.

HELM does not truncate at stop sequences for this client (PH http_model_client.py never calls
truncate_sequence), so the server does: `text` is cut at the earliest occurrence of any stop
sequence, and `tokens` keeps the tokens that begin before the cut. That is HELM's own rule
(truncate_sequence keeps tokens until one whose text starts with the stop) made exact for a stop
split over several tokens; a token straddling the cut (".\\n\\n" for the stop "\\n\\n") is kept, as HELM
keeps it. `logprob` is the sum over the returned tokens.

Each token's `text` is its piece of the decoded completion (with its leading space, so the pieces
concatenate to `text` before the cut); top_logprob keys are ids decoded alone, as the challenge's
reference server does.
"""

from __future__ import annotations

import math
import os
from typing import Any, Callable, Dict, List, Optional, Sequence

from generation_types import Generation, ScoredToken
from text_tokenizer import TextTokenizer

Decode = Callable[[Sequence[int]], str]

PIECE_CONTEXT_TOKENS = 6  # tokens decoded before each piece so that tokenizer word-boundary rules match
MIN_LOGPROB = -1e9  # JSON has no -Infinity; a token of probability 0 reports this


def earliest_stop(text: str, stops: Sequence[str]) -> Optional[int]:
    """Index in `text` where the first stop sequence begins, or None."""
    cut: Optional[int] = None
    for stop in stops:
        if stop:
            index = text.find(stop)
            if index != -1 and (cut is None or index < cut):
                cut = index
    return cut


def stop_detector(decode: Decode) -> Callable[[Sequence[str], Sequence[int]], bool]:
    """Whether generated ids already contain a stop sequence, for BatchGenerator.

    Checked after every token, so a new stop can only end in the last token: decoding the last
    len(stop) + 8 tokens finds it without decoding the whole completion each step; a hit is then
    confirmed on the full text (decoding a suffix can differ at its first token).
    """

    def hit(stops: Sequence[str], ids: Sequence[int]) -> bool:
        window = max(len(s) for s in stops) + 8
        if earliest_stop(decode(ids[-window:]), stops) is None:
            return False
        return earliest_stop(decode(ids), stops) is not None

    return hit


def token_pieces(decode: Decode, ids: Sequence[int]) -> List[str]:
    """The text each token adds to the decoded sequence.

    A piece is decode(context + token) minus decode(context), with a few tokens of context so that
    SentencePiece's dropped leading space and similar rules apply as in the full decode. A token
    that ends inside a UTF-8 character (byte fallback) gets "" and the character comes with the
    token that completes it.
    """
    pieces: List[str] = []
    done = 0  # ids[:done] have given their text
    for n in range(1, len(ids) + 1):
        start = max(0, done - PIECE_CONTEXT_TOKENS)
        full = decode(ids[start:n])
        if n < len(ids) and full.endswith("\ufffd"):
            pieces.append("")
            continue
        before = decode(ids[start:done]) if done > start else ""
        if full.startswith(before):
            piece = full[len(before):]
        else:  # the decoder rewrote earlier text (e.g. clean-up of spaces): give what follows the common part
            piece = full[len(os.path.commonprefix([before, full])):]
        pieces.append(piece)
        done = n
    return pieces


def finite_logprob(value: float) -> float:
    if math.isnan(value):
        raise ValueError("the model produced a NaN log-probability")
    return max(value, MIN_LOGPROB)


def token_body(tokenizer: TextTokenizer, token: ScoredToken, piece: str) -> Dict[str, Any]:
    top: Dict[str, float] = {}
    for token_id, logprob in token.top:
        key = tokenizer.token_text(token_id)
        if key not in top:  # two ids can decode alike; the first (likelier) one stands
            top[key] = finite_logprob(logprob)
    return {"text": piece, "logprob": finite_logprob(token.logprob), "top_logprob": top}


def completion_body(tokenizer: TextTokenizer, generation: Generation, prompt: str, stops: Sequence[str], echo_prompt: bool) -> Dict[str, Any]:
    """{text, tokens, logprob} of one generation (request_time is added by the server)."""
    ids = [t.token_id for t in generation.tokens]
    pieces = token_pieces(tokenizer.decode, ids)
    text = tokenizer.decode(ids)
    kept = len(ids)
    cut = earliest_stop(text, stops)
    if cut is not None:
        text = text[:cut]
        offset = 0
        kept = 0
        for piece in pieces:
            if offset >= cut:
                break
            kept += 1
            offset += len(piece)
    tokens = [token_body(tokenizer, t, p) for t, p in zip(generation.tokens[:kept], pieces[:kept])]
    if echo_prompt:
        prompt_ids = [t.token_id for t in generation.prompt_tokens]
        prompt_pieces = token_pieces(tokenizer.decode, prompt_ids)
        tokens = [token_body(tokenizer, t, p) for t, p in zip(generation.prompt_tokens, prompt_pieces)] + tokens
        text = prompt + text
    logprob = sum(t["logprob"] for t in tokens)
    return {"text": text, "tokens": tokens, "logprob": max(float(logprob), MIN_LOGPROB)}
