"""NF4 with double quantisation in plain torch, in bitsandbytes' layout, and a frozen NF4 linear.

Layout (runtime.md §1; bitsandbytes backends/default/ops.py quantize_4bit / dequantize_4bit,
functional.py quantize_4bit with compress_statistics):
  - blocks of 64 over the flattened row-major weight, one fp32 absmax per block (a tail block of
    n % 64 values has its own);
  - code = nearest of the 16 NormalFloat values (argmin |x/absmax - code|, ties to the lower code),
    after x * (1/absmax) clamped to [-1, 1];
  - two codes per byte, the FIRST element in the HIGH nibble; an odd count is padded with 0.0
    (code 7);
  - double quantisation: offset = mean(absmax) (fp32), absmax - offset quantised blockwise to 8
    bits with the signed dynamic map (create_dynamic_map(signed=True, 7, 8)) in blocks of 256, one
    fp32 absmax2 each; absmax[i] = dyn[qabsmax[i]] * absmax2[i // 256] + offset.
  - dequantisation: code[nibble] * absmax in fp32, then cast to the compute dtype (the CUDA
    kernel's order).
The mean is accumulated in float64 and rounded once to fp32, as kernels/nf4.ts and its numpy
vector do (bitsandbytes' fp32 torch mean can differ from it by one ulp). The dynamic map is built
with torch.linspace itself, as bitsandbytes builds it; torch's CPU linspace computes start + step*i
with one rounding (fused multiply-add), so a few map entries are one ulp away from the numpy
vector's two-rounding emulation (test_nf4.py pins which).

NF4Linear runs x @ dequant(W)^T with W dequantised on the fly in forward AND again in backward
(nothing of W's dense form is saved for backward), so only the packed weight stays resident.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Optional, Tuple

import torch

NF4_VALUES = (
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0,
)

BLOCKSIZE = 64
BLOCKSIZE2 = 256
# elements per argmin chunk: [chunk, 256] fp32 temporaries stay under 1 GiB for the 8-bit map
QUANT_CHUNK = 1 << 20


def nf4_code(device: Any = "cpu") -> torch.Tensor:
    return torch.tensor(NF4_VALUES, dtype=torch.float32, device=device)


def torch_linspace_f32(start: float, end: float, steps: int) -> torch.Tensor:
    return torch.linspace(start, end, steps, dtype=torch.float32)


def dynamic_map_signed(max_exponent_bits: int = 7, total_bits: int = 8, linspace: Callable[[float, float, int], torch.Tensor] = torch_linspace_f32) -> torch.Tensor:
    """bitsandbytes create_dynamic_map(signed=True, 7, 8): 256 sorted fp32 values in [-1, 1].

    `linspace` is torch.linspace, as in bitsandbytes; the tests swap in the numpy vector's
    two-rounding emulation to check the construction bit for bit.
    """
    data = []
    non_sign_bits = total_bits - 1
    additional = 2 ** (non_sign_bits - max_exponent_bits) - 1
    for i in range(max_exponent_bits):
        items = 2 ** (i + non_sign_bits - max_exponent_bits) + 1
        bounds = linspace(0.1, 1, items)
        means = (bounds[:-1] + bounds[1:]) / 2.0
        scale = 10 ** (-(max_exponent_bits - 1) + i)
        data += (scale * means).tolist()
        data += (-scale * means).tolist()
    if additional > 0:
        bounds = linspace(0.1, 1, additional + 1)
        means = (bounds[:-1] + bounds[1:]) / 2.0
        scale = 10 ** (-(max_exponent_bits - 1) + max_exponent_bits - 1)
        data += (scale * means).tolist()
        data += (-scale * means).tolist()
    data += [0.0, 1.0]
    data += [0.0] * (2**total_bits - len(data))
    data.sort()
    return torch.tensor(data, dtype=torch.float32)


def quantize_blockwise(x: torch.Tensor, code: torch.Tensor, blocksize: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Nearest-code indices (uint8, one per element) and fp32 absmax per block of the flattened x."""
    flat = x.reshape(-1).to(torch.float32)
    n = flat.numel()
    nblocks = -(-n // blocksize)
    padded = torch.zeros(nblocks * blocksize, dtype=torch.float32, device=flat.device)
    padded[:n] = flat  # zeros change no block's absmax and are cut off again below
    blocks = padded.view(nblocks, blocksize)
    absmax = blocks.abs().amax(dim=1)
    recip = torch.where(absmax > 0, 1.0 / absmax, torch.zeros_like(absmax))  # an all-zero block -> scaled 0
    scaled = torch.clamp(blocks * recip[:, None], -1, 1).reshape(-1)[:n]
    code = code.to(device=flat.device, dtype=torch.float32)
    q = torch.empty(n, dtype=torch.uint8, device=flat.device)
    chunk = max(1, QUANT_CHUNK * 16 // code.numel())
    for s in range(0, n, chunk):
        part = scaled[s : s + chunk]
        q[s : s + chunk] = torch.argmin((part[:, None] - code[None, :]).abs(), dim=1).to(torch.uint8)
    return q, absmax


@dataclass
class NF4Weight:
    """A frozen weight in bitsandbytes' NF4 layout (double-quantised absmax when qabsmax is set)."""

    shape: Tuple[int, ...]
    packed: torch.Tensor  # uint8 [ceil(n/2)], element 2i in the high nibble of byte i
    blocksize: int
    absmax: Optional[torch.Tensor] = None  # fp32 [nblocks], without double quantisation
    qabsmax: Optional[torch.Tensor] = None  # uint8 [nblocks], indices into code2
    absmax2: Optional[torch.Tensor] = None  # fp32 [ceil(nblocks/256)]
    offset: float = 0.0
    code2: Optional[torch.Tensor] = None  # fp32 [256]

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    @property
    def nblocks(self) -> int:
        return -(-self.numel // self.blocksize)

    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in (self.packed, self.absmax, self.qabsmax, self.absmax2, self.code2) if t is not None)

    def block_absmax(self) -> torch.Tensor:
        """fp32 per-block scales, after undoing the double quantisation."""
        if self.qabsmax is None:
            assert self.absmax is not None
            return self.absmax
        assert self.absmax2 is not None and self.code2 is not None
        nb = self.nblocks
        scale2 = self.absmax2.repeat_interleave(BLOCKSIZE2)[:nb]
        return self.code2[self.qabsmax.long()] * scale2 + torch.tensor(self.offset, dtype=torch.float32, device=scale2.device)

    def clone(self) -> "NF4Weight":
        c = lambda t: None if t is None else t.clone()  # noqa: E731
        return NF4Weight(self.shape, self.packed.clone(), self.blocksize, c(self.absmax), c(self.qabsmax), c(self.absmax2), self.offset, c(self.code2))


def quantize_nf4(w: torch.Tensor, blocksize: int = BLOCKSIZE, double_quant: bool = True, code2: Optional[torch.Tensor] = None) -> NF4Weight:
    """w -> NF4Weight; code2 (the 8-bit map of the double quantisation) defaults to dynamic_map_signed()."""
    q, absmax = quantize_blockwise(w, nf4_code(w.device), blocksize)
    if q.numel() % 2:
        q = torch.cat([q, torch.full((1,), 7, dtype=torch.uint8, device=q.device)])  # pad 0.0 -> code 7
    packed = (q[0::2] << 4) | q[1::2]
    if not double_quant:
        return NF4Weight(tuple(w.shape), packed, blocksize, absmax=absmax)
    offset = float(absmax.double().mean().float())
    code2 = (dynamic_map_signed() if code2 is None else code2).to(w.device)
    qabsmax, absmax2 = quantize_blockwise(absmax - offset, code2, BLOCKSIZE2)
    return NF4Weight(tuple(w.shape), packed, blocksize, qabsmax=qabsmax, absmax2=absmax2, offset=offset, code2=code2)


_LUT_CACHE: dict = {}


def _pair_lut(device: torch.device) -> torch.Tensor:
    """[256, 2] fp32: byte b -> (code[b >> 4], code[b & 15]), so one lookup unpacks two elements."""
    key = str(device)
    if key not in _LUT_CACHE:
        code = nf4_code(device)
        b = torch.arange(256, device=device)
        _LUT_CACHE[key] = torch.stack([code[b >> 4], code[b & 15]], dim=1).contiguous()
    return _LUT_CACHE[key]


def expand_codes(packed: torch.Tensor, absmax: torch.Tensor, lut: torch.Tensor, n: int, blocksize: int, dtype: torch.dtype) -> torch.Tensor:
    """Flat [n] dense values from packed bytes and per-block fp32 scales (the part torch.compile may fuse)."""
    vals = torch.nn.functional.embedding(packed.to(torch.int32), lut).reshape(-1)[:n]  # byte -> its two codes
    if n % blocksize == 0:
        return (vals.view(-1, blocksize) * absmax[:, None]).to(dtype).reshape(-1)
    return (vals * absmax.repeat_interleave(blocksize)[:n]).to(dtype)


_EXPAND = expand_codes


def use_compiled_dequant(enabled: bool) -> None:
    """Routes dequantisation through torch.compile(expand_codes) (one fused kernel per weight shape)."""
    global _EXPAND
    _EXPAND = torch.compile(expand_codes, dynamic=False) if enabled else expand_codes


def dequantize_nf4(t: NF4Weight, dtype: torch.dtype = torch.bfloat16) -> torch.Tensor:
    """The dense weight: code[nibble] * absmax[block] in fp32, cast to dtype, in t.shape."""
    return _EXPAND(t.packed, t.block_absmax(), _pair_lut(t.packed.device), t.numel, t.blocksize, dtype).reshape(t.shape)


class _NF4Matmul(torch.autograd.Function):
    """y = x @ W^T with W = dequant(NF4); backward gives dL/dx = g @ W, W dequantised again."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, weight: NF4Weight) -> torch.Tensor:  # type: ignore[override]
        ctx.weight = weight
        return x @ dequantize_nf4(weight, x.dtype).t()

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> Tuple[Optional[torch.Tensor], None]:  # type: ignore[override]
        if not ctx.needs_input_grad[0]:
            return None, None
        return grad @ dequantize_nf4(ctx.weight, grad.dtype), None


def nf4_matmul(x: torch.Tensor, weight: NF4Weight) -> torch.Tensor:
    return _NF4Matmul.apply(x, weight)


class LoraNF4Linear(torch.nn.Module):
    """Frozen NF4 base + LoRA (peft's math: base(x) + B(A(dropout(x))) * alpha/r, A kaiming, B zeros)."""

    def __init__(self, weight: NF4Weight, r: int, alpha: float, dropout: float = 0.0, lora_dtype: torch.dtype = torch.bfloat16):
        super().__init__()
        out_features, in_features = weight.shape
        self.weight = weight
        self.r = r
        self.scaling = alpha / r if r > 0 else 0.0
        self.dropout = torch.nn.Dropout(dropout) if dropout > 0 else torch.nn.Identity()
        dev = weight.packed.device
        if r > 0:
            self.lora_A = torch.nn.Parameter(torch.empty(r, in_features, device=dev, dtype=lora_dtype))
            self.lora_B = torch.nn.Parameter(torch.zeros(out_features, r, device=dev, dtype=lora_dtype))
            torch.nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = nf4_matmul(x, self.weight)
        if self.r > 0:
            y = y + (self.dropout(x) @ self.lora_A.t()) @ self.lora_B.t() * self.scaling
        return y
