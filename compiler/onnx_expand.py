"""Expand ONNX ops that torch-mlir cannot convert into their ONNX function bodies.

Recent opsets define many ops as ONNX functions: Attention, RMSNormalization
and RotaryEmbedding (opset 23), Swish (24), ReduceL2 and friends. The schema
carries the body, written in simpler ops, and ONNX Runtime runs the body
where it has no kernel. torch-mlir's importer converts only some of these
ops; when it leaves one unconverted, the importer calls this module to
replace each such node by its body (for the model's opset, specialised to
the node's attributes and input types) and imports again. What the body is
made of (MatMul, Softmax, ReduceMean, …) then reaches gimlet's raise pass
like any other model.
"""

from __future__ import annotations

import onnx
from onnx import defs

from .onnx_names import NameSource, renamed_copy, subgraphs


def expand_functions(model: onnx.ModelProto, op_types: set[str]) -> int:
    """Replace, in place, every main-graph node whose op type is in `op_types` and whose schema has
    a function body by that body; returns how many nodes were expanded."""
    graph = model.graph
    opsets = {o.domain or "": o.version for o in model.opset_import}
    types = _value_types(graph)
    names = NameSource(graph)
    nodes, expanded = [], 0
    for node in graph.node:
        found = _function_body(node, opsets, types) if node.op_type in op_types else None
        if found is None:
            nodes.append(node)
            continue
        completed, body = found
        nodes.extend(_inline(completed, body, names.prefix("expanded")))
        _merge_opsets(model, body)
        expanded += 1
    if expanded:
        del graph.node[:]
        graph.node.extend(nodes)
    return expanded


def expandable_op_types(model: onnx.ModelProto, node_names: set[str]) -> set[str]:
    """The op types of the named main-graph nodes whose schema has a function body to expand."""
    opsets = {o.domain or "": o.version for o in model.opset_import}
    types = _value_types(model.graph)
    return {
        node.op_type
        for node in model.graph.node
        if node.name in node_names and _function_body(node, opsets, types) is not None
    }


def _value_types(graph: onnx.GraphProto) -> dict[str, onnx.TypeProto]:
    types = {v.name: v.type for v in [*graph.input, *graph.value_info, *graph.output]}
    for init in graph.initializer:
        types.setdefault(init.name, onnx.helper.make_tensor_type_proto(init.data_type, list(init.dims)))
    return types


def _function_body(
    node: onnx.NodeProto, opsets: dict[str, int], types: dict[str, onnx.TypeProto]
) -> tuple[onnx.NodeProto, onnx.FunctionProto] | None:
    """The node with its attribute defaults filled in, and its function body at the model's
    opset; None where the schema defines no body."""
    domain = "" if node.domain in ("", "ai.onnx") else node.domain
    version = opsets.get(domain, 1)
    try:
        schema = defs.get_schema(node.op_type, version, domain)
    except defs.SchemaError:
        return None
    completed = _with_default_attributes(node, schema)
    body = onnx.FunctionProto()
    if schema.has_function:
        usable = [v for v in schema.function_opset_versions if v <= version]
        if not usable:
            return None
        body.ParseFromString(schema.get_function_with_opset_version(max(usable)))
    elif schema.has_context_dependent_function:
        # The body depends on the inputs' types (which optional inputs are present, their dtypes).
        usable = [v for v in schema.context_dependent_function_opset_versions if v <= version]
        if not usable or any(name and name not in types for name in node.input):
            return None
        input_types = [(types[name] if name else onnx.TypeProto()).SerializeToString() for name in node.input]
        text = schema.get_context_dependent_function_with_opset_version(max(usable), completed.SerializeToString(), input_types)
        body.ParseFromString(text)
    else:
        return None
    return completed, body


def _with_default_attributes(node: onnx.NodeProto, schema: defs.OpSchema) -> onnx.NodeProto:
    """The node with every attribute it leaves out set to the schema's default (function bodies
    read attributes by reference and have no defaults of their own)."""
    completed = onnx.NodeProto()
    completed.CopyFrom(node)
    given = {a.name for a in node.attribute}
    for name, attribute in schema.attributes.items():
        if name not in given and attribute.default_value.name:
            completed.attribute.append(attribute.default_value)
    return completed


def _inline(node: onnx.NodeProto, body: onnx.FunctionProto, prefix: str) -> list[onnx.NodeProto]:
    """The body's nodes, its formal inputs and outputs renamed to the node's, its internal values
    (those of its subgraphs too) given names unique in the graph, and attribute references resolved
    against the node (whose defaults are filled in)."""
    renamed = dict(zip(body.input, node.input))
    renamed.update({formal: actual for formal, actual in zip(body.output, node.output) if actual})
    attributes = {a.name: a for a in node.attribute}

    def rename(name: str) -> str:
        return renamed.get(name, prefix + name)

    inlined = []
    for inner in body.node:
        copy = renamed_copy(inner, rename)
        copy.name = f"{node.name or node.op_type}/{inner.name or inner.op_type}"
        _resolve_references(copy, attributes)
        inlined.append(copy)
    return inlined


def _resolve_references(node: onnx.NodeProto, attributes: dict[str, onnx.AttributeProto]) -> None:
    """Replace, in place and inside subgraphs too, each attribute that refers to one of the calling
    node's by that attribute's value; a reference to an attribute the node leaves unset is dropped."""
    for graph in subgraphs(node):
        for inner in graph.node:
            _resolve_references(inner, attributes)
    resolved = []
    for attribute in node.attribute:
        if not attribute.ref_attr_name:
            resolved.append(attribute)
        elif attribute.ref_attr_name in attributes:
            value = onnx.AttributeProto()
            value.CopyFrom(attributes[attribute.ref_attr_name])
            value.name = attribute.name
            resolved.append(value)
    del node.attribute[:]
    node.attribute.extend(resolved)


def _merge_opsets(model: onnx.ModelProto, body: onnx.FunctionProto) -> None:
    """Domains the body uses that the model does not import yet (the body's own versions)."""
    present = {o.domain or "" for o in model.opset_import}
    for opset in body.opset_import:
        if (opset.domain or "") not in present:
            model.opset_import.append(opset)
