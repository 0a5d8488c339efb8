"""NF4 layout and NF4 linear checks (CPU, torch only).

Run: python3 -m unittest bench/gpu/test_nf4.py   (Debian: apt-get install python3-torch; /usr/bin/python3)
The exactness test compares against test/kernels/fixtures/nf4-bnb-vector.json, the numpy replica of
bitsandbytes' quantize_4bit / double quantisation that the TypeScript kernels are also held to.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import torch

    import nf4
except ImportError as e:  # pragma: no cover - depends on the machine
    torch = None
    SKIP = f"torch is not installed ({e}); apt-get install python3-torch and use /usr/bin/python3"
else:
    SKIP = ""

# The fixture's dynamic map is torch >= 2's CPU linspace rounding (what bitsandbytes runs with today);
# torch 1.x (Debian 12's python3-torch 1.13) rounds some of the 127 bounds one ulp differently.
OLD_LINSPACE = (
    f"torch {torch.__version__}'s linspace rounds differently from torch >= 2's, which the fixture follows"
    if torch is not None and int(torch.__version__.split(".")[0]) < 2
    else ""
)

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "kernels", "fixtures", "nf4-bnb-vector.json")


def vector_inputs(n: int) -> "torch.Tensor":
    """The fixture generator's inputs (nf4_bnb_vector.py inputs()), computed in float64 then cast."""
    i = torch.arange(n, dtype=torch.float64)
    u = torch.remainder(i * 2654435761.0, 2.0**32) / 2.0**32
    scale = 0.02 * (1 + torch.remainder(torch.floor(i / 64), 7))
    return ((u - 0.5) * 2 * scale).to(torch.float32)


def load_fixture() -> dict:
    with open(FIXTURE, encoding="utf-8") as f:
        return json.load(f)


@unittest.skipIf(torch is None, SKIP)
class TestNF4Layout(unittest.TestCase):
    def test_code_table_is_bitsandbytes_nf4(self) -> None:
        c = nf4.nf4_code()
        self.assertEqual(c.numel(), 16)
        self.assertEqual(float(c[0]), -1.0)
        self.assertEqual(float(c[7]), 0.0)
        self.assertEqual(float(c[15]), 1.0)
        self.assertTrue(bool((c[1:] > c[:-1]).all()))
        self.assertEqual(int((c < 0).sum()), 7)

    @unittest.skipIf(bool(OLD_LINSPACE), OLD_LINSPACE)
    def test_dynamic_map_is_the_vectors(self) -> None:
        """bitsandbytes builds the map with torch.linspace (one rounding of start + step*i on CPU); the vector follows it bit for bit."""
        doc = load_fixture()
        got = nf4.dynamic_map_signed()
        self.assertEqual(got.tolist(), doc["cases"][0]["dynamic_map"])

    @unittest.skipIf(bool(OLD_LINSPACE), OLD_LINSPACE)
    def test_quantize_dequantize_equals_the_bitsandbytes_vector(self) -> None:
        doc = load_fixture()
        for c in doc["cases"]:
            with self.subTest(n=c["n"], double_quant=c["double_quant"]):
                t = nf4.quantize_nf4(vector_inputs(c["n"]), c["blocksize"], c["double_quant"])
                self.assertEqual(bytes(t.packed.tolist()).hex(), c["packed_hex"])
                if c["double_quant"]:
                    self.assertEqual(t.offset, c["offset"])
                    self.assertEqual(t.qabsmax.tolist(), c["qabsmax"])
                    self.assertEqual(t.absmax2.tolist(), c["absmax2"])
                else:
                    self.assertEqual(t.absmax.tolist(), c["absmax"])
                out = nf4.dequantize_nf4(t, torch.float32)
                self.assertEqual(out.tolist()[: len(c["dequant_head"])], c["dequant_head"])
                self.assertEqual(hashlib.sha256(out.numpy().astype("<f4").tobytes()).hexdigest(), c["dequant_sha256"])

    def test_first_element_goes_to_the_high_nibble(self) -> None:
        w = torch.zeros(64)
        w[0], w[1], w[2], w[3] = 1.0, -1.0, 0.0, 0.5  # codes 15, 0, 7, nearest to 0.5 = 12 (0.4407) vs 13 (0.5626)
        t = nf4.quantize_nf4(w, 64, double_quant=False)
        self.assertEqual(int(t.packed[0]), 0xF0)
        self.assertEqual(int(t.packed[1]), (7 << 4) | 12)
        self.assertEqual(t.packed.numel(), 32)

    def test_odd_count_is_padded_with_code_7(self) -> None:
        t = nf4.quantize_nf4(torch.tensor([1.0, -1.0, 1.0]), 64, double_quant=False)
        self.assertEqual(t.packed.tolist(), [0xF0, 0xF7])
        self.assertEqual(nf4.dequantize_nf4(t, torch.float32).tolist(), [1.0, -1.0, 1.0])

    def test_every_value_is_the_nearest_code_times_its_block_absmax(self) -> None:
        g = torch.Generator().manual_seed(0)
        w = torch.randn(128, 320, generator=g)
        t = nf4.quantize_nf4(w, 64, double_quant=False)
        deq = nf4.dequantize_nf4(t, torch.float32).reshape(-1, 64)
        blocks = w.reshape(-1, 64)
        absmax = blocks.abs().amax(dim=1, keepdim=True)
        self.assertTrue(torch.equal(t.absmax, absmax[:, 0]))
        code = nf4.nf4_code()
        grid = code[None, None, :] * absmax[:, :, None]  # every representable value of each block
        dist = (blocks[:, :, None] - grid).abs()
        best = dist.min(dim=2).values
        self.assertTrue(bool(((blocks - deq).abs() <= best + 1e-7).all()), "a value was not rounded to its nearest code")
        # the block maximum is represented exactly (code +-1)
        self.assertTrue(torch.allclose(deq.abs().amax(dim=1), absmax[:, 0], rtol=0, atol=0))

    def test_gaussian_error_is_nf4s_and_beats_uniform_4bit(self) -> None:
        """NF4 is built for N(0, s^2) weights: relative RMS error near 0.1, below an int4 absmax grid's."""
        g = torch.Generator().manual_seed(1)
        w = torch.randn(256, 1024, generator=g) * 0.02
        t = nf4.quantize_nf4(w, 64, double_quant=True)
        rel = float(((nf4.dequantize_nf4(t, torch.float32) - w).pow(2).mean() / w.pow(2).mean()).sqrt())
        blocks = w.reshape(-1, 64)
        absmax = blocks.abs().amax(dim=1, keepdim=True)
        uniform = torch.round(blocks / absmax * 7).clamp(-7, 7) / 7 * absmax  # symmetric 15-level int4
        rel_uniform = float(((uniform - blocks).pow(2).mean() / blocks.pow(2).mean()).sqrt())
        self.assertGreater(rel, 0.07)
        self.assertLess(rel, 0.12)
        self.assertLess(rel, rel_uniform)

    def test_double_quantised_absmax_error_is_within_half_a_dynamic_step(self) -> None:
        g = torch.Generator().manual_seed(2)
        w = torch.randn(512, 1024, generator=g) * 0.02
        exact = nf4.quantize_nf4(w, 64, double_quant=False).absmax
        t = nf4.quantize_nf4(w, 64, double_quant=True)
        err = (t.block_absmax() - exact).abs()
        max_gap = float((t.code2[1:] - t.code2[:-1]).max())  # nearest-code rounding: at most half a step
        bound = t.absmax2.repeat_interleave(256)[: exact.numel()] * (max_gap / 2) + 1e-7
        self.assertTrue(bool((err <= bound).all()))
        self.assertLess(float((err / exact).max()), 0.02)

    def test_storage_is_half_a_byte_plus_the_statistics(self) -> None:
        t = nf4.quantize_nf4(torch.randn(4096, 4096), 64, double_quant=True)
        bits_per_param = t.nbytes() * 8 / t.numel
        self.assertAlmostEqual(bits_per_param, 4 + 8 / 64 + 32 / (64 * 256), delta=0.01)  # QLoRA §3: 4.127 bits


@unittest.skipIf(torch is None, SKIP)
class TestNF4Linear(unittest.TestCase):
    def setUp(self) -> None:
        g = torch.Generator().manual_seed(3)
        self.w = nf4.quantize_nf4(torch.randn(48, 128, generator=g) * 0.02)
        self.dense = nf4.dequantize_nf4(self.w, torch.bfloat16)
        self.x = torch.randn(2, 5, 128, generator=g).to(torch.bfloat16)

    def test_forward_and_input_gradient_equal_a_dense_bf16_linear(self) -> None:
        x1 = self.x.clone().requires_grad_(True)
        x2 = self.x.clone().requires_grad_(True)
        y1 = nf4.nf4_matmul(x1, self.w)
        y2 = x2 @ self.dense.t()
        self.assertTrue(torch.equal(y1, y2))
        g = torch.randn(y1.shape, generator=torch.Generator().manual_seed(4)).to(torch.bfloat16)
        y1.backward(g)
        y2.backward(g)
        self.assertTrue(torch.equal(x1.grad, x2.grad))

    def test_lora_gradients_equal_the_dense_reference(self) -> None:
        layer = nf4.LoraNF4Linear(self.w, r=4, alpha=8, lora_dtype=torch.float32)
        with torch.no_grad():
            layer.lora_B.normal_(0, 0.1, generator=torch.Generator().manual_seed(5))
        A = layer.lora_A.detach().clone().requires_grad_(True)
        B = layer.lora_B.detach().clone().requires_grad_(True)
        dense = nf4.dequantize_nf4(self.w, torch.float32)
        x1 = self.x.float().clone().requires_grad_(True)
        x2 = self.x.float().clone().requires_grad_(True)
        y1 = layer(x1)
        y2 = x2 @ dense.t() + (x2 @ A.t()) @ B.t() * 2.0
        self.assertTrue(torch.allclose(y1, y2, rtol=1e-5, atol=1e-6))
        y1.pow(2).sum().backward()
        y2.pow(2).sum().backward()
        for got, want, name in ((x1.grad, x2.grad, "x"), (layer.lora_A.grad, A.grad, "A"), (layer.lora_B.grad, B.grad, "B")):
            self.assertTrue(torch.allclose(got, want, rtol=1e-4, atol=1e-5), f"grad of {name} differs")

    def test_nothing_dense_is_saved_for_backward(self) -> None:
        saved = []

        def pack(t: "torch.Tensor") -> "torch.Tensor":
            saved.append(t.numel())
            return t

        x = self.x.clone().requires_grad_(True)
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            y = nf4.nf4_matmul(x, self.w)
        self.assertEqual(saved, [], "the NF4 matmul saved tensors (the dense weight?) for backward")
        y.sum().backward()
        self.assertEqual(tuple(x.grad.shape), tuple(x.shape))

    def test_base_weight_gets_no_gradient(self) -> None:
        layer = nf4.LoraNF4Linear(self.w, r=4, alpha=8)
        names = sorted(n for n, p in layer.named_parameters() if p.requires_grad)
        self.assertEqual(names, ["lora_A", "lora_B"])
        self.assertFalse(self.w.packed.requires_grad)


if __name__ == "__main__":
    unittest.main()
