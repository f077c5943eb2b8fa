"""Test helpers: compile a model through the whole gimlet pipeline for the CPU, run it, compare."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx

from gimlet.compiler import CompileOptions, compile_for_target, lower_model
from gimlet.targets import get_target

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
LIGHT_MODELS = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"

#: f32 tolerance the suite holds gimlet to against the references.
RTOL = ATOL = 1e-4


def random_inputs(lowered, seed: int = 0) -> dict[str, np.ndarray]:
    """Inputs of the right shapes and dtypes: normal floats, small non-negative integers, random bools."""
    rng = np.random.default_rng(seed)
    feeds = {}
    for spec in lowered.inputs:
        shape = [d if d is not None else 1 for d in spec.shape]
        dtype = np.dtype(spec.dtype)
        if dtype.kind == "f":
            feeds[spec.name] = rng.standard_normal(shape).astype(dtype)
        elif dtype.kind == "b":
            feeds[spec.name] = rng.random(shape) < 0.5
        else:
            feeds[spec.name] = rng.integers(0, 4, shape).astype(dtype)
    return feeds


def run_vmfb(vmfb: bytes, entry: str, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """Run an IREE module's entry function on the CPU (local-task) and return host arrays."""
    import iree.runtime as rt

    module = rt.load_vm_flatbuffer(vmfb, driver="local-task")
    result = getattr(module, entry)(*inputs)
    results = result if isinstance(result, (list, tuple)) else [result]
    return [np.asarray(r.to_host()) for r in results]


def compile_and_run(model, feeds: dict[str, np.ndarray] | None = None, options: CompileOptions | None = None):
    """Lower + compile `model` for the CPU, run it; returns (lowered, feeds, outputs)."""
    lowered = lower_model(model, options)
    vmfb = compile_for_target(lowered, get_target("cpu"), options)
    feeds = feeds if feeds is not None else random_inputs(lowered)
    outputs = run_vmfb(vmfb, lowered.entry, [feeds[spec.name] for spec in lowered.inputs])
    return lowered, feeds, outputs


def compile_bundle_and_run(model, feeds: dict[str, np.ndarray] | None = None, tmp_path: Path | None = None, **settings):
    """The user's path: gimlet.compile → save → gimlet.load → run; returns (bundle, session, feeds, outputs)."""
    import tempfile

    import gimlet

    bundle = gimlet.compile(model, targets=["cpu"], **settings)
    directory = tmp_path or Path(tempfile.mkdtemp(prefix="gimlet-test-"))
    session = gimlet.load(bundle.save(directory / "model.gimlet"))
    if feeds is None:
        rng = np.random.default_rng(0)
        feeds = {}
        for info in session.inputs:
            shape = [d if d is not None else 1 for d in info.shape]
            if info.dtype.kind == "f":
                feeds[info.name] = rng.standard_normal(shape).astype(info.dtype)
            else:
                feeds[info.name] = rng.integers(0, 4, shape).astype(info.dtype)
    return bundle, session, feeds, session.run(feeds)


def reference_outputs(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    """ONNX Runtime's outputs (CPU, one thread). On the light models onnx.reference drifts
    by 3e-3 (seen on densenet121) where ONNX Runtime and gimlet agree to 1e-6."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return [np.asarray(o) for o in session.run(None, feeds)]


def evaluator_outputs(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    """onnx.reference's outputs: the specification's own semantics, for single-op tests."""
    from onnx.reference import ReferenceEvaluator

    return [np.asarray(o) for o in ReferenceEvaluator(model).run(None, feeds)]


def assert_close(actual: np.ndarray, expected: np.ndarray, rtol: float = RTOL, atol: float = ATOL, name: str = "output"):
    assert actual.shape == expected.shape, f"{name}: shape {actual.shape} != {expected.shape}"
    if expected.dtype == np.bool_ or actual.dtype == np.bool_:
        np.testing.assert_array_equal(actual.astype(bool), expected.astype(bool), err_msg=name)
    else:
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=name)
