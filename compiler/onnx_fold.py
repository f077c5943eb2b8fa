"""Fold the shape arithmetic of exported ONNX models into constants.

Exporters (PyTorch's TorchScript exporter among them) compute reshape
targets at run time: Shape → Gather → Unsqueeze → Concat → Reshape. With
static input shapes every one of those values is known at compile time, but
ONNX shape inference does not always see through them, and then the
importer cannot type what follows. This pass evaluates, with the ONNX
reference implementation, every node whose inputs are all known and whose
outputs are small, and replaces it by an initializer. Large results (a
ConstantOfShape that makes a weight, say) stay nodes, so the model does not
grow.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper
from onnx.reference import ReferenceEvaluator

from .onnx_names import subgraphs

#: Results with more elements than this stay in the graph.
MAX_FOLDED_ELEMENTS = 4096
#: Ops whose result is not a function of their inputs, or that carry subgraphs.
NOT_FOLDABLE = {
    "RandomNormal",
    "RandomUniform",
    "RandomNormalLike",
    "RandomUniformLike",
    "Multinomial",
    "Bernoulli",
    "If",
    "Loop",
    "Scan",
    "SequenceConstruct",
}


def static_shape(value: onnx.ValueInfoProto | None) -> list[int] | None:
    if value is None or not value.type.HasField("tensor_type") or not value.type.tensor_type.HasField("shape"):
        return None
    dims = value.type.tensor_type.shape.dim
    if not all(d.HasField("dim_value") for d in dims):
        return None
    return [d.dim_value for d in dims]


def fold_constants(model: onnx.ModelProto) -> tuple[onnx.ModelProto, int]:
    """Fold small, computable nodes into initializers; returns the model and how many were folded."""
    graph = model.graph
    opsets = {o.domain or "": o.version for o in model.opset_import}
    known: dict[str, np.ndarray] = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    infos = {v.name: v for v in [*graph.input, *graph.value_info, *graph.output]}
    graph_outputs = {o.name for o in graph.output}
    kept, folded = [], 0
    for node in graph.node:
        value = _evaluate(node, known, infos, opsets)
        if value is None or any(o in graph_outputs for o in node.output):
            kept.append(node)
            continue
        for name, array in zip(node.output, value):
            known[name] = array
            graph.initializer.append(numpy_helper.from_array(array, name))
        folded += 1
    if folded:
        del graph.node[:]
        graph.node.extend(kept)
        _drop_unused_initializers(graph)
    return model, folded


def _evaluate(node, known, infos, opsets) -> list[np.ndarray] | None:
    if node.domain not in ("", "ai.onnx") or node.op_type in NOT_FOLDABLE:
        return None
    if node.op_type == "Shape":
        shape = _known_shape(node.input[0], known, infos)
        if shape is None:
            return None
        start = next((a.i for a in node.attribute if a.name == "start"), 0)
        end = next((a.i for a in node.attribute if a.name == "end"), None)
        return [np.array(shape[start:end], dtype=np.int64)]
    if node.op_type == "Size":
        shape = _known_shape(node.input[0], known, infos)
        return None if shape is None else [np.array(int(np.prod(shape)), dtype=np.int64)]
    inputs = [name for name in node.input if name]
    if (not inputs and node.op_type != "Constant") or not all(name in known for name in inputs):
        return None
    try:
        evaluator = ReferenceEvaluator(node, opsets=opsets)
        outputs = evaluator.run(None, {name: known[name] for name in inputs})
    except Exception:  # the reference implementation lacks the op, or rejects these inputs: keep the node
        return None
    arrays = [np.asarray(o) for o in outputs]
    if any(a.size > MAX_FOLDED_ELEMENTS or a.dtype == object for a in arrays):
        return None
    return arrays


def _known_shape(name: str, known: dict[str, np.ndarray], infos) -> list[int] | None:
    """A value's static shape: a constant's own, else the inferred or declared one."""
    return list(known[name].shape) if name in known else static_shape(infos.get(name))


def _drop_unused_initializers(graph: onnx.GraphProto) -> None:
    """Initializers only folded nodes read; those also declared as graph inputs stay (the signature),
    and so do those a subgraph (a Scan or If body) reads from the outer scope."""
    used = _names_read(graph) | {v.name for v in [*graph.output, *graph.input]}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)


def _names_read(graph: onnx.GraphProto) -> set[str]:
    names = set()
    for node in graph.node:
        names.update(node.input)
        for subgraph in subgraphs(node):
            names |= _names_read(subgraph) | {v.name for v in subgraph.output}
    return names
