"""Compile an ONNX model with gimlet for the CPU, run it, and check it against ONNX Runtime.

    python examples/compile_and_run.py examples/cnn.onnx
"""

from __future__ import annotations

import argparse
import sys
import time

import iree.runtime as ireert
import numpy as np
import onnxruntime as ort

from gimlet.compiler import compile_for_target, lower_model
from gimlet.errors import GimletError
from gimlet.targets import get_target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="path to an .onnx model")
    args = parser.parse_args()
    try:
        started = time.perf_counter()
        lowered = lower_model(args.model)
        vmfb = compile_for_target(lowered, get_target("cpu"))
        compiled = time.perf_counter() - started
    except GimletError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(lowered.coverage.report(args.model))
    print(f"compiled in {compiled:.1f} s ({len(vmfb) / 1024:.0f} kB IREE module)")

    rng = np.random.default_rng(0)
    feeds = {}
    for spec in lowered.inputs:
        shape = [d or 1 for d in spec.shape]
        dtype = np.dtype(spec.dtype)
        feeds[spec.name] = rng.standard_normal(shape).astype(dtype) if dtype.kind == "f" else rng.integers(0, 10, shape).astype(dtype)
    module = ireert.load_vm_flatbuffer(vmfb, driver="local-task")
    result = getattr(module, lowered.entry)(*feeds.values())
    outputs = [np.asarray(r.to_host()) for r in (result if isinstance(result, (list, tuple)) else [result])]
    expected = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"]).run(None, feeds)
    for spec, actual, reference in zip(lowered.outputs, outputs, expected):
        error = float(np.max(np.abs(actual - reference)))
        print(f"{spec.name}: shape {list(actual.shape)}, max |gimlet - onnxruntime| = {error:.2e}")
        if not np.allclose(actual, reference, rtol=1e-4, atol=1e-4):
            print(f"error: {spec.name} differs from ONNX Runtime beyond 1e-4", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
