"""The ops these models needed raise patterns for, one small module each, against PyTorch eager.

Advanced indexing (index.Tensor), torch.gather, tril/triu, `&` / `|` of masks and
vector norms came up in the real models as the last foreign ops; here each is checked
on its own, through PyTorch and ONNX, for exact agreement (integers, bools) or 1e-5
(floats), and for being raised (nothing foreign). `&` of integers has no gimlet op:
it stays foreign and checks the lowering that renames it for torch-mlir.
"""

from __future__ import annotations

import gimlet
import numpy as np
import pytest
import torch


class Indexing(torch.nn.Module):
    def forward(self, x, i, j, mask):
        return (
            x[:, i],  # one index tensor: a gather along axis 1
            x[i, j],  # two broadcasting index tensors (negative entries included)
            x[i, :, j[0]],  # indexed axes apart: torch puts the index shape first
            mask[torch.zeros(1, 1, 1, 1, dtype=torch.int64), torch.arange(5).view(1, 1, 1, 5)],  # transformers' mask form
        )


class Gathers(torch.nn.Module):
    def forward(self, x, index, rows):
        return torch.gather(x, 1, index), torch.gather(x, 0, rows)


class Triangles(torch.nn.Module):
    def forward(self, x, flags):
        return torch.tril(x), torch.triu(x, 1), torch.tril(x, -2), torch.tril(flags)


class Masks(torch.nn.Module):
    def forward(self, a, b):
        return a & b, a | b


class IntegerAnd(torch.nn.Module):
    def forward(self, i, j):
        return i & j, (i & j) + 1


class Norms(torch.nn.Module):
    def forward(self, x):
        return (
            torch.nn.functional.normalize(x, p=2, dim=1),
            torch.linalg.vector_norm(x, ord=1, dim=0),
            torch.linalg.vector_norm(x, ord=float("inf")),
            torch.linalg.vector_norm(x, ord=3, dim=(0, 2), keepdim=True),
        )


def _inputs(name: str, path: str):
    generator = torch.Generator().manual_seed(0)
    if name == "indexing":
        x = torch.randn(4, 5, 6, generator=generator)
        # The TorchScript ONNX exporter's x[i, j] is wrong for negative indices (it warns so).
        i = torch.tensor([[0, -1, 2]]) if path == "pytorch" else torch.tensor([[0, 3, 2]])
        j = torch.tensor([[1], [-2]]) if path == "pytorch" else torch.tensor([[1], [3]])
        return Indexing(), (x, i, j, torch.rand(3, 5, generator=generator) < 0.5)
    if name == "gather":
        x = torch.randn(3, 7, generator=generator)
        return Gathers(), (x, torch.randint(0, 7, (3, 4), generator=generator), torch.randint(0, 3, (2, 5), generator=generator))
    if name == "triangular":
        return Triangles(), (torch.randn(2, 4, 5, generator=generator), torch.rand(4, 4, generator=generator) < 0.7)
    if name == "masks":
        return Masks(), (torch.rand(2, 1, 4, generator=generator) < 0.5, torch.rand(1, 3, 4, generator=generator) < 0.5)
    if name == "integer_and":
        return IntegerAnd(), (torch.randint(0, 16, (4,), generator=generator), torch.randint(0, 16, (2, 4), generator=generator))
    if name == "norms":
        return Norms(), (torch.randn(3, 4, 5, generator=generator),)
    raise ValueError(name)


CASES = ["indexing", "gather", "triangular", "masks", "norms", "integer_and"]
#: Ops that stay foreign by design, per case: integer `&` has no gimlet op.
FOREIGN = {"integer_and": {"torch.aten.__and__.Tensor"}}


@pytest.mark.parametrize("path", ["pytorch", "onnx"])
@pytest.mark.parametrize("name", CASES)
def test_pattern(name, path, tmp_path):
    if name == "integer_and" and path == "onnx":
        pytest.skip("the ONNX exporter has no `&` of integers")
    module, args = _inputs(name, path)
    module.eval()
    with torch.no_grad():
        expected = [t.numpy() for t in module(*args)]
    if path == "pytorch":
        bundle = gimlet.compile(module, example_args=tuple(args), targets=["cpu"])
    else:
        onnx_path = tmp_path / f"{name}.onnx"
        torch.onnx.export(module, args, str(onnx_path), opset_version=17, dynamo=False)
        bundle = gimlet.compile(str(onnx_path), targets=["cpu"])
    saved = tmp_path / f"{name}.gimlet"
    bundle.save(saved)
    outputs = list(gimlet.load(saved).run(*[a.numpy() for a in args]).values())
    assert len(outputs) == len(expected)
    for index, (actual, wanted) in enumerate(zip(outputs, expected)):
        assert actual.shape == wanted.shape, f"output {index}: {actual.shape} vs {wanted.shape}"
        if np.issubdtype(wanted.dtype, np.floating):
            np.testing.assert_allclose(actual, wanted, rtol=1e-5, atol=1e-6, err_msg=f"output {index}")
        else:
            np.testing.assert_array_equal(actual, wanted, err_msg=f"output {index}")
    foreign = set(bundle.manifest["coverage"]["foreign"])
    assert foreign == FOREIGN.get(name, set()), f"foreign: {bundle.manifest['coverage']['foreign']}"
