"""Bad models end in a ModelImportError that names the file and the node, never a traceback or a crash."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from support import EXAMPLES

from gimlet.compiler import CompileOptions, lower_model
from gimlet.errors import GimletError, ModelImportError


def _model(nodes, inputs, outputs, initializers=(), opsets=(("", 17),)):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets])


def _float(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def test_missing_file(tmp_path):
    path = tmp_path / "absent.onnx"
    with pytest.raises(ModelImportError, match=rf"{path}: no such file"):
        lower_model(path)


def test_directory_is_not_a_model(tmp_path):
    with pytest.raises(ModelImportError, match="is a directory"):
        lower_model(tmp_path)


def test_text_file_is_not_onnx(tmp_path):
    path = tmp_path / "notes.onnx"
    path.write_text("this is not a protobuf\n" * 20)
    with pytest.raises(ModelImportError, match=rf"{path}: not an ONNX model"):
        lower_model(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.onnx"
    path.write_bytes(b"")
    with pytest.raises(ModelImportError, match="the file is empty"):
        lower_model(path)


def test_truncated_model(tmp_path):
    data = (EXAMPLES / "mlp.onnx").read_bytes()
    path = tmp_path / "truncated.onnx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelImportError, match=rf"{path}: not an ONNX model, or a truncated one"):
        lower_model(path)


def test_invalid_graph_names_the_problem(tmp_model):
    # The Add reads a tensor that nothing produces.
    model = _model([helper.make_node("Add", ["x", "ghost"], ["y"], name="add_ghost")], [_float("x", [2])], [_float("y", [2])])
    path = tmp_model(model)
    with pytest.raises(ModelImportError, match=rf"{path}: the model is not valid ONNX: .*ghost"):
        lower_model(path)


def test_shape_inference_failure_names_the_node(tmp_model):
    # MatMul of [2,3] by [4,5]: the inner dimensions disagree.
    weight = numpy_helper.from_array(np.zeros((4, 5), np.float32), "w")
    model = _model(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="bad_matmul")], [_float("x", [2, 3])], [_float("y", [None, None])], [weight]
    )
    path = tmp_model(model)
    with pytest.raises(ModelImportError, match=rf"{path}: shape inference failed: .*bad_matmul"):
        lower_model(path)


def test_uninferable_rank_names_the_node(tmp_model):
    # Reshape to a shape computed at run time: no rank can be inferred for its output.
    nodes = [
        helper.make_node("Reshape", ["x", "shape"], ["r"], name="dynamic_reshape"),
        helper.make_node("Relu", ["r"], ["y"], name="relu"),
    ]
    inputs = [_float("x", [2, 3]), helper.make_tensor_value_info("shape", TensorProto.INT64, [None])]
    path = tmp_model(_model(nodes, inputs, [_float("y", [None, None])]))
    with pytest.raises(ModelImportError, match=r"node 'dynamic_reshape' \(Reshape\): the type or rank of its output 'r'"):
        lower_model(path)


def test_op_without_torch_conversion_names_the_node(tmp_model):
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("Frobnicate", ["r"], ["y"], name="custom_op", domain="com.example"),
    ]
    model = _model(nodes, [_float("x", [4])], [_float("y", [4])], opsets=(("", 17), ("com.example", 1)))
    model.graph.value_info.append(_float("y", [4]))
    path = tmp_model(model)
    with pytest.raises(ModelImportError, match=rf"{path}: .*custom_op.*Frobnicate|{path}: .*Frobnicate.*custom_op"):
        lower_model(path)


def test_lstm_peepholes_are_refused_not_ignored(tmp_model):
    """torch-mlir's LSTM conversion ignores peephole weights: gimlet refuses such a model instead of
    compiling one that answers wrongly."""
    hidden = 3
    weights = {name: np.ones(shape, np.float32) for name, shape in
               (("W", [1, 4 * hidden, 2]), ("R", [1, 4 * hidden, hidden]), ("P", [1, 3 * hidden]))}
    node = helper.make_node("LSTM", ["x", "W", "R", "", "", "", "", "P"], ["", "y_h"], hidden_size=hidden, name="lstm")
    model = _model([node], [_float("x", [2, 1, 2])], [_float("y_h", [1, 1, hidden])],
                   [numpy_helper.from_array(v, k) for k, v in weights.items()])
    path = tmp_model(model)
    with pytest.raises(ModelImportError, match=rf"{path}: node 'lstm' \(LSTM\) has peephole weights \(input P\), which torch-mlir's LSTM conversion ignores"):
        lower_model(path)


def test_importer_crash_is_an_error_not_a_crash(tmp_model):
    # torch-mlir's conversion of a one-output Unique segfaults (IREE 3.13); the worker process absorbs it.
    model = _model([helper.make_node("Unique", ["x"], ["y"], name="unique")], [_float("x", [4])], [_float("y", [4])])
    path = tmp_model(model)
    with pytest.raises(ModelImportError, match=rf"{path}: .*(crashed|Unique)"):
        lower_model(path)


def test_unknown_input_shape_override(tmp_model):
    path = EXAMPLES / "mlp.onnx"
    with pytest.raises(ModelImportError, match="input_shapes names 'nope', which is not a model input; inputs: \\['x'\\]"):
        lower_model(path, CompileOptions(input_shapes={"nope": [1]}))


def test_model_proto_and_bytes_are_accepted():
    proto = onnx.load(str(EXAMPLES / "mlp.onnx"))
    from_proto = lower_model(proto)
    from_bytes = lower_model(proto.SerializeToString())
    assert from_proto.name == "<model>" and from_bytes.name == "<model bytes>"
    assert [s.name for s in from_proto.inputs] == ["x"]


def test_errors_are_gimlet_errors():
    assert issubclass(ModelImportError, GimletError)
