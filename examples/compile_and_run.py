"""The Python API end to end: compile an ONNX model, save the bundle, load it, run it, check it.

    python examples/compile_and_run.py examples/cnn.onnx [--targets cpu]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import onnxruntime as ort

import gimlet


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="path to an .onnx model")
    parser.add_argument("--targets", default="cpu", help="comma-separated targets (default: cpu)")
    args = parser.parse_args()
    try:
        bundle = gimlet.compile(args.model, targets=args.targets.split(","))
        path = bundle.save(args.model.removesuffix(".onnx") + ".gimlet")
        session = gimlet.load(path)
    except gimlet.GimletError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(session)

    rng = np.random.default_rng(0)
    feeds = {
        i.name: rng.standard_normal([d or 1 for d in i.shape]).astype(i.dtype)
        if i.dtype.kind == "f"
        else rng.integers(0, 10, [d or 1 for d in i.shape]).astype(i.dtype)
        for i in session.inputs
    }
    outputs = session.run(feeds)
    expected = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"]).run(None, feeds)
    for (name, actual), reference in zip(outputs.items(), expected):
        error = float(np.max(np.abs(actual - reference)))
        print(f"{name}: shape {list(actual.shape)}, max |gimlet - onnxruntime| = {error:.2e}")
        if not np.allclose(actual, reference, rtol=1e-4, atol=1e-4):
            print(f"error: {name} differs from ONNX Runtime beyond 1e-4", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
