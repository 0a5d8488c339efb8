"""scoring_server.py's command line over the CPU test model, for tests without transformers.

    python3 integrations/testing_tiny_server.py --base DIR [--adapter DIR] --port 0 [--max-sequence-length N]

Takes scoring_server's arguments and runs its own serve() (bind, ready line, batching service,
SIGTERM) but loads the seeded TinyLlama and the byte tokenizer instead of a transformers checkpoint,
so the TypeScript tests can start, check and stop a real batching server with Debian's
python3-torch alone. --base and --adapter must be directories (as for the real server) and are
named in /info's "model", so a test can see which checkpoint it was started on. The context is
--max-sequence-length, else 2048 (rotary positions have no table to run past).
"""

from __future__ import annotations

import os
import sys

if os.path.dirname(os.path.abspath(__file__)) not in sys.path:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import argparse
from typing import List, Optional

import scoring_server
from scoring_server import Loaded, StartupError

DEFAULT_CONTEXT = 2048


def load_tiny(args: argparse.Namespace) -> Loaded:
    """The seeded TinyLlama + byte tokenizer, named after the directories it was given."""
    for flag, directory in (("base", args.base), ("adapter", args.adapter)):
        if directory is not None and not os.path.isdir(directory):
            raise StartupError(f"{flag} dir {directory} does not exist")
    try:
        from causal_lm import HFCausalLM
        from testing_byte_tokenizer import ByteTokenizer
        from testing_tiny_llama import TinyConfig, TinyLlama
    except ImportError as error:
        raise StartupError(f"torch is not importable: {error}") from None
    context = args.max_sequence_length or DEFAULT_CONTEXT
    model = TinyLlama(TinyConfig(max_position_embeddings=context)).eval()
    name = f"tiny(base={args.base}, adapter={args.adapter})"
    return HFCausalLM(model), ByteTokenizer(), name, context


def main(argv: Optional[List[str]] = None) -> int:
    return scoring_server.main(argv, load=load_tiny)


if __name__ == "__main__":
    sys.exit(main())
