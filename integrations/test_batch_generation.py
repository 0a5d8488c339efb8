"""Batched generation on a small real torch LM: padding, per-row stopping, batched == batch-1."""

from __future__ import annotations

import os
import sys
import unittest
from typing import Any, List, Sequence, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import torch
except ImportError:  # the suite runs without torch too; these tests then skip with the reason
    torch = None  # type: ignore[assignment]

TORCH_MISSING = "torch is not importable by this interpreter (apt-get install python3-torch gives it to /usr/bin/python3)"

if torch is not None:
    from batch_generation import BatchGenerator
    from causal_lm import HFCausalLM, select_cache_rows
    from completion_text import stop_detector
    from generation_types import Generation, GenerationRequest
    from testing_byte_tokenizer import BOS_ID, EOS_ID, ByteTokenizer
    from testing_tiny_llama import TinyCache, TinyConfig, TinyLlama, bigram_model

PROMPTS = ["Hello", "a", "The quick brown fox jumps", "1+1=", "zz top", "Once upon a time there was", "x", "GSM: 72."]


class CountingModel:
    """A StepModel wrapper recording the batch size of every step."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.batch_sizes: List[int] = []

    @property
    def device(self) -> Any:
        return self.inner.device

    def step(self, input_ids: Any, attention_mask: Any, position_ids: Any, past: Any, all_logits: bool) -> Tuple[Any, Any]:
        self.batch_sizes.append(int(input_ids.shape[0]))
        logits, cache = self.inner.step(input_ids, attention_mask, position_ids, past, all_logits)
        return logits, cache

    def select_rows(self, past: Any, rows: Any) -> Any:
        return self.inner.select_rows(past, rows)


def generator_for(model: Any) -> "BatchGenerator":
    tokenizer = ByteTokenizer()
    step_model: Any = model if isinstance(model, CountingModel) else HFCausalLM(model)
    return BatchGenerator(step_model, tokenizer.special_ids, tokenizer.vocab_size, stop_detector(tokenizer.decode))


def request(prompt: str, max_new_tokens: int = 12, **options: Any) -> "GenerationRequest":
    return GenerationRequest(prompt_ids=tuple(ByteTokenizer().encode(prompt)), max_new_tokens=max_new_tokens, **options)


def ids(generation: "Generation") -> List[int]:
    return [t.token_id for t in generation.tokens]


def assert_close(test: unittest.TestCase, a: Any, b: Any, atol: float = 1e-5) -> None:
    test.assertEqual(tuple(a.shape), tuple(b.shape))
    test.assertLessEqual(float((a - b).abs().max()), atol)


@unittest.skipIf(torch is None, TORCH_MISSING)
class PaddingTest(unittest.TestCase):
    def test_left_padding_and_position_ids_give_the_unpadded_logits(self) -> None:
        model = HFCausalLM(TinyLlama(TinyConfig()).eval())
        prompts = [ByteTokenizer().encode(p) for p in ["Hello there", "a", "medium one"]]
        width = max(len(p) for p in prompts)
        input_ids = torch.zeros((3, width), dtype=torch.long)
        mask = torch.zeros((3, width), dtype=torch.long)
        for row, prompt in enumerate(prompts):
            input_ids[row, width - len(prompt):] = torch.tensor(prompt)
            mask[row, width - len(prompt):] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        with torch.no_grad():
            batched, past = model.step(input_ids, mask, positions, None, True)
            next_ids = torch.tensor([[65], [66], [67]])
            mask2 = torch.cat([mask, torch.ones((3, 1), dtype=torch.long)], dim=1)
            batched_next, _ = model.step(next_ids, mask2, positions[:, -1:] + 1, past, False)
            for row, prompt in enumerate(prompts):
                alone_ids = torch.tensor([prompt])
                alone_mask = torch.ones_like(alone_ids)
                alone, alone_past = model.step(alone_ids, alone_mask, torch.arange(len(prompt))[None], None, True)
                assert_close(self, batched[row, width - len(prompt):], alone[0])
                alone_next, _ = model.step(next_ids[row:row + 1], torch.ones((1, len(prompt) + 1), dtype=torch.long), torch.tensor([[len(prompt)]]), alone_past, False)
                assert_close(self, batched_next[row, -1], alone_next[0, -1])

    def test_cache_rows_are_selected_for_both_cache_forms(self) -> None:
        keys = torch.arange(3.0)[:, None, None, None].expand(3, 1, 2, 1)
        legacy = ((keys, keys + 10),)
        selected = select_cache_rows(legacy, torch.tensor([2, 0]))
        self.assertEqual(selected[0][0][:, 0, 0, 0].tolist(), [2.0, 0.0])
        self.assertEqual(selected[0][1][:, 0, 0, 0].tolist(), [12.0, 10.0])
        cache = TinyCache()
        cache.update(0, keys, keys)
        self.assertIs(select_cache_rows(cache, torch.tensor([1])), cache)
        self.assertEqual(cache.layers[0][0][:, 0, 0, 0].tolist(), [1.0])

        class ReorderOnly:
            def __init__(self) -> None:
                self.rows: List[int] = []

            def reorder_cache(self, rows: Any) -> None:
                self.rows = rows.tolist()

        reorder = ReorderOnly()
        select_cache_rows(reorder, torch.tensor([0, 2]))
        self.assertEqual(reorder.rows, [0, 2])

        class Layer:  # transformers 5.x CacheLayerMixin shape: .keys/.values per layer
            def __init__(self) -> None:
                self.keys, self.values = keys.clone(), keys + 10

        class LayersOnly:
            def __init__(self) -> None:
                self.layers = [Layer(), Layer()]

        layered = LayersOnly()
        self.assertIs(select_cache_rows(layered, torch.tensor([2, 1])), layered)
        self.assertEqual([layer.values[:, 0, 0, 0].tolist() for layer in layered.layers], [[12.0, 11.0]] * 2)
        with self.assertRaises(TypeError):
            select_cache_rows(object(), torch.tensor([0]))


@unittest.skipIf(torch is None, TORCH_MISSING)
class BatchedEqualsAloneTest(unittest.TestCase):
    def check(self, cache: str) -> None:
        model = TinyLlama(TinyConfig(eos_bias=2.5, cache=cache)).eval()
        generator = generator_for(model)
        requests = [request(p, max_new_tokens=4 + 3 * (i % 4), top_k_per_token=1 + i % 5) for i, p in enumerate(PROMPTS)]
        batched = generator.generate(requests)
        reasons = set()
        for req, together in zip(requests, batched):
            alone = generator.generate([req])[0]
            self.assertEqual(ids(together), ids(alone), req)
            self.assertEqual(together.finish_reason, alone.finish_reason)
            reasons.add(alone.finish_reason)
            for a, b in zip(together.tokens, alone.tokens):
                self.assertAlmostEqual(a.logprob, b.logprob, delta=1e-4)
                self.assertEqual([i for i, _ in a.top], [i for i, _ in b.top])
                for (_, va), (_, vb) in zip(a.top, b.top):
                    self.assertAlmostEqual(va, vb, delta=1e-4)
        self.assertEqual(reasons, {"eos", "length"})  # rows ended both ways, at different steps

    def test_legacy_tuple_cache(self) -> None:
        self.check("tuple")

    def test_cache_object_with_batch_select_indices(self) -> None:
        self.check("object")

    def test_top_k_logprobs_have_the_asked_count_and_no_special_token(self) -> None:
        generator = generator_for(TinyLlama(TinyConfig(eos_bias=4.0)).eval())
        for generation, k in zip(generator.generate([request("abc", 6, top_k_per_token=5), request("abc", 6, top_k_per_token=1)]), (5, 1)):
            self.assertGreater(len(generation.tokens), 0)
            for token in generation.tokens:
                self.assertEqual(len(token.top), k)
                self.assertTrue(all(i not in (BOS_ID, EOS_ID) and i < 256 for i, _ in token.top))
                values = [v for _, v in token.top]
                self.assertEqual(values, sorted(values, reverse=True))
                self.assertAlmostEqual(token.logprob, token.top[0][1] if token.top[0][0] == token.token_id else token.logprob)


@unittest.skipIf(torch is None, TORCH_MISSING)
class StoppingTest(unittest.TestCase):
    """A bigram model continues q r s t u v w x y z, then EOS."""

    def setUp(self) -> None:
        chain = "qrstuvwxyz"
        self.model = CountingModel(HFCausalLM(bigram_model({ord(a): ord(b) for a, b in zip(chain, chain[1:])})))
        self.generator = generator_for(self.model)
        self.decode = ByteTokenizer().decode

    def test_each_row_stops_at_its_own_end(self) -> None:
        requests = [
            request("q", 50, stop_sequences=("uv",)),  # stop sequence split over two tokens
            request("w", 50),  # EOS after x y z
            request("q", 4),  # max_new_tokens
            request("s", 50, stop_sequences=("z", "###")),
        ]
        results = self.generator.generate(requests)
        self.assertEqual([self.decode(ids(g)) for g in results], ["rstuv", "xyz", "rstu", "tuvwxyz"])
        self.assertEqual([g.finish_reason for g in results], ["stop", "eos", "length", "stop"])
        for generation in results:
            self.assertNotIn(EOS_ID, ids(generation))
        # Finished rows leave the batch: prefill 4 rows; "rstu" ends at step 4, "xyz"'s EOS at step 4,
        # "uv" at step 5; the last row runs alone to "z" at step 7.
        self.assertEqual(self.model.batch_sizes, [4, 4, 4, 4, 2, 1, 1])

    def test_eos_right_away_gives_an_empty_completion(self) -> None:
        generation = self.generator.generate([request("z", 10)])[0]
        self.assertEqual((ids(generation), generation.finish_reason), ([], "eos"))

    def test_zero_new_tokens_runs_no_model(self) -> None:
        generation = self.generator.generate([request("q", 0)])[0]
        self.assertEqual((ids(generation), generation.finish_reason), ([], "length"))
        self.assertEqual(self.model.batch_sizes, [])


@unittest.skipIf(torch is None, TORCH_MISSING)
class EchoAndSamplingTest(unittest.TestCase):
    def setUp(self) -> None:
        self.model = TinyLlama(TinyConfig()).eval()
        self.generator = generator_for(self.model)

    def test_echo_scores_each_prompt_token_given_the_ones_before(self) -> None:
        prompt = ByteTokenizer().encode("echo me")
        generation = self.generator.generate([request("echo me", 3, echo_prompt=True, top_k_per_token=2), request("other", 3, echo_prompt=True)])[0]
        with torch.no_grad():
            logits = self.model(torch.tensor([prompt])).logits[0]
        expected = torch.log_softmax(logits[:-1], dim=-1).gather(1, torch.tensor(prompt[1:])[:, None])[:, 0].tolist()
        self.assertEqual([t.token_id for t in generation.prompt_tokens], prompt[1:])  # BOS is left out
        for token, value in zip(generation.prompt_tokens, expected):
            self.assertAlmostEqual(token.logprob, value, delta=1e-4)
            self.assertEqual(len(token.top), 2)
        self.assertEqual(len(generation.tokens), 3)

    def test_echo_without_bos_gives_the_first_token_logprob_zero(self) -> None:
        tokenizer = ByteTokenizer(add_bos=False)
        req = GenerationRequest(prompt_ids=tuple(tokenizer.encode("hi")), max_new_tokens=0, echo_prompt=True)
        generation = self.generator.generate([req])[0]
        self.assertEqual([(t.token_id, t.top) for t in generation.prompt_tokens][0], (ord("h"), ()))
        self.assertEqual(generation.prompt_tokens[0].logprob, 0.0)
        self.assertEqual(generation.tokens, ())

    def test_seeded_sampling_is_reproducible_and_batch_invariant(self) -> None:
        sampled = request("Sample", 10, temperature=1.0, seed=1234)
        first = ids(self.generator.generate([sampled])[0])
        in_batch = self.generator.generate([request("other prompt", 5), sampled, request("x", 10, temperature=0.7, seed=9)])
        self.assertEqual(ids(in_batch[1]), first)
        self.assertEqual(ids(self.generator.generate([sampled])[0]), first)
        greedy = ids(self.generator.generate([request("Sample", 10)])[0])
        self.assertNotEqual(first, greedy)  # temperature 1 over a random model does not follow the argmax path

    def test_a_tiny_nucleus_or_top_k_1_is_the_greedy_path(self) -> None:
        greedy = ids(self.generator.generate([request("Nucleus", 8)])[0])
        self.assertEqual(ids(self.generator.generate([request("Nucleus", 8, temperature=1.0, top_p=1e-9)])[0]), greedy)
        self.assertEqual(ids(self.generator.generate([request("Nucleus", 8, temperature=5.0, top_k=1)])[0]), greedy)

    def test_helm_greedy_temperature_is_argmax(self) -> None:
        greedy = ids(self.generator.generate([request("Greedy", 8)])[0])
        self.assertEqual(ids(self.generator.generate([request("Greedy", 8, temperature=1e-7)])[0]), greedy)


def generated_texts(generations: Sequence["Generation"]) -> List[str]:
    return [ByteTokenizer().decode(ids(g)) for g in generations]


if __name__ == "__main__":
    unittest.main()
