"""Checks of input values a bundle was compiled to rely on (the manifest's `checks`).

gimlet compiles static shapes. Where a model input's value decides a result's
shape (a Slice's bounds, a Pad's pads, a Compress's condition, the size an AffineGrid is given), the
bundle was compiled for the shape the model declares, and the values must
produce it. The runtime makes
these checks before it runs anything, so that values the bundle was not
compiled for end in an error naming the node and the inputs, never in a
wrong answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

PARAMETERS = ("starts", "ends", "axes", "steps")


@dataclass(frozen=True)
class SliceCheck:
    """The ONNX Slice `node` must take `data_shape` to `output_shape`; each parameter is the name of
    the model input that gives it, its constant value, or None (absent)."""

    node: str
    data_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    parameters: dict[str, str | list[int] | None]

    @classmethod
    def from_manifest(cls, entry: Mapping[str, Any]) -> "SliceCheck":
        return cls(entry["node"], tuple(entry["data_shape"]), tuple(entry["output_shape"]), {p: entry.get(p) for p in PARAMETERS})

    def to_dict(self) -> dict:
        return {"kind": "slice", "node": self.node, "data_shape": list(self.data_shape), "output_shape": list(self.output_shape), **self.parameters}

    def inputs(self) -> list[str]:
        return [value for value in self.parameters.values() if isinstance(value, str)]

    def problem(self, feeds: Mapping[str, np.ndarray]) -> str | None:
        """Why the fed values do not slice to the compiled shape; None if they do."""
        values = {
            name: [int(v) for v in np.asarray(feeds[value] if isinstance(value, str) else value).reshape(-1)]
            for name, value in self.parameters.items()
            if value is not None
        }
        given = ", ".join(f"{name} {values[name]}" for name in PARAMETERS if name in values)
        shape = _slice_shape(self.data_shape, values)
        if isinstance(shape, str):
            return f"Slice node '{self.node}' gets {given}: {shape}"
        if shape == list(self.output_shape):
            return None
        return (
            f"Slice node '{self.node}' gets {given}, which slice {list(self.data_shape)} to {shape}, but the bundle was "
            f"compiled for {list(self.output_shape)}, the shape the model declares; give values that produce it, or "
            "declare the shape these values produce and compile again"
        )


def _slice_shape(data_shape: tuple[int, ...], values: dict[str, list[int]]) -> list[int] | str:
    """ONNX Slice's output shape, or what makes the values invalid."""
    rank = len(data_shape)
    starts, ends = values["starts"], values["ends"]
    axes = values.get("axes", list(range(len(starts))))
    steps = values.get("steps", [1] * len(starts))
    if not len(starts) == len(ends) == len(axes) == len(steps):
        return "starts, ends, axes and steps must have one length"
    if any(not -rank <= a < rank for a in axes):
        return f"axes of a rank-{rank} tensor lie in [{-rank}, {rank - 1}]"
    normalised = [a % rank for a in axes]
    if len(set(normalised)) != len(normalised):
        return "an axis is repeated"
    if 0 in steps:
        return "a step is 0"
    shape = list(data_shape)
    for axis, start, end, step in zip(normalised, starts, ends, steps):
        size = data_shape[axis]
        start, end = start + size if start < 0 else start, end + size if end < 0 else end
        if step > 0:
            start, end = min(max(start, 0), size), min(max(end, 0), size)
        else:
            start, end = min(max(start, 0), size - 1), min(max(end, -1), size - 1)
        shape[axis] = max(0, -(-(end - start) // step))
    return shape


@dataclass(frozen=True)
class ValuesCheck:
    """The model input `input` of `node` must hold `expected` (flattened), where it is not None."""

    node: str
    input: str
    expected: tuple[int | None, ...]

    @classmethod
    def from_manifest(cls, entry: Mapping[str, Any]) -> "ValuesCheck":
        return cls(entry["node"], entry["input"], tuple(entry["expected"]))

    def to_dict(self) -> dict:
        return {"kind": "values", "node": self.node, "input": self.input, "expected": list(self.expected)}

    def inputs(self) -> list[str]:
        return [self.input]

    def problem(self, feeds: Mapping[str, np.ndarray]) -> str | None:
        values = [int(v) for v in np.asarray(feeds[self.input]).reshape(-1)]
        if len(values) == len(self.expected) and all(e is None or e == v for e, v in zip(self.expected, values)):
            return None
        wanted = "[" + ", ".join("any" if e is None else str(e) for e in self.expected) + "]"
        return (
            f"node '{self.node}' gets {values}, but the bundle was compiled for {wanted}, the values the model's declared "
            "shapes fix; give those, or declare the shapes these values produce and compile again"
        )


@dataclass(frozen=True)
class PadCheck:
    """The ONNX Pad `node`, given its pads by the model input `pads` for `axes`, must take
    `data_shape` to `output_shape`: each axis grows by its begin and end pads."""

    node: str
    data_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    pads: str
    axes: tuple[int, ...]

    @classmethod
    def from_manifest(cls, entry: Mapping[str, Any]) -> "PadCheck":
        return cls(entry["node"], tuple(entry["data_shape"]), tuple(entry["output_shape"]), entry["pads"], tuple(entry["axes"]))

    def to_dict(self) -> dict:
        return {"kind": "pad", "node": self.node, "data_shape": list(self.data_shape), "output_shape": list(self.output_shape),
                "pads": self.pads, "axes": list(self.axes)}

    def inputs(self) -> list[str]:
        return [self.pads]

    def problem(self, feeds: Mapping[str, np.ndarray]) -> str | None:
        pads = [int(v) for v in np.asarray(feeds[self.pads]).reshape(-1)]
        count = len(self.axes)
        if len(pads) != 2 * count:
            return f"Pad node '{self.node}' gets pads {pads}, but pads for {count} axes take {2 * count} values"
        shape = list(self.data_shape)
        for number, axis in enumerate(self.axes):
            shape[axis] += pads[number] + pads[number + count]
        if shape == list(self.output_shape):
            return None
        return (
            f"Pad node '{self.node}' gets pads {pads}, which pad {list(self.data_shape)} to {shape}, but the bundle was "
            f"compiled for {list(self.output_shape)}, the shape the model declares; give pads that produce it, or declare "
            "the shape these pads produce and compile again"
        )


@dataclass(frozen=True)
class CountCheck:
    """The boolean model input `input` of `node` (a Compress's condition) must hold `expected` trues."""

    node: str
    input: str
    expected: int

    @classmethod
    def from_manifest(cls, entry: Mapping[str, Any]) -> "CountCheck":
        return cls(entry["node"], entry["input"], int(entry["expected"]))

    def to_dict(self) -> dict:
        return {"kind": "count", "node": self.node, "input": self.input, "expected": self.expected}

    def inputs(self) -> list[str]:
        return [self.input]

    def problem(self, feeds: Mapping[str, np.ndarray]) -> str | None:
        found = int(np.count_nonzero(feeds[self.input]))
        if found == self.expected:
            return None
        return (
            f"node '{self.node}' selects {found} slice(s), but the bundle was compiled for {self.expected}, the count "
            "the model's declared output shape fixes; give a condition with that many trues, or declare the shape "
            "this one produces and compile again"
        )


#: The checks by their manifest `kind`.
CHECKS = {"slice": SliceCheck, "pad": PadCheck, "values": ValuesCheck, "count": CountCheck}
