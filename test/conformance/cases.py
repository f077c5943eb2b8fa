"""The ONNX backend node test cases, as folders on disk.

The onnx package generates its ~1,900 node test cases in memory
(`onnx.backend.test.loader.load_model_tests(kind="node")`, about 5 s). The
runner writes them once to a cache in the layout of the onnx repository's
`onnx/backend/test/data/node/` folders:

    <cache>/<case>/model.onnx
    <cache>/<case>/test_data_set_0/input_0.pb ... output_0.pb ...
    <cache>/<case>/data.json            {"rtol": ..., "atol": ...}: the suite's tolerances

so that every worker can read one case in milliseconds, and a folder taken
from an onnx source checkout (`--data-dir`) works the same way.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

#: The tolerances `onnx.backend.test` applies when a case defines none.
DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 1e-7


def default_cache_dir() -> Path:
    root = os.environ.get("GIMLET_CONFORMANCE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "gimlet-conformance"
    )
    return Path(root) / f"onnx-{onnx.__version__}" / "node"


def materialize(cache: Path | None = None) -> Path:
    """Write the onnx package's node test cases to `cache` (once) and return the folder."""
    cache = cache or default_cache_dir()
    if (cache / ".complete").exists():
        return cache
    from onnx.backend.test import loader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the case generators warn about overflow/divide by zero on purpose
        cases = loader.load_model_tests(kind="node")
    cache.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=cache.parent))
    for case in cases:
        _write_case(staging / case.name, case)
    (staging / ".complete").write_text(f"{len(cases)} cases from onnx {onnx.__version__}\n")
    if cache.exists():
        shutil.rmtree(cache)
    staging.rename(cache)
    return cache


def _write_case(folder: Path, case) -> None:
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(case.model.SerializeToString())
    (folder / "data.json").write_text(json.dumps({"rtol": case.rtol, "atol": case.atol}))
    graph = case.model.graph
    for index, (inputs, outputs) in enumerate(case.data_sets):
        data_dir = folder / f"test_data_set_{index}"
        data_dir.mkdir()
        for j, value in enumerate(inputs):
            (data_dir / f"input_{j}.pb").write_bytes(_serialize(value, graph.input[j]))
        for j, value in enumerate(outputs):
            (data_dir / f"output_{j}.pb").write_bytes(_serialize(value, graph.output[j]))


def _serialize(value: Any, info: onnx.ValueInfoProto) -> bytes:
    """One value the way onnx's own `backend-test-tools generate-data` writes it."""
    kind = info.type.WhichOneof("value")
    if kind == "sequence_type":
        return numpy_helper.from_list(value, info.name).SerializeToString()
    if kind == "optional_type":
        return numpy_helper.from_optional(value, info.name).SerializeToString()
    if kind == "map_type":
        return numpy_helper.from_dict(value, info.name).SerializeToString()
    if isinstance(value, TensorProto):
        return value.SerializeToString()
    return numpy_helper.from_array(np.asarray(value), info.name).SerializeToString()


def list_cases(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.iterdir() if (p / "model.onnx").exists())


@dataclass
class Case:
    """One test case read back: the model, its data sets (inputs, expected outputs) and tolerances."""

    name: str
    folder: Path
    model: onnx.ModelProto
    data_sets: list[tuple[list[Any], list[Any]]]
    rtol: float
    atol: float

    @property
    def input_names(self) -> list[str]:
        initializers = {i.name for i in self.model.graph.initializer}
        return [i.name for i in self.model.graph.input if i.name not in initializers]

    @property
    def output_names(self) -> list[str]:
        return [o.name for o in self.model.graph.output]


def load_case(folder: Path) -> Case:
    """Read a case folder the way `onnx.backend.test.runner` reads one."""
    model = onnx.load(str(folder / "model.onnx"))
    rtol, atol = DEFAULT_RTOL, DEFAULT_ATOL
    if (folder / "data.json").exists():
        data = json.loads((folder / "data.json").read_text())
        rtol, atol = data.get("rtol", rtol), data.get("atol", atol)
    data_sets = []
    for data_dir in sorted(glob.glob(str(folder / "test_data_set*"))):
        inputs = [
            _load_proto(os.path.join(data_dir, f"input_{i}.pb"), model.graph.input[i].type)
            for i in range(len(glob.glob(os.path.join(data_dir, "input_*.pb"))))
        ]
        outputs = [
            _load_proto(os.path.join(data_dir, f"output_{i}.pb"), model.graph.output[i].type)
            for i in range(len(glob.glob(os.path.join(data_dir, "output_*.pb"))))
        ]
        data_sets.append((inputs, outputs))
    return Case(folder.name, folder, model, data_sets, rtol, atol)


def _load_proto(path: str, type_proto: onnx.TypeProto) -> Any:
    """As `onnx.backend.test.runner.Runner._load_proto`."""
    data = Path(path).read_bytes()
    if type_proto.HasField("sequence_type"):
        sequence = onnx.SequenceProto()
        sequence.ParseFromString(data)
        return numpy_helper.to_list(sequence)
    if type_proto.HasField("optional_type"):
        optional = onnx.OptionalProto()
        optional.ParseFromString(data)
        return numpy_helper.to_optional(optional)
    tensor = onnx.TensorProto()
    tensor.ParseFromString(data)
    return numpy_helper.to_array(tensor)


def op_types(model: onnx.ModelProto) -> list[str]:
    """The op types of the model's top-level nodes, in order of first use (domain-qualified outside ai.onnx)."""
    seen: list[str] = []
    for node in model.graph.node:
        name = node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}.{node.op_type}"
        if name not in seen:
            seen.append(name)
    return seen


#: Element types that neither torch-mlir's importer nor IREE's runtime carry end to end.
EXOTIC_ELEMENT_TYPES = {
    TensorProto.STRING: "string",
    TensorProto.COMPLEX64: "complex64",
    TensorProto.COMPLEX128: "complex128",
    **{
        getattr(TensorProto, name): name.lower()
        for name in (
            "FLOAT8E4M3FN",
            "FLOAT8E4M3FNUZ",
            "FLOAT8E5M2",
            "FLOAT8E5M2FNUZ",
            "FLOAT8E8M0",
            "UINT4",
            "INT4",
            "FLOAT4E2M1",
            "UINT2",
            "INT2",
        )
        if hasattr(TensorProto, name)
    },
}


def exotic_types(model: onnx.ModelProto) -> list[str]:
    """Non-tensor graph inputs/outputs (sequence, optional, map) and exotic element types the model uses."""
    found: set[str] = set()

    def visit_type(type_proto: onnx.TypeProto) -> None:
        kind = type_proto.WhichOneof("value")
        if kind == "tensor_type":
            if type_proto.tensor_type.elem_type in EXOTIC_ELEMENT_TYPES:
                found.add(EXOTIC_ELEMENT_TYPES[type_proto.tensor_type.elem_type])
        elif kind in ("sequence_type", "optional_type", "map_type", "sparse_tensor_type"):
            found.add(kind.removesuffix("_type"))

    graph = model.graph
    for value in [*graph.input, *graph.output, *graph.value_info]:
        visit_type(value.type)
    for tensor in graph.initializer:
        if tensor.data_type in EXOTIC_ELEMENT_TYPES:
            found.add(EXOTIC_ELEMENT_TYPES[tensor.data_type])
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.name in ("to", "output_dtype", "dtype") and attribute.type == onnx.AttributeProto.INT:
                if attribute.i in EXOTIC_ELEMENT_TYPES:
                    found.add(EXOTIC_ELEMENT_TYPES[attribute.i])
            if attribute.type == onnx.AttributeProto.TENSOR and attribute.t.data_type in EXOTIC_ELEMENT_TYPES:
                found.add(EXOTIC_ELEMENT_TYPES[attribute.t.data_type])
        if node.op_type.startswith(("Sequence", "Optional")) or node.op_type in ("SplitToSequence", "ConcatFromSequence"):
            found.add("sequence" if "Sequence" in node.op_type else "optional")
    return sorted(found)
