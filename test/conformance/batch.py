"""Several cases as one model: the fast way to run many small cases through a compiler.

A gimlet compilation costs about a second however small the model (an import
child process, iree-compile), so the pytest subset compiles its cases in
batches: the cases of a batch (same opsets, one data set each) become one ONNX
model whose graph is their graphs side by side, every name prefixed `c<i>_`.
The batch compiles and runs once; each case's outputs are compared with its
own expected outputs and tolerances. A case that fails inside a batch is run
again alone before it is reported, so a batch can only cost time, never
change a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import onnx
from onnx import compose, helper

from conformance.cases import Case


def batch_key(case: Case) -> tuple | None:
    """Cases with equal keys can share a model; None: this case runs alone."""
    model = case.model
    if len(case.data_sets) != 1 or model.functions or len(model.graph.sparse_initializer):
        return None
    if any(value.type.WhichOneof("value") != "tensor_type" for value in [*model.graph.input, *model.graph.output]):
        return None
    opsets = tuple(sorted((o.domain, o.version) for o in model.opset_import))
    return opsets


def make_batches(cases: Iterable[Case], size: int) -> list[list[Case]]:
    """Deterministic batches of at most `size` cases with equal batch keys; unbatchable cases alone."""
    groups: dict[Any, list[Case]] = {}
    alone: list[list[Case]] = []
    for case in cases:
        key = batch_key(case)
        if key is None:
            alone.append([case])
        else:
            groups.setdefault(key, []).append(case)
    batches = []
    for key in sorted(groups, key=repr):
        members = groups[key]
        batches += [members[i : i + size] for i in range(0, len(members), size)]
    return batches + alone


def merge(cases: list[Case]) -> tuple[Case, list[tuple[list[str], list[str]]]]:
    """One Case holding every case's graph, and per case its (input names, output names) in the merge."""
    graph = onnx.GraphProto(name="conformance_batch")
    names: list[tuple[list[str], list[str]]] = []
    inputs: list[Any] = []
    outputs: list[Any] = []
    ir_version = 0
    for index, case in enumerate(cases):
        prefixed = compose.add_prefix(case.model, f"c{index}_")
        part = prefixed.graph
        initializers = {i.name for i in part.initializer}
        graph.node.extend(part.node)
        graph.input.extend(part.input)
        graph.output.extend(part.output)
        graph.initializer.extend(part.initializer)
        graph.value_info.extend(part.value_info)
        case_inputs = [i.name for i in part.input if i.name not in initializers]
        names.append((case_inputs, [o.name for o in part.output]))
        data_inputs, data_outputs = case.data_sets[0]
        inputs += list(data_inputs)
        outputs += list(data_outputs)
        ir_version = max(ir_version, case.model.ir_version)
    model = helper.make_model(graph, opset_imports=list(cases[0].model.opset_import))
    model.ir_version = ir_version
    merged = Case(
        name="+".join(c.name for c in cases),
        folder=Path("."),
        model=model,
        data_sets=[(inputs, outputs)],
        rtol=min(c.rtol for c in cases),
        atol=min(c.atol for c in cases),
    )
    return merged, names
