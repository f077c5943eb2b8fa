"""The gimlet dialect from Python: builders infer result types, verifiers name the rule, work is exact."""

from __future__ import annotations

import math

import numpy as np
import pytest
from iree.compiler import ir

from gimlet.compiler.context import new_context
from gimlet.dialects import (
    Attention,
    BatchNorm,
    Broadcast,
    Concat,
    Constant,
    Conv,
    Elementwise,
    Gather,
    LayerNorm,
    Matmul,
    Pad,
    Pool,
    Reduce,
    Reshape,
    Slice,
    Softmax,
    Transpose,
    VerificationError,
    view,
)


@pytest.fixture
def builder():
    """A function body to build ops into; yields a factory of block arguments."""
    context = new_context()
    with context, ir.Location.name("test_node"):
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):
            function = ir.Operation.create("func.func", regions=1, attributes={
                "sym_name": ir.StringAttr.get("f"),
                "function_type": ir.TypeAttr.get(ir.FunctionType.get([], [])),
            })
        block = function.regions[0].blocks.append()
        with ir.InsertionPoint(block):
            yield lambda shape, dtype="f32": block.add_argument(
                ir.RankedTensorType.get(shape, ir.Type.parse(dtype)), ir.Location.unknown()
            )


def shape_of(op) -> list[int]:
    return list(op.result_type.shape)


def test_matmul_broadcasts_batches_and_drops_vector_dims(builder):
    assert shape_of(Matmul.build(builder([2, 1, 3, 4]), builder([5, 4, 6]))) == [2, 5, 3, 6]
    assert shape_of(Matmul.build(builder([4]), builder([4, 6]))) == [6]
    assert shape_of(Matmul.build(builder([3, 4]), builder([4]))) == [3]
    with pytest.raises(ValueError, match="does not type-check"):
        Matmul.build(builder([3, 4]), builder([5, 6]))


def test_matmul_work_is_exact(builder):
    op = Matmul.build(builder([8, 3, 4]), builder([4, 5]))
    work = op.work()
    assert work.flops == {"f32": 2 * 8 * 3 * 5 * 4}
    assert work.bytes_read == 4 * (8 * 3 * 4 + 4 * 5)
    assert work.bytes_written == 4 * 8 * 3 * 5


def test_conv_shape_and_work(builder):
    op = Conv.build(builder([1, 4, 9, 9]), builder([6, 2, 3, 3]), builder([6]), [2, 2], [1, 1, 1, 1], [1, 1], groups=2)
    assert shape_of(op) == [1, 6, 5, 5]
    outputs = 1 * 6 * 5 * 5
    assert op.work().flops == {"f32": 2 * outputs * (2 * 3 * 3) + outputs}
    op.verify()


def test_conv_verifier_names_the_group_rule(builder):
    op = Conv.build(builder([1, 4, 9, 9]), builder([6, 3, 3, 3]), None, [1, 1], [0, 0, 0, 0], [1, 1], groups=2)
    with pytest.raises(VerificationError, match=r"'gimlet.conv' op at test_node: with 2 group\(s\), input channels \(4\)"):
        op.verify()


def test_pool_ceil_mode_matches_pytorch(builder):
    # PyTorch: MaxPool2d(3, stride=2, ceil_mode=True) on 6x6 gives 3x3 (the last window would start in padding).
    op = Pool.build("max", builder([1, 1, 6, 6]), [3, 3], [2, 2], [0, 0, 0, 0], ceil_mode=True)
    assert shape_of(op) == [1, 1, 3, 3]
    op = Pool.build("avg", builder([1, 1, 5, 5]), [2, 2], [2, 2], [0, 0, 0, 0], ceil_mode=True)
    assert shape_of(op) == [1, 1, 3, 3]


def test_elementwise_typing_rules(builder):
    x, y = builder([2, 3]), builder([3])
    assert shape_of(Elementwise.build("add", [x, y])) == [2, 3]
    compare = Elementwise.build("lt", [x, y])
    assert str(compare.result_type.element_type) == "i1"
    where = Elementwise.build("where", [compare.result, x, y])
    assert str(where.result_type) == "tensor<2x3xf32>"
    cast = Elementwise.build("cast", [x], element_type=ir.IntegerType.get_signless(64))
    assert str(cast.result_type) == "tensor<2x3xi64>"
    for op in (compare, where, cast):
        op.verify()


def test_elementwise_verifier_rules(builder):
    x, i = builder([2]), builder([2], "i64")
    with pytest.raises(VerificationError, match="unknown fn 'frobnicate'"):
        Elementwise.create([x], [x.type], {"fn": ir.StringAttr.get("frobnicate")}).verify()
    with pytest.raises(VerificationError, match="fn 'exp' takes floating-point operands, got i64"):
        Elementwise.build("exp", [i]).verify()
    with pytest.raises(VerificationError, match="fn 'add' takes 2 operand"):
        Elementwise.create([x], [x.type], {"fn": ir.StringAttr.get("add")}).verify()
    with pytest.raises(VerificationError, match="fn 'relu' takes no attribute 'alpha'"):
        Elementwise.build("relu", [x], alpha=0.1).verify()


def test_elementwise_work_counts_function_flops(builder):
    x = builder([10, 10])
    assert Elementwise.build("gelu", [x]).work().flops == {"f32": 100 * 5}
    assert Elementwise.build("add", [x, builder([10])]).work().bytes_read == 4 * (100 + 10)


def test_reduce_and_softmax(builder):
    x = builder([2, 3, 4])
    mean = Reduce.build("mean", x, [-1, 0], keepdims=False)
    assert mean.axes == [0, 2] and shape_of(mean) == [3]
    assert mean.work().flops == {"f32": 24 - 3 + 3}
    kept = Reduce.build("max", x, [1], keepdims=True)
    assert shape_of(kept) == [2, 1, 4]
    softmax = Softmax.build(x, -1)
    assert softmax.axis == 2
    assert softmax.work().flops == {"f32": 6 * (5 * 4 - 2)}


def test_normalisations(builder):
    x = builder([2, 5, 8])
    layer_norm = LayerNorm.build(x, builder([8]), builder([8]), axis=-1, epsilon=1e-5)
    layer_norm.verify()
    assert layer_norm.normalized_shape() == [8]
    bad = LayerNorm.build(x, builder([5, 8]), axis=-1)
    with pytest.raises(VerificationError, match="weight must have the normalised shape \\[8\\]"):
        bad.verify()
    image = builder([1, 3, 4, 4])
    params = [builder([3]) for _ in range(4)]
    BatchNorm.build(image, *params).verify()
    with pytest.raises(VerificationError, match="var must have shape \\[3\\]"):
        BatchNorm.build(image, *params[:3], builder([4])).verify()


def test_attention_shapes_and_mask_rule(builder):
    q, k, v = builder([2, 4, 8, 16]), builder([2, 4, 10, 16]), builder([2, 4, 10, 32])
    op = Attention.build(q, k, v, causal=True)
    assert shape_of(op) == [2, 4, 8, 32]
    assert math.isclose(op.scale, 1 / 4)
    op.verify()
    bad_mask = Attention.build(q, k, v, builder([8, 9], "i1"))
    with pytest.raises(VerificationError, match="does not broadcast to the scores shape"):
        bad_mask.verify()


def test_data_movement(builder):
    x = builder([4, 6])
    assert shape_of(Transpose.build(x, [1, 0])) == [6, 4]
    assert shape_of(Slice.build(x, [1, 0], [4, 6], [2, 4])) == [2, 2]
    assert shape_of(Concat.build([x, builder([4, 2])], -1)) == [4, 8]
    assert shape_of(Pad.build(x, [1, 0], [2, 3])) == [7, 9]
    assert shape_of(Gather.build(builder([10, 3]), builder([2, 5], "i64"), 0)) == [2, 5, 3]
    assert shape_of(Broadcast.build(builder([1, 6]), [3, 4, 6])) == [3, 4, 6]
    with pytest.raises(VerificationError, match="cannot reshape tensor<4x6xf32> \\(24 elements\\)"):
        Reshape.build(x, [5, 5]).verify()
    with pytest.raises(VerificationError, match="is not a permutation"):
        Transpose.create([x], [x.type], {"permutation": ir.DenseI64ArrayAttr.get([0, 0])}).verify()
    gather = Gather.build(builder([10, 3]), builder([7], "i64"), 0)
    assert gather.work().bytes_read == 7 * 3 * 4 + 7 * 8


def test_constant_from_numpy_and_view(builder):
    op = Constant.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert str(op.result_type) == "tensor<2x3xf32>"
    assert isinstance(view(op.operation), Constant)
    assert Constant.splat(2.5, ir.RankedTensorType.get([4], ir.F32Type.get())).splat_value() == 2.5
    assert op.work().total_flops == 0


def test_missing_attribute_is_named(builder):
    x = builder([2, 3])
    with pytest.raises(VerificationError, match="'gimlet.softmax' op at test_node: requires attribute 'axis'"):
        Softmax.create([x], [x.type]).verify()


def test_ops_of_dialects_without_python_classes_wrap_without_an_import_search(monkeypatch):
    """The MLIR bindings look for a dialect's Python module whenever they wrap one of its ops, until
    one is found; for gimlet's and torch-mlir's ops none was, and each op cost a failed import
    (60-80 µs: most of gimlet's own compile time). With gimlet.dialects.namespaces they find one."""
    import importlib._bootstrap

    searched = []
    find_and_load = importlib._bootstrap._find_and_load

    def spy(name, *args):
        searched.append(name)
        return find_and_load(name, *args)

    with new_context():
        module = ir.Module.parse(
            """
            func.func @f(%x: !torch.vtensor<[2],f32>) -> tensor<2xf32> {
              %0 = "torch.aten.relu"(%x) : (!torch.vtensor<[2],f32>) -> !torch.vtensor<[2],f32>
              %1 = "torch_c.to_builtin_tensor"(%0) : (!torch.vtensor<[2],f32>) -> tensor<2xf32>
              %2 = "gimlet.elementwise"(%1) {kind = "exp"} : (tensor<2xf32>) -> tensor<2xf32>
              return %2 : tensor<2xf32>
            }
            """
        )
        body = module.body.operations[0].regions[0].blocks[0]
        [op.operation.name for op in body.operations]  # each dialect's module found (or not) once
        monkeypatch.setattr(importlib._bootstrap, "_find_and_load", spy)
        names = [op.operation.name for _ in range(3) for op in body.operations]
    assert names.count("gimlet.elementwise") == 3
    assert searched == []
