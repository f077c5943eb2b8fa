"""The PyTorch frontend: modules, exported programs and .pt2 files, dynamic batch, torch tensors in and out.

`.ci/run` installs PyTorch (the CPU build) so these run in CI; without it they are skipped with the reason.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is an optional extra: pip install torch==2.13.0")

import gimlet  # noqa: E402
from gimlet.errors import ModelImportError  # noqa: E402


class Head(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(64, 128)
        self.norm = torch.nn.LayerNorm(128)
        self.out = torch.nn.Linear(128, 10)

    def forward(self, x):
        return torch.softmax(self.out(torch.nn.functional.gelu(self.norm(self.fc(x)))), dim=-1)


class SmallCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(3, 16, 3, padding=1),
            torch.nn.BatchNorm2d(16),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(16, 32, 3, padding=1, groups=4),
            torch.nn.ReLU(),
            torch.nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = torch.nn.Linear(32, 10)

    def forward(self, image):
        return self.classifier(torch.flatten(self.features(image), 1))


def _eager(module, *args):
    with torch.no_grad():
        return module.eval()(*args).numpy()


def _bundle(tmp_path, module, *args, **settings):
    torch.manual_seed(0)
    bundle = gimlet.compile(module.eval(), example_args=args, **settings)
    return bundle, gimlet.load(bundle.save(tmp_path / "model.gimlet"))


@pytest.mark.parametrize("module_class, shape", [(Head, (4, 64)), (SmallCnn, (2, 3, 32, 32))])
def test_module_compiles_natively_and_matches_eager(module_class, shape, tmp_path):
    torch.manual_seed(0)
    module = module_class().eval()
    x = torch.randn(*shape)
    bundle, session = _bundle(tmp_path, module, x)
    assert bundle.manifest["coverage"]["foreign"] == {}, bundle.manifest["coverage"]
    assert [i.name for i in session.inputs] == [next(iter(module.forward.__code__.co_varnames[1:2]))]
    np.testing.assert_allclose(session.run(x.numpy())["output"], _eager(module, x), rtol=1e-4, atol=1e-5)


def test_weights_become_parameters(tmp_path):
    bundle, _ = _bundle(tmp_path, Head(), torch.randn(4, 64))
    weights = bundle.members["weights/model.irpa"]
    module = next(data for name, data in bundle.members.items() if name.startswith("modules/"))
    assert len(weights) > 64 * 128 * 4  # fc.weight alone is 32 kB
    assert len(module) < len(weights)


def test_one_bundle_serves_batch_1_and_8(tmp_path):
    torch.manual_seed(0)
    module = Head().eval()
    batch = torch.export.Dim("batch", max=64)
    bundle, session = _bundle(tmp_path, module, torch.randn(4, 64), dynamic_shapes={"x": {0: batch}})
    assert session.inputs[0].shape == (None, 64)
    for size in (1, 8):
        x = torch.randn(size, 64)
        np.testing.assert_allclose(session.run(x.numpy())["output"], _eager(module, x), rtol=1e-4, atol=1e-5)


def test_torch_tensors_in_and_out(tmp_path):
    module = Head().eval()
    _, session = _bundle(tmp_path, module, torch.randn(4, 64))
    x = torch.randn(4, 64)
    out = session.run(x, output_type="torch")["output"]
    assert isinstance(out, torch.Tensor) and out.shape == (4, 10)
    np.testing.assert_allclose(out.numpy(), _eager(module, x), rtol=1e-4, atol=1e-5)
    # A host tensor is taken through DLPack, without a copy.
    assert np.shares_memory(session._as_array(session.inputs[0], x), x.numpy())


def test_saved_program_through_gimletc(tmp_path):
    torch.manual_seed(0)
    module = SmallCnn().eval()
    x = torch.randn(1, 3, 32, 32)
    path = tmp_path / "cnn.pt2"
    torch.export.save(torch.export.export(module, (x,)), str(path))
    result = subprocess.run([sys.executable, "-m", "gimlet.tools.gimletc", str(path), "-q"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    session = gimlet.load(tmp_path / "cnn.gimlet")
    np.testing.assert_allclose(session.run(x.numpy())["output"], _eager(module, x), rtol=1e-4, atol=1e-5)


def test_exported_program_object_is_accepted(tmp_path):
    module = Head().eval()
    x = torch.randn(2, 64)
    bundle = gimlet.compile(torch.export.export(module, (x,)))
    session = gimlet.load(bundle.save(tmp_path / "p.gimlet"))
    np.testing.assert_allclose(session.run(x.numpy())["output"], _eager(module, x), rtol=1e-4, atol=1e-5)


class DataDependent(torch.nn.Module):
    def forward(self, x):
        if x.sum() > 0:  # control flow on a value torch.export cannot trace
            return x * 2
        return x - 1


def test_untraceable_module_says_what_to_change():
    with pytest.raises(ModelImportError, match=r"DataDependent: torch.export could not trace the module .*avoid data-dependent"):
        gimlet.compile(DataDependent(), example_args=(torch.randn(3),))


def test_missing_and_mismatched_example_inputs():
    with pytest.raises(ModelImportError, match=r"Head: compiling a torch.nn.Module needs example inputs: gimlet.compile\(module, example_args="):
        gimlet.compile(Head())
    with pytest.raises(ModelImportError, match=r"Head: (the example inputs do not match forward\(\)|torch.export could not trace)"):
        gimlet.compile(Head(), example_args=(torch.randn(4, 64), torch.randn(4, 64)))


def test_unsupported_input_types():
    with pytest.raises(ModelImportError, match=r"example input #0 is a dict; gimlet compiles modules whose inputs are tensors"):
        gimlet.compile(Head(), example_args=({"x": torch.randn(4, 64)},))


def test_without_torch_the_error_says_how_to_install(tmp_path):
    path = tmp_path / "model.pt2"
    path.write_bytes(b"not really a program")
    script = (
        "import sys; sys.modules['torch'] = None\n"
        "import gimlet\n"
        f"gimlet.compile({str(path)!r})\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode != 0
    assert "compiling a PyTorch model needs PyTorch, which is not installed: pip install 'gimlet-compiler[torch]'" in result.stderr
