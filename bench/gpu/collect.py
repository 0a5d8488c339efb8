"""collect: the GPU benchmarks' JSON results as rows of the Markdown table in RESULTS.md.

  python3 bench/gpu/collect.py OUT/*.json                       # print the rows
  python3 bench/gpu/collect.py OUT/*.json --append bench/gpu/RESULTS.md   # insert them under the marker
Files that are not bench results (no "schema": "evalfirst-bench-gpu/1") are skipped with a note.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable, Dict, List, Optional

SCHEMA = "evalfirst-bench-gpu/1"
MARKER = "<!-- collect.py: the table below gets new rows right under its header -->"
HEADER = "| date | bench | GPU | torch / transformers / peft | driver / CUDA | command | figures |\n|---|---|---|---|---|---|---|"


def _f(x: Optional[float], digits: int = 2, unit: str = "") -> str:
    return "n/a" if x is None else f"{x:.{digits}f}{unit}"


def _ms(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{x * 1e3:.2f} ms"


def _pct(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{x * 100:.1f} %"


def _case(c: Optional[Dict[str, Any]]) -> str:
    if not c:
        return "not run"
    err = f", {c['errors']} errors" if c.get("errors") else ""
    return f"{_f(c.get('requests_per_s'))} req/s (p50 {_f(c.get('latency_p50_s'), 3)} s, p95 {_f(c.get('latency_p95_s'), 3)} s{err})"


def serve_figures(f: Dict[str, Any]) -> str:
    peer, bat, ratio = f.get("peer", {}), f.get("batched", {}), f.get("ratio_batched_over_peer", {})
    parts = []
    for case, label in (("one_token", "one-token"), ("generation", "generation")):
        r = (ratio.get(case) or {}).get("requests_per_s")
        parts.append(f"{label}: peer {_case(peer.get(case))} vs batched {_case(bat.get(case))}" + (f", x{r:.1f}" if r else ""))
    d = f.get("direct_forward")
    if d:
        parts.append(f"direct forward of {d.get('batch')}: {_f(d.get('median_s'), 3)} s")
    return "; ".join(parts)


def train_figures(f: Dict[str, Any]) -> str:
    alone = f.get("alone", {}).get("trainer", {})
    loop = f.get("loop", {})
    lt = loop.get("trainer", {})
    cks = loop.get("checkpoints", [])
    per = ", ".join(f"step {c['step']}: {_f(c.get('eval_s'), 1)} s/{c.get('requests_sent')} req{' (full)' if c.get('full_eval') else ''}" for c in cks)
    proj = f.get("projected") or {}
    return (f"alone {_f(alone.get('tokens_per_s'), 0)} tok/s; under evalfirst {_f(lt.get('tokens_per_s'), 0)} tok/s "
            f"(effective {_f(lt.get('effective_tokens_per_s'), 0)} incl. pauses); scoring {_pct(loop.get('scoring_share_of_train_wall'))} of train wall; "
            f"checkpoints: {per or 'none'}; projected every {proj.get('save_steps', 'n/a')} steps: scoring {_pct(proj.get('scoring_share'))}")


def nf4_figures(f: Dict[str, Any]) -> str:
    tr, pre, dec, ex = f.get("train", {}), f.get("prefill", {}), f.get("decode", {}), f.get("extrapolated_80_layers", {})
    return (f"{f.get('layers')} layers measured; per layer: fwd+bwd {_ms(tr.get('per_layer_forward_backward_s'))} ({tr.get('tokens')} tok), "
            f"prefill {_ms(pre.get('per_layer_s'))} ({pre.get('batch')}x{pre.get('prompt_tokens')}), decode {_ms(dec.get('per_layer_per_token_s'))}/token (batch {dec.get('batch')}); "
            f"EXTRAPOLATED to 80 layers + head: step {_f(ex.get('train_step_s'))} s ({_f(ex.get('train_tokens_per_s'), 0)} tok/s), "
            f"prefill {_f(ex.get('prefill_s'))} s, decode {_f(ex.get('decode_token_s'), 3)} s/token, NF4 weights {_f(ex.get('weights_gib'), 1)} GiB")


FIGURES: Dict[str, Callable[[Dict[str, Any]], str]] = {"serve": serve_figures, "train_loop": train_figures, "nf4_layer": nf4_figures}


def cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def row(doc: Dict[str, Any]) -> str:
    env = doc.get("env", {})
    bench = doc.get("bench", "?")
    try:
        figures = FIGURES[bench](doc.get("figures", {})) if bench in FIGURES else json.dumps(doc.get("figures", {}))[:300]
    except (KeyError, TypeError, AttributeError) as e:
        figures = f"(figures unreadable: {type(e).__name__}: {e})"
    if doc.get("status") != "ok":
        figures = f"**{str(doc.get('status', 'unknown')).upper()}**: {doc.get('error', 'see log')}; " + figures
    versions = f"{env.get('torch')} / {env.get('transformers')} / {env.get('peft')}"
    driver = f"{env.get('driver')} / {env.get('cuda')}"
    gpu = f"{env.get('gpu')} ({env.get('gpu_memory_gib')} GiB)" if env.get("gpu") else "cpu"
    return "| " + " | ".join(cell(c) for c in (doc.get("date", "?"), bench, gpu, versions, driver, f"`{doc.get('command', '')}`", figures)) + " |"


def load(paths: List[str]) -> List[Dict[str, Any]]:
    docs = []
    for p in paths:
        try:
            with open(p, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"collect: skipping {p}: {e}", file=sys.stderr)
            continue
        if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
            print(f"collect: skipping {p}: not an evalfirst-bench-gpu result", file=sys.stderr)
            continue
        docs.append(doc)
    return docs


def insert_rows(table_path: str, rows: List[str]) -> None:
    """Inserts rows right under the header of the table that follows the marker line (newest first)."""
    with open(table_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    try:
        m = lines.index(MARKER)
    except ValueError:
        raise SystemExit(f"collect: {table_path} has no line {MARKER!r}") from None
    sep = next((i for i in range(m + 1, len(lines)) if lines[i].startswith("|---")), None)
    if sep is None:
        raise SystemExit(f"collect: {table_path}: no table header after the marker line")
    lines[sep + 1 : sep + 1] = rows
    with open(table_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def main(argv: List[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+")
    p.add_argument("--append", default=None, help="RESULTS.md to insert the rows into (under the marker line)")
    p.add_argument("--with-header", action="store_true", help="print the table header too")
    a = p.parse_args(argv)
    docs = load(a.files)
    rows = [row(d) for d in sorted(docs, key=lambda d: (d.get("date", ""), d.get("bench", "")))]
    if a.append:
        insert_rows(a.append, rows)
        print(f"collect: {len(rows)} row(s) into {a.append}")
    else:
        if a.with_header:
            print(HEADER)
        print("\n".join(rows))
    return 0 if docs else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
