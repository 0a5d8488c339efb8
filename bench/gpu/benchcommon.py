"""Shared plumbing of the GPU benchmarks: environment record, result files, statistics, timers.

Standard library only at import time; torch and the Hugging Face packages are looked up lazily so
the load generator and the NF4 math can be tested on a machine without them.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import signal
import subprocess
import sys
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

SCHEMA = "evalfirst-bench-gpu/1"


def _version_of(module: str) -> Optional[str]:
    try:
        mod = __import__(module)
    except Exception:
        return None
    return str(getattr(mod, "__version__", "unknown"))


def _nvidia_smi(query: str) -> Optional[str]:
    try:
        out = subprocess.run(
            ["nvidia-smi", f"--query-gpu={query}", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=20, check=True,
        ).stdout.strip()
    except Exception:
        return None
    return out.splitlines()[0].strip() if out else None


def _git_commit(repo_root: str) -> Optional[str]:
    try:
        return subprocess.run(["git", "-C", repo_root, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, timeout=10, check=True).stdout.strip() or None
    except Exception:
        return None


def environment(repo_root: Optional[str] = None) -> Dict[str, Any]:
    """What the figures were measured on: GPU, driver, CUDA, library versions, host, git commit."""
    env: Dict[str, Any] = {
        "python": platform.python_version(),
        "host": platform.node(),
        "platform": platform.platform(),
        "torch": _version_of("torch"),
        "transformers": _version_of("transformers"),
        "peft": _version_of("peft"),
        "accelerate": _version_of("accelerate"),
        "tokenizers": _version_of("tokenizers"),
        "safetensors": _version_of("safetensors"),
        "gpu": None,
        "gpu_memory_gib": None,
        "cuda": None,
        "cudnn": None,
        "driver": _nvidia_smi("driver_version"),
        "cpu_count": os.cpu_count(),
    }
    try:
        import torch

        env["cuda"] = torch.version.cuda
        if torch.cuda.is_available():
            props = torch.cuda.get_device_properties(0)
            env["gpu"] = props.name
            env["gpu_memory_gib"] = round(props.total_memory / 2**30, 1)
            env["cudnn"] = torch.backends.cudnn.version()
    except Exception:
        pass
    if repo_root:
        env["git_commit"] = _git_commit(repo_root)
    return env


def new_result(bench: str, argv: Sequence[str], args: Dict[str, Any], repo_root: Optional[str] = None) -> Dict[str, Any]:
    """The common head of every result file; each script adds its figures under "figures"."""
    return {
        "schema": SCHEMA,
        "bench": bench,
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([os.path.basename(sys.executable)] + list(argv)),
        "args": args,
        "env": environment(repo_root),
        "status": "running",
        "figures": {},
        "notes": [],
    }


def write_json(path: str, doc: Dict[str, Any]) -> None:
    """Writes doc atomically (tmp + rename), so a killed run leaves the last complete version."""
    os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", exist_ok=True)
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, sort_keys=False, default=str)
        f.write("\n")
    os.replace(tmp, path)


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """Linear-interpolated percentile (numpy's default method); None for no values."""
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be in [0, 100], got {q}")
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def median(values: Sequence[float]) -> Optional[float]:
    return percentile(values, 50)


def sigterm_as_exit() -> None:
    """SIGTERM (what `timeout` sends) raises SystemExit, so `finally` blocks write partial results."""

    def _handler(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _handler)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class GpuTimer:
    """Times a region with CUDA events on a GPU, perf_counter elsewhere; seconds."""

    def __init__(self, device: Any):
        import torch

        self.torch = torch
        self.cuda = getattr(device, "type", str(device)) == "cuda"

    def time(self, fn: Callable[[], Any]) -> float:
        torch = self.torch
        if self.cuda:
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            torch.cuda.synchronize()
            start.record()
            fn()
            end.record()
            torch.cuda.synchronize()
            return start.elapsed_time(end) / 1000.0
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0


def summarize_seconds(samples: Iterable[float]) -> Dict[str, Any]:
    xs = list(samples)
    return {"n": len(xs), "median_s": median(xs), "min_s": min(xs) if xs else None, "max_s": max(xs) if xs else None, "samples_s": xs}


def repo_root_default() -> str:
    return os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
