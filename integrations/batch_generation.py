"""Batched generation with a KV cache: one left-padded prefill, then one decode step per token.

Each row of the batch is one request. Rows are left-padded to the longest prompt; the attention
mask hides the padding and position ids count only real tokens (cumsum of the mask - 1), so a row
sees exactly what it would see alone -- a batched greedy result equals the batch-1 result up to the
floating-point reduction order of padded shapes.

A row leaves the batch at its own end: a special token (EOS and the like: it ends the sequence and
is not returned), its max_new_tokens, or a stop sequence appearing in its decoded text. Finished
rows are removed from the batch at once -- input ids, mask, positions and the KV cache
(`StepModel.select_rows`) -- so they cost no further compute. Row selection copies the cache, which
costs about as much memory traffic as one decode step reads anyway, and it happens at most once per
finishing row. The columns of left padding that no remaining row needs are not trimmed: transformers'
Cache API has no left crop, and the leftover masked columns only lengthen the attention over the
cache by the prompt-length spread of the batch.
"""

from __future__ import annotations

from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

import torch

from causal_lm import Past, StepModel
from generation_types import Generation, GenerationRequest, ScoredToken


StopDetector = Callable[[Sequence[str], Sequence[int]], bool]  # (stop sequences, generated ids) -> hit


class BatchGenerator:
    """Runs batches of GenerationRequests on a StepModel."""

    def __init__(self, model: StepModel, special_ids: FrozenSet[int], vocab_size: int, stop_detector: StopDetector, pad_id: int = 0):
        self.model = model
        self.special_ids = special_ids
        self.vocab_size = vocab_size  # ids at or beyond it (padded embedding rows) cannot be decoded
        self.stop_detector = stop_detector
        self.pad_id = pad_id
        self._excluded: Dict[Tuple[int, str], torch.Tensor] = {}

    def excluded_mask(self, width: int, device: torch.device) -> torch.Tensor:
        """Bool (width,) of ids never listed among top log-probabilities: specials and undecodable ids."""
        key = (width, str(device))
        mask = self._excluded.get(key)
        if mask is None:
            mask = torch.zeros(width, dtype=torch.bool)
            ids = [i for i in self.special_ids if 0 <= i < width]
            if ids:
                mask[torch.tensor(ids, dtype=torch.long)] = True
            mask[self.vocab_size:] = True
            mask = mask.to(device)
            self._excluded[key] = mask
        return mask

    @torch.no_grad()  # grad mode is per thread: the batcher's worker thread needs its own no_grad
    def generate(self, requests: Sequence[GenerationRequest]) -> List[Generation]:
        """Generates every request as one batch; results in request order."""
        results: List[Optional[Generation]] = [None] * len(requests)
        rows = [i for i, r in enumerate(requests) if r.max_new_tokens > 0 or r.echo_prompt]
        for i, request in enumerate(requests):
            if i not in rows:
                results[i] = Generation((), (), "length")
        if rows:
            for i, generation in zip(rows, self._generate_rows([requests[i] for i in rows])):
                results[i] = generation
        return [r for r in results if r is not None]

    def _generate_rows(self, requests: List[GenerationRequest]) -> List[Generation]:
        device = self.model.device
        lengths = [len(r.prompt_ids) for r in requests]
        if min(lengths) == 0:
            raise ValueError("a prompt of zero tokens cannot be scored")
        width = max(lengths)
        input_ids = torch.full((len(requests), width), self.pad_id, dtype=torch.long)
        attention_mask = torch.zeros((len(requests), width), dtype=torch.long)
        for row, request in enumerate(requests):
            input_ids[row, width - lengths[row]:] = torch.tensor(request.prompt_ids, dtype=torch.long)
            attention_mask[row, width - lengths[row]:] = 1
        input_ids = input_ids.to(device)
        attention_mask = attention_mask.to(device)
        position_ids = (attention_mask.cumsum(-1) - 1).clamp(min=0)

        want_all = any(r.echo_prompt for r in requests)
        logits, past = self.model.step(input_ids, attention_mask, position_ids, None, want_all)
        prompt_tokens: List[Tuple[ScoredToken, ...]] = [()] * len(requests)
        for row, request in enumerate(requests):
            if request.echo_prompt:
                prompt_tokens[row] = self._score_prompt(logits[row, width - lengths[row]:], request)
        last = logits[:, -1]

        generators = [_row_generator(r, device) for r in requests]
        generated: List[List[ScoredToken]] = [[] for _ in requests]
        finish: List[str] = ["length"] * len(requests)
        active = list(range(len(requests)))  # original row index of each row of the live batch
        next_positions = torch.tensor(lengths, dtype=torch.long, device=device)

        if any(requests[row].max_new_tokens == 0 for row in active):  # echo-only rows are done after prefill
            generating = [a for a, row in enumerate(active) if requests[row].max_new_tokens > 0]
            active, past, last, attention_mask, next_positions = self._compact(generating, active, past, last, attention_mask, next_positions)

        while active:
            chosen, scored = self._choose([requests[row] for row in active], last, [generators[row] for row in active])
            keep: List[int] = []
            for a, row in enumerate(active):
                token = scored[a]
                if token.token_id in self.special_ids or token.token_id >= self.vocab_size:
                    finish[row] = "eos"
                    continue
                generated[row].append(token)
                request = requests[row]
                if len(generated[row]) >= request.max_new_tokens:
                    finish[row] = "length"
                elif request.stop_sequences and self.stop_detector(request.stop_sequences, [t.token_id for t in generated[row]]):
                    finish[row] = "stop"
                else:
                    keep.append(a)
            if not keep:
                break
            if len(keep) < len(active):
                chosen = chosen[torch.tensor(keep, dtype=torch.long, device=chosen.device)]
                active, past, last, attention_mask, next_positions = self._compact(keep, active, past, last, attention_mask, next_positions)
            attention_mask = torch.cat([attention_mask, attention_mask.new_ones((len(active), 1))], dim=1)
            logits, past = self.model.step(chosen[:, None], attention_mask, next_positions[:, None], past, False)
            last = logits[:, -1]
            next_positions = next_positions + 1
        return [Generation(prompt_tokens[row], tuple(generated[row]), finish[row]) for row in range(len(requests))]

    def _compact(
        self,
        keep: List[int],
        active: List[int],
        past: Past,
        last: torch.Tensor,
        attention_mask: torch.Tensor,
        next_positions: torch.Tensor,
    ) -> Tuple[List[int], Past, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Drops the finished rows: everything but the batch positions in `keep`."""
        rows_cpu = torch.tensor(keep, dtype=torch.long)
        rows = rows_cpu.to(attention_mask.device)
        past = self.model.select_rows(past, rows_cpu) if keep else None
        return [active[a] for a in keep], past, last[rows.to(last.device)], attention_mask[rows], next_positions[rows]

    def _choose(self, requests: List[GenerationRequest], last: torch.Tensor, generators: List[Optional[torch.Generator]]) -> Tuple[torch.Tensor, List[ScoredToken]]:
        """Picks each row's next token; returns them (on the model's device) and their scores."""
        logprobs = torch.log_softmax(last.float(), dim=-1)
        chosen = logprobs.argmax(dim=-1)
        for a, request in enumerate(requests):
            if not request.greedy:
                chosen[a] = _sample(last[a].float(), request, generators[a])
        chosen_logprobs = logprobs.gather(1, chosen[:, None])[:, 0]
        k = min(max(r.top_k_per_token for r in requests), logprobs.shape[-1])
        excluded = self.excluded_mask(logprobs.shape[-1], logprobs.device)
        top_values, top_ids = logprobs.masked_fill(excluded, float("-inf")).topk(k, dim=-1)
        # One device-to-host copy per step: ids are exact in float32 below 2**24.
        packed = torch.cat([chosen.float()[:, None], chosen_logprobs[:, None], top_values, top_ids.float()], dim=1).tolist()
        scored: List[ScoredToken] = []
        for a, request in enumerate(requests):
            values = packed[a]
            n = min(request.top_k_per_token, k)
            top = tuple((int(values[2 + k + j]), float(values[2 + j])) for j in range(n) if values[2 + j] != float("-inf"))
            scored.append(ScoredToken(int(values[0]), float(values[1]), top))
        return chosen, scored

    def _score_prompt(self, logits: torch.Tensor, request: GenerationRequest) -> Tuple[ScoredToken, ...]:
        """Echo: each prompt token's logprob given the tokens before it (logits: (prompt_len, vocab))."""
        ids = list(request.prompt_ids)
        logprobs = torch.log_softmax(logits[:-1].float(), dim=-1)
        targets = torch.tensor(ids[1:], dtype=torch.long, device=logprobs.device)
        token_logprobs = logprobs.gather(1, targets[:, None])[:, 0].tolist() if ids[1:] else []
        k = min(request.top_k_per_token, logprobs.shape[-1])
        excluded = self.excluded_mask(logprobs.shape[-1], logprobs.device)
        top_values, top_ids = logprobs.masked_fill(excluded, float("-inf")).topk(k, dim=-1)
        values_list, ids_list = top_values.tolist(), top_ids.tolist()
        scored: List[ScoredToken] = []
        if ids[0] not in self.special_ids:  # nothing precedes the first token: logprob 0, no alternatives
            scored.append(ScoredToken(ids[0], 0.0, ()))
        for t, token_id in enumerate(ids[1:]):
            if token_id in self.special_ids:
                continue
            top = tuple((int(i), float(v)) for i, v in zip(ids_list[t], values_list[t]) if v != float("-inf"))
            scored.append(ScoredToken(token_id, float(token_logprobs[t]), top))
        return tuple(scored)


def _row_generator(request: GenerationRequest, device: torch.device) -> Optional[torch.Generator]:
    """A per-request random generator for sampled rows: seeded when the request gives a seed."""
    if request.greedy:
        return None
    generator = torch.Generator(device=device)
    if request.seed is not None:
        generator.manual_seed(request.seed)
    else:
        generator.seed()
    return generator


def _sample(logits: torch.Tensor, request: GenerationRequest, generator: Optional[torch.Generator]) -> torch.Tensor:
    """One token from softmax(logits / temperature), restricted to top_k and the top_p nucleus."""
    scaled = logits / request.temperature
    if 0 < request.top_k < scaled.shape[-1]:
        kth = scaled.topk(request.top_k).values[-1]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    probs = torch.softmax(scaled, dim=-1)
    if request.top_p < 1.0:
        sorted_probs, order = probs.sort(descending=True)
        mass_before = sorted_probs.cumsum(-1) - sorted_probs
        drop = order[mass_before >= request.top_p]  # keep the smallest prefix whose mass reaches top_p
        probs = probs.index_fill(0, drop, 0.0)
        probs = probs / probs.sum()
    return torch.multinomial(probs, 1, generator=generator)[0]
