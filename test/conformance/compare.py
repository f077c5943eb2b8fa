"""Output comparison, as `onnx.backend.test.runner.Runner.assert_similar_outputs` does it.

Same checks in the same order (output count, then per output: shape, dtype,
values with `np.testing.assert_allclose(rtol, atol)`, two bfloat16 ULPs for
bfloat16), but the first mismatch comes back as (cause, message) instead of
an AssertionError, so the runner can count causes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class Mismatch(Exception):
    def __init__(self, cause: str, message: str):
        super().__init__(message)
        self.cause = cause


def compare_outputs(expected: Sequence[Any], actual: Sequence[Any], rtol: float, atol: float) -> None:
    """Raise Mismatch(cause, message) at the first difference; cause is wrong-count/shape/dtype/values."""
    if not isinstance(actual, (list, tuple)) or len(actual) != len(expected):
        count = len(actual) if isinstance(actual, (list, tuple)) else type(actual).__name__
        raise Mismatch("wrong-count", f"{count} outputs, expected {len(expected)}")
    for index, (ref, out) in enumerate(zip(expected, actual)):
        _compare_one(index, ref, out, rtol, atol)


def _compare_one(index: int, ref: Any, out: Any, rtol: float, atol: float) -> None:
    if isinstance(out, (list, tuple)) or isinstance(ref, (list, tuple)):
        if not isinstance(out, (list, tuple)) or not isinstance(ref, (list, tuple)):
            raise Mismatch("wrong-type", f"output {index} is {type(out).__name__}, expected {type(ref).__name__}")
        if len(out) != len(ref):
            raise Mismatch("wrong-shape", f"output {index} is a sequence of {len(out)}, expected {len(ref)}")
        for r, o in zip(ref, out):
            _compare_one(index, r, o, rtol, atol)
        return
    if ref is None or out is None:
        if ref is None and out is None:
            return
        raise Mismatch("wrong-type", f"output {index} is {type(out).__name__}, expected {type(ref).__name__}")
    out = np.asarray(out) if not isinstance(out, np.ndarray) else out
    if tuple(out.shape) != tuple(ref.shape):
        raise Mismatch("wrong-shape", f"output {index} has shape {list(out.shape)}, expected {list(ref.shape)}")
    if ref.dtype == object:  # strings
        if not np.array_equal(out, ref):
            raise Mismatch("wrong-values", f"output {index} (strings) differs")
        return
    if out.dtype != ref.dtype:
        raise Mismatch("wrong-dtype", f"output {index} has dtype {out.dtype}, expected {ref.dtype}")
    output_rtol = rtol
    if out.dtype.name == "bfloat16":
        output_rtol = max(rtol, 2**-6)
        out, ref = out.astype(np.float32), ref.astype(np.float32)
    try:
        np.testing.assert_allclose(out, ref, rtol=output_rtol, atol=atol)
    except AssertionError as error:
        raise Mismatch("wrong-values", f"output {index}: {_summary(error)}") from None
    except TypeError as error:
        raise Mismatch("wrong-values", f"output {index}: cannot compare: {error}") from None


def _summary(error: AssertionError) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    keep = [line for line in lines if line.startswith(("Mismatched", "Max absolute", "Max relative"))]
    return "; ".join(keep) or (lines[0] if lines else "values differ")
