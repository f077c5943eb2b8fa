"""Preparing ONNX models for import: opset upgrade, fixed input shapes, folded shape arithmetic."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from support import assert_close, compile_and_run, reference_outputs

from gimlet.compiler import CompileOptions
from gimlet.compiler.onnx_fold import fold_constants
from gimlet.compiler.onnx_import import default_opset, load_model, prepare_model


def _exported_reshape_model() -> onnx.ModelProto:
    """x[2,3,4] reshaped to [2,12] through Shape → Gather → Unsqueeze → Concat, as exporters write it."""
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"], name="shape"),
        helper.make_node("Gather", ["shape", "zero"], ["batch"], name="gather", axis=0),
        helper.make_node("Unsqueeze", ["batch", "axes"], ["batch_1d"], name="unsqueeze"),
        helper.make_node("Concat", ["batch_1d", "minus_one"], ["target"], name="concat", axis=0),
        helper.make_node("Reshape", ["x", "target"], ["flat"], name="reshape"),
        helper.make_node("Relu", ["flat"], ["y"], name="relu"),
    ]
    initializers = [
        numpy_helper.from_array(np.array(0, np.int64), "zero"),
        numpy_helper.from_array(np.array([0], np.int64), "axes"),
        numpy_helper.from_array(np.array([-1], np.int64), "minus_one"),
    ]
    graph = helper.make_graph(
        nodes,
        "exported",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, None])],
        initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_shape_arithmetic_folds_into_a_constant():
    model, folded = fold_constants(_exported_reshape_model())
    assert folded == 4  # shape, gather, unsqueeze, concat
    assert [n.op_type for n in model.graph.node] == ["Reshape", "Relu"]
    target = next(i for i in model.graph.initializer if i.name == "target")
    np.testing.assert_array_equal(numpy_helper.to_array(target), [2, -1])


def test_folded_model_compiles_natively_and_matches():
    model = _exported_reshape_model()
    lowered, feeds, outputs = compile_and_run(model)
    assert lowered.coverage.foreign_count == 0
    assert lowered.outputs[0].shape == (2, 12)
    assert_close(outputs[0], reference_outputs(model, feeds)[0])


def test_large_results_stay_nodes():
    nodes = [helper.make_node("ConstantOfShape", ["shape"], ["big"], name="fill", value=helper.make_tensor("v", TensorProto.FLOAT, [1], [1.0]))]
    graph = helper.make_graph(
        nodes + [helper.make_node("Add", ["x", "big"], ["y"], name="add")],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [100, 100])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [100, 100])],
        [numpy_helper.from_array(np.array([100, 100], np.int64), "shape")],
    )
    _, folded = fold_constants(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
    assert folded == 0  # 10,000 elements: kept as a node, the model does not grow


def test_old_opset_is_upgraded():
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")],
        "old",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9)])
    model.ir_version = 7
    prepared = prepare_model(load_model(model))
    assert default_opset(prepared.proto) == 17


def test_input_shapes_fix_symbolic_dimensions():
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")],
        "dynamic",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 8])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    lowered, feeds, outputs = compile_and_run(model, options=CompileOptions(input_shapes={"x": [3, 8]}))
    assert lowered.inputs[0].shape == (3, 8)
    assert lowered.coverage.foreign_count == 0
    np.testing.assert_array_equal(outputs[0], np.maximum(feeds["x"], 0))
