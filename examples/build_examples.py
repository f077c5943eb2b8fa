"""Build the example models shipped in examples/: an MLP, a small CNN and a transformer block.

    python examples/build_examples.py        # rewrites examples/*.onnx

Weights are random with a fixed seed, so the files are reproducible. Each
model is small (tens of kB) and uses only standard ONNX ops at opset 17.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
HERE = Path(__file__).resolve().parent


class GraphBuilder:
    """Collects nodes and initializers with readable, unique names."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []

    def weight(self, name: str, shape, scale: float | None = None) -> str:
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        scale = scale if scale is not None else 1.0 / math.sqrt(max(fan_in, 1))
        self.constant(name, (self.rng.standard_normal(shape) * scale).astype(np.float32))
        return name

    def constant(self, name: str, array: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op_type: str, inputs: list[str], name: str, outputs: int = 1, **attributes) -> str | list[str]:
        names = [f"{name}_out{i}" if outputs > 1 else f"{name}_out" for i in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, name=name, **attributes))
        return names if outputs > 1 else names[0]

    def model(self, name: str, inputs, outputs) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="gimlet-examples")
        onnx.checker.check_model(model, full_check=True)
        return model


def mlp() -> onnx.ModelProto:
    """x[4,64] → Gemm → Relu → MatMul + Add → Sigmoid → Gemm → Softmax."""
    g = GraphBuilder(seed=1)
    h = g.node("Gemm", ["x", g.weight("fc1_w", [64, 128]), g.weight("fc1_b", [128])], "fc1")
    h = g.node("Relu", [h], "relu1")
    h = g.node("MatMul", [h, g.weight("fc2_w", [128, 64])], "fc2")
    h = g.node("Add", [h, g.weight("fc2_b", [64])], "fc2_bias")
    h = g.node("Sigmoid", [h], "sigmoid")
    h = g.node("Gemm", [h, g.weight("fc3_w", [10, 64]), g.weight("fc3_b", [10])], "fc3", transB=1)
    g.nodes[-1].output[0] = "logits"
    g.node("Softmax", ["logits"], "softmax", axis=-1)
    g.nodes[-1].output[0] = "probabilities"
    return g.model(
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 64])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [4, 10])],
    )


def cnn() -> onnx.ModelProto:
    """image[1,3,32,32]: conv/batchnorm/relu, max pool, grouped conv, avg pool, global pool, dense."""
    g = GraphBuilder(seed=2)

    def conv_bn_relu(x, name, in_ch, out_ch, kernel, stride=1, group=1):
        pad = kernel // 2
        w = g.weight(f"{name}_w", [out_ch, in_ch // group, kernel, kernel])
        x = g.node("Conv", [x, w, g.weight(f"{name}_b", [out_ch], scale=0.1)], name,
                   strides=[stride, stride], pads=[pad] * 4, group=group)
        scale = g.constant(f"{name}_bn_scale", (1 + 0.1 * g.rng.standard_normal(out_ch)).astype(np.float32))
        bias = g.constant(f"{name}_bn_bias", (0.1 * g.rng.standard_normal(out_ch)).astype(np.float32))
        mean = g.constant(f"{name}_bn_mean", (0.1 * g.rng.standard_normal(out_ch)).astype(np.float32))
        var = g.constant(f"{name}_bn_var", (1 + 0.1 * g.rng.random(out_ch)).astype(np.float32))
        x = g.node("BatchNormalization", [x, scale, bias, mean, var], f"{name}_bn", epsilon=1e-5)
        return g.node("Relu", [x], f"{name}_relu")

    x = conv_bn_relu("image", "conv1", 3, 16, 3)
    x = g.node("MaxPool", [x], "pool1", kernel_shape=[2, 2], strides=[2, 2])
    x = conv_bn_relu(x, "conv2", 16, 32, 3, group=4)
    x = conv_bn_relu(x, "conv3", 32, 32, 3, stride=2, group=32)
    x = g.node("AveragePool", [x], "pool2", kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1], count_include_pad=0)
    x = g.node("GlobalAveragePool", [x], "global_pool")
    x = g.node("Flatten", [x], "flatten", axis=1)
    x = g.node("Gemm", [x, g.weight("fc_w", [10, 32]), g.weight("fc_b", [10])], "fc", transB=1)
    g.nodes[-1].output[0] = "logits"
    return g.model(
        "cnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
    )


def transformer() -> onnx.ModelProto:
    """tokens[1,16] → embedding Gather + positions → one pre-norm encoder block (4 heads) → LayerNorm.

    Attention is written out as ONNX exports it at opset 17: MatMul, scale,
    additive mask, Softmax, MatMul.
    """
    g = GraphBuilder(seed=3)
    vocab, seq, dim, heads, hidden = 100, 16, 64, 4, 128
    head_dim = dim // heads

    def layer_norm(x, name):
        scale = g.constant(f"{name}_scale", (1 + 0.1 * g.rng.standard_normal(dim)).astype(np.float32))
        bias = g.constant(f"{name}_bias", (0.1 * g.rng.standard_normal(dim)).astype(np.float32))
        return g.node("LayerNormalization", [x, scale, bias], name, axis=-1, epsilon=1e-5)

    def dense(x, name, fan_in, fan_out):
        x = g.node("MatMul", [x, g.weight(f"{name}_w", [fan_in, fan_out])], name)
        return g.node("Add", [x, g.weight(f"{name}_b", [fan_out], scale=0.02)], f"{name}_bias")

    def split_heads(x, name):
        x = g.node("Reshape", [x, g.constant(f"{name}_shape", np.array([1, seq, heads, head_dim], np.int64))], f"{name}_reshape")
        return g.node("Transpose", [x], f"{name}_transpose", perm=[0, 2, 1, 3])

    embedded = g.node("Gather", [g.weight("embedding", [vocab, dim], scale=1.0), "tokens"], "embed", axis=0)
    x = g.node("Add", [embedded, g.weight("positions", [1, seq, dim], scale=0.1)], "add_positions")

    h = layer_norm(x, "ln1")
    q = split_heads(dense(h, "q_proj", dim, dim), "q")
    k = split_heads(dense(h, "k_proj", dim, dim), "k")
    v = split_heads(dense(h, "v_proj", dim, dim), "v")
    kt = g.node("Transpose", [k], "k_t", perm=[0, 1, 3, 2])
    scores = g.node("MatMul", [q, kt], "scores")
    scores = g.node("Div", [scores, g.constant("scale", np.array(math.sqrt(head_dim), np.float32))], "scale_scores")
    causal = np.triu(np.full((seq, seq), -1e9, np.float32), k=1)
    scores = g.node("Add", [scores, g.constant("causal_mask", causal)], "mask_scores")
    probabilities = g.node("Softmax", [scores], "attention_softmax", axis=-1)
    context = g.node("MatMul", [probabilities, v], "context")
    context = g.node("Transpose", [context], "merge_transpose", perm=[0, 2, 1, 3])
    context = g.node("Reshape", [context, g.constant("merge_shape", np.array([1, seq, dim], np.int64))], "merge_reshape")
    x = g.node("Add", [x, dense(context, "out_proj", dim, dim)], "residual1")

    h = layer_norm(x, "ln2")
    h = dense(h, "ffn1", dim, hidden)
    # GELU as exported at opset 17: 0.5 · h · (1 + erf(h / √2))
    erf = g.node("Erf", [g.node("Div", [h, g.constant("sqrt2", np.array(math.sqrt(2), np.float32))], "gelu_div")], "gelu_erf")
    gate = g.node("Add", [erf, g.constant("one", np.array(1.0, np.float32))], "gelu_add")
    h = g.node("Mul", [g.node("Mul", [h, gate], "gelu_mul"), g.constant("half", np.array(0.5, np.float32))], "gelu_half")
    x = g.node("Add", [x, dense(h, "ffn2", hidden, dim)], "residual2")
    layer_norm(x, "ln_final")
    g.nodes[-1].output[0] = "hidden_states"
    return g.model(
        "transformer",
        [helper.make_tensor_value_info("tokens", TensorProto.INT64, [1, seq])],
        [helper.make_tensor_value_info("hidden_states", TensorProto.FLOAT, [1, seq, dim])],
    )


EXAMPLES = {"mlp": mlp, "cnn": cnn, "transformer": transformer}


def main() -> None:
    for name, build in EXAMPLES.items():
        path = HERE / f"{name}.onnx"
        onnx.save(build(), str(path))
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} kB)")


if __name__ == "__main__":
    main()
