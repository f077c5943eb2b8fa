"""Real models through gimlet, by PyTorch and by ONNX, against PyTorch eager.

Each case compiles one model one way for the CPU, saves and reloads the bundle, runs
it on the model's example inputs and compares with the module run eagerly: f32
outputs agree to rtol 1e-4 with an atol of 1e-5 of the output's scale. It then checks
that every op was raised to a gimlet op (nothing left foreign). Each case adds a row
(coverage, compile time, bundle size, errors) to benchmarks/results/model_suite.md.
"""

from __future__ import annotations

import time

import gimlet
import numpy as np
import pytest
import zoo
from suite import CASES, Row

RTOL = 1e-4
ATOL_OF_SCALE = 1e-5


@pytest.mark.parametrize(("name", "path"), CASES, ids=[f"{name}-{path}" for name, path in CASES])
def test_model(name, path, model, results, tmp_path):
    row = Row(name, path)
    results.append(row)
    try:
        expected = model.eager()
        if path == "pytorch":
            start = time.perf_counter()
            bundle = gimlet.compile(model.module, example_args=model.args, targets=["cpu"])
        else:
            onnx_path = zoo.export_onnx(model, tmp_path / f"{name}.onnx")
            start = time.perf_counter()
            bundle = gimlet.compile(str(onnx_path), targets=["cpu"])
        row.compile_s = time.perf_counter() - start
        coverage = bundle.manifest["coverage"]
        row.native_fraction = coverage["native_fraction"]
        row.native_ops = sum(coverage["native"].values())
        row.foreign = coverage["foreign"]

        saved = tmp_path / f"{name}.gimlet"
        bundle.save(saved)
        row.bundle_bytes = saved.stat().st_size
        del bundle
        session = gimlet.load(saved)
        names = [spec.name for spec in session.inputs]
        assert len(names) == len(model.inputs), f"the bundle takes {names}, the model {list(model.inputs)}"
        outputs = session.run({name: value.numpy() for name, value in zip(names, model.args)})
        assert len(outputs) == 1, f"one output expected, got {list(outputs)}"
        (actual,) = outputs.values()
        assert actual.shape == expected.shape and actual.dtype == expected.dtype, (actual.shape, actual.dtype)

        scale = float(np.abs(expected).max())
        row.scale = scale
        row.max_abs = float(np.abs(actual.astype(np.float64) - expected).max())
        row.max_rel = row.max_abs / scale
        np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL_OF_SCALE * scale, err_msg=f"{name} by {path} vs PyTorch eager")
        for reference, value in model.references.items():
            np.testing.assert_allclose(actual, value, rtol=RTOL, atol=ATOL_OF_SCALE * scale, err_msg=f"{name} by {path} vs {reference}")
        assert not coverage["foreign"], f"{name} by {path}: ops left foreign: {coverage['foreign']}"
    except Exception as error:
        row.error = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:200]
        raise
    finally:
        for leftover in tmp_path.iterdir():
            leftover.unlink()
