"""Response assembly: stop-sequence cut, token pieces, EOS handling, echo (standard library only)."""

from __future__ import annotations

import os
import sys
import unittest
from typing import List, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from completion_text import MIN_LOGPROB, completion_body, earliest_stop, stop_detector, token_pieces  # noqa: E402
from generation_types import Generation, ScoredToken  # noqa: E402
from testing_byte_tokenizer import BOS_ID, EOS_ID, ByteTokenizer  # noqa: E402

TOKENIZER = ByteTokenizer()


def scored(text: str, logprob: float = -0.5) -> List[ScoredToken]:
    return [ScoredToken(b, logprob, ((b, logprob), (ord("z"), -3.0))) for b in text.encode("utf-8")]


class WordTokenizer(ByteTokenizer):
    """Decodes each id as a word, SentencePiece-style: a leading space except at the start of a decode."""

    WORDS = ["Paris", "is", "big", "."]

    def decode(self, ids: Sequence[int]) -> str:
        return " ".join(self.WORDS[i] for i in ids).replace(" .", ".")

    def token_text(self, token_id: int) -> str:
        return self.WORDS[token_id]


class StopCutTest(unittest.TestCase):
    def test_earliest_stop_wins_whatever_the_order(self) -> None:
        self.assertEqual(earliest_stop("a###b\n\nc", ["\n\n", "###"]), 1)
        self.assertIsNone(earliest_stop("abc", ["\n\n"]))
        self.assertIsNone(earliest_stop("abc", []))

    def test_text_is_cut_at_the_stop_and_tokens_after_it_dropped(self) -> None:
        body = completion_body(TOKENIZER, Generation((), tuple(scored("72.\n\nQ: next")), "stop"), "p", ["\n\n"], False)
        self.assertEqual(body["text"], "72.")
        self.assertEqual("".join(t["text"] for t in body["tokens"]), "72.")
        self.assertAlmostEqual(body["logprob"], -1.5)

    def test_a_token_straddling_the_stop_is_kept_as_helm_keeps_it(self) -> None:
        # ids: "72" "." ".\n\n" -- the stop begins inside the third token
        tokens = (ScoredToken(0, -0.1, ()), ScoredToken(1, -0.2, ()), ScoredToken(2, -0.3, ()))

        class Pieces(ByteTokenizer):
            def decode(self, ids: Sequence[int]) -> str:
                return "".join(["72", ".", ".\n\nQ"][i] for i in ids)

        body = completion_body(Pieces(), Generation((), tokens, "stop"), "p", ["\n\n"], False)
        self.assertEqual(body["text"], "72..")
        self.assertEqual([t["text"] for t in body["tokens"]], ["72", ".", ".\n\nQ"])
        self.assertAlmostEqual(body["logprob"], -0.6)

    def test_a_stop_at_the_very_start_leaves_nothing(self) -> None:
        body = completion_body(TOKENIZER, Generation((), tuple(scored("\n\nabc")), "stop"), "p", ["\n\n"], False)
        self.assertEqual((body["text"], body["tokens"], body["logprob"]), ("", [], 0.0))

    def test_stop_detector_sees_a_stop_split_over_tokens(self) -> None:
        detect = stop_detector(TOKENIZER.decode)
        ids = list("abc\n".encode()) + [ord("\n")]
        self.assertTrue(detect(["\n\n"], ids))
        self.assertFalse(detect(["\n\n"], ids[:-1]))
        self.assertTrue(detect(["c\n"], list(("x" * 100 + "c\n").encode())))


class PiecesTest(unittest.TestCase):
    def test_pieces_concatenate_to_the_text_with_leading_spaces(self) -> None:
        pieces = token_pieces(WordTokenizer().decode, [0, 1, 2, 3])
        self.assertEqual(pieces, ["Paris", " is", " big", "."])
        self.assertEqual("".join(pieces), WordTokenizer().decode([0, 1, 2, 3]))

    def test_a_multibyte_character_comes_with_its_last_byte(self) -> None:
        ids = list("né!".encode("utf-8"))  # é is two bytes
        self.assertEqual(token_pieces(TOKENIZER.decode, ids), ["n", "", "é", "!"])

    def test_pieces_hold_over_a_long_sequence(self) -> None:
        text = "the quick brown fox jumps over the lazy dog " * 5
        self.assertEqual("".join(token_pieces(TOKENIZER.decode, list(text.encode()))), text)


class BodyTest(unittest.TestCase):
    def test_eos_never_appears_in_text_or_tokens(self) -> None:
        # The generator never returns the EOS it stopped at; the body holds what it returned.
        body = completion_body(TOKENIZER, Generation((), tuple(scored("ok")), "eos"), "p", [], False)
        self.assertEqual(body["text"], "ok")
        self.assertNotIn("</s>", body["text"])
        self.assertEqual(len(body["tokens"]), 2)

    def test_token_fields_are_the_ones_helm_reads(self) -> None:
        body = completion_body(TOKENIZER, Generation((), tuple(scored("A")), "length"), "p", [], False)
        self.assertEqual(set(body), {"text", "tokens", "logprob"})
        self.assertEqual(body["tokens"][0], {"text": "A", "logprob": -0.5, "top_logprob": {"A": -0.5, "z": -3.0}})

    def test_probability_zero_is_a_finite_logprob(self) -> None:
        body = completion_body(TOKENIZER, Generation((), (ScoredToken(65, float("-inf"), ()),), "length"), "p", [], False)
        self.assertEqual(body["tokens"][0]["logprob"], MIN_LOGPROB)
        self.assertEqual(body["logprob"], MIN_LOGPROB)

    def test_echo_puts_the_prompt_first(self) -> None:
        prompt_tokens = (ScoredToken(ord("h"), -1.0, ((ord("h"), -1.0),)), ScoredToken(ord("i"), -2.0, ()))
        body = completion_body(TOKENIZER, Generation(prompt_tokens, tuple(scored("!")), "length"), "hi", [], True)
        self.assertEqual(body["text"], "hi!")
        self.assertEqual([t["text"] for t in body["tokens"]], ["h", "i", "!"])
        self.assertAlmostEqual(body["logprob"], -3.5)
        self.assertNotIn(BOS_ID, [t.token_id for t in prompt_tokens])
        self.assertNotIn(EOS_ID, [t.token_id for t in prompt_tokens])


if __name__ == "__main__":
    unittest.main()
