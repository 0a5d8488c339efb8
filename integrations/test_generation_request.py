"""Validation of /process, /tokenize and /decode bodies (standard library only)."""

from __future__ import annotations

import os
import sys
import unittest
from typing import Any, Dict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generation_request import ProcessParams, RequestError, parse_decode, parse_process, parse_tokenize  # noqa: E402

HELM_BODY: Dict[str, Any] = {
    "prompt": "Q: 1+1?\nA:",
    "temperature": 1e-7,
    "num_return_sequences": 1,
    "max_new_tokens": 400,
    "top_p": 1,
    "echo_prompt": False,
    "top_k_per_token": 5,
    "stop_sequences": ["\n\n"],
}


class ProcessBodyTest(unittest.TestCase):
    def test_helm_body_is_greedy_with_its_fields(self) -> None:
        params = parse_process(HELM_BODY)
        self.assertEqual(params.max_new_tokens, 400)
        self.assertEqual(params.top_k_per_token, 5)
        self.assertEqual(params.stop_sequences, ("\n\n",))
        self.assertTrue(params.greedy)  # 1e-7 is HELM's greedy
        self.assertFalse(parse_process({**HELM_BODY, "temperature": 0.3}).greedy)

    def test_healthcheck_body_gets_defaults(self) -> None:
        self.assertEqual(parse_process({"prompt": "The capital of France is "}), ProcessParams(prompt="The capital of France is "))

    def test_nulls_mean_defaults_and_empty_stops_are_dropped(self) -> None:
        params = parse_process({"prompt": "x", "stop_sequences": None, "echo_prompt": None, "seed": None, "top_p": None})
        self.assertEqual((params.stop_sequences, params.echo_prompt, params.seed, params.top_p), ((), False, None, 1.0))
        self.assertEqual(parse_process({"prompt": "x", "stop_sequences": ["", "###"]}).stop_sequences, ("###",))

    def assert_rejected(self, body: Any, field: str) -> None:
        with self.assertRaises(RequestError) as caught:
            parse_process(body)
        self.assertEqual(caught.exception.status, 400)
        self.assertIn(field, caught.exception.message)

    def test_each_malformed_field_is_named(self) -> None:
        cases = [
            ({"prompt": 3}, "'prompt'"),
            ({}, "'prompt'"),
            ({"prompt": "x", "temperature": -0.1}, "'temperature'"),
            ({"prompt": "x", "temperature": "hot"}, "'temperature'"),
            ({"prompt": "x", "temperature": True}, "'temperature'"),
            ({"prompt": "x", "top_p": 0}, "'top_p'"),
            ({"prompt": "x", "top_p": 1.5}, "'top_p'"),
            ({"prompt": "x", "max_new_tokens": -1}, "'max_new_tokens'"),
            ({"prompt": "x", "max_new_tokens": 2.5}, "'max_new_tokens'"),
            ({"prompt": "x", "num_return_sequences": 0}, "'num_return_sequences'"),
            ({"prompt": "x", "num_return_sequences": 3}, "'num_return_sequences'"),
            ({"prompt": "x", "num_return_sequences": "1"}, "'num_return_sequences'"),
            ({"prompt": "x", "top_k_per_token": 0}, "'top_k_per_token'"),
            ({"prompt": "x", "top_k_per_token": 100000}, "'top_k_per_token'"),
            ({"prompt": "x", "echo_prompt": "yes"}, "'echo_prompt'"),
            ({"prompt": "x", "stop_sequences": "\n"}, "'stop_sequences'"),
            ({"prompt": "x", "stop_sequences": ["ok", 5]}, "'stop_sequences[1]'"),
            ({"prompt": "x", "seed": 1.5}, "'seed'"),
            ({"prompt": "x", "top_k": -2}, "'top_k'"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                self.assert_rejected(body, field)

    def test_a_body_that_is_not_an_object_is_rejected(self) -> None:
        self.assert_rejected(["prompt"], "JSON object")


class TokenizeAndDecodeBodyTest(unittest.TestCase):
    def test_tokenize_defaults_to_truncating_at_the_context(self) -> None:
        self.assertEqual(parse_tokenize({"text": "hi"}, 2048).max_length, 2048)
        self.assertEqual(parse_tokenize({"text": "hi", "truncation": True, "max_length": 7}, 2048).max_length, 7)
        self.assertIsNone(parse_tokenize({"text": "hi", "truncation": False, "max_length": 7}, 2048).max_length)

    def test_tokenize_rejects_bad_fields(self) -> None:
        for body, field in [({"text": 1}, "'text'"), ({"text": "a", "truncation": 1}, "'truncation'"), ({"text": "a", "max_length": 0}, "'max_length'")]:
            with self.subTest(body=body), self.assertRaises(RequestError) as caught:
                parse_tokenize(body, 10)
            self.assertIn(field, caught.exception.message)

    def test_decode_checks_ids_against_the_vocabulary(self) -> None:
        self.assertEqual(parse_decode({"tokens": [1, 2]}, 10), [1, 2])
        for body, field in [({"tokens": "12"}, "'tokens'"), ({"tokens": [1, 10]}, "'tokens[1]'"), ({"tokens": [-1]}, "'tokens[0]'"), ({"tokens": [True]}, "'tokens[0]'")]:
            with self.subTest(body=body), self.assertRaises(RequestError) as caught:
                parse_decode(body, 10)
            self.assertIn(field, caught.exception.message)


if __name__ == "__main__":
    unittest.main()
