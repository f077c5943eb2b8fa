"""What the gimlet runtime adds over calling IREE directly, and what each extra partition costs.

    pip install torch==2.13.0 pillow && pip install --no-deps torchvision==0.28.0
    python benchmarks/runtime_overhead.py [--threads 2] [--rounds 7]

1. One-partition bundles on the CPU (ResNet-18 with random weights, and the
   mlp example, whose call is mostly runtime) through
   `gimlet.load(...).run(...)`, against the same module and weights called
   directly through iree.runtime (VmContext + FunctionInvoker, results read
   back to host arrays). Rounds interleave the two; the figure is the
   median of per-round medians.
2. Per-partition dispatch overhead: a chain of 50 small ops placed on two
   CPU device instances in turn (50 partitions, tensors stay on the host),
   against the same chain as one partition: (t50 - t1) / 49.

Writes benchmarks/results/runtime_overhead.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper
from common import cpu_name, interleaved, invocation, publish

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
RESULTS = REPO / "benchmarks" / "results" / "runtime_overhead.md"


def direct_invoker(bundle_path: Path):
    """The bundle's single module and weights, called through iree.runtime with nothing of gimlet's."""
    import iree.runtime as ireert

    from gimlet.runtime.bundle import BundleFile

    bundle = BundleFile(bundle_path)
    partition = bundle.manifest["partitions"][0]
    module_entry = partition["modules"][partition["target"]]
    instance = ireert.VmInstance()
    device = ireert.get_device(module_entry["driver"])
    modules = [ireert.create_hal_module(instance, device)]
    if bundle.manifest["parameters"]:
        index = ireert.ParameterIndex()
        index.load_from_file_handle(ireert.FileHandle.wrap_memory(bundle.view(bundle.manifest["parameters"]["member"])), "irpa")
        modules.append(ireert.create_io_parameters_module(instance, index.create_provider(scope=bundle.manifest["parameters"]["scope"])))
    program = ireert.VmModule.wrap_buffer(instance, bundle.view(module_entry["member"]))
    modules.append(program)
    context = ireert.VmContext(instance, modules=modules)
    invoker = ireert.FunctionInvoker(context, device, program.lookup_function(partition["function"]))
    return bundle, invoker


def one_partition_overhead(bundle_path: Path, feeds: dict[str, np.ndarray], rounds: int, iterations: int) -> dict:
    """`Session.run` on a one-partition bundle against its module called through iree.runtime alone."""
    import gimlet

    session = gimlet.load(bundle_path)
    _bundle, invoker = direct_invoker(bundle_path)
    arrays = list(feeds.values())
    times = interleaved(
        {"gimlet": lambda: session.run(feeds), "iree": lambda: [r.to_host() for r in _results(invoker(*arrays))]},
        rounds,
        iterations,
    )
    return {"gimlet": times["gimlet"], "iree": times["iree"], "ratio": times["gimlet"] / times["iree"]}


def _results(result) -> tuple:
    """FunctionInvoker's results as a tuple: it returns a lone result bare."""
    return result if isinstance(result, tuple) else (result,)


def resnet18_overhead(directory: Path, rounds: int, iterations: int) -> dict:
    from cpu_latency import benchmark_cases

    import gimlet

    (case,) = benchmark_cases(directory, "resnet18")
    bundle_path = gimlet.compile(case.onnx_path, targets=["cpu"]).save(directory / "resnet18.gimlet")
    return one_partition_overhead(bundle_path, case.inputs, rounds, iterations)


def mlp_overhead(directory: Path, rounds: int, iterations: int) -> dict:
    """The mlp example (4×64 in, four dispatches of about 1 µs): the runtime's cost is most of a call."""
    import gimlet

    bundle_path = gimlet.compile(REPO / "examples" / "mlp.onnx", targets=["cpu"]).save(directory / "mlp.gimlet")
    x = np.random.default_rng(0).standard_normal((4, 64)).astype(np.float32)
    return one_partition_overhead(bundle_path, {"x": x}, rounds, iterations)


def chain_model(length: int) -> onnx.ModelProto:
    nodes = []
    current = "x"
    for i in range(length):
        nodes.append(helper.make_node("Relu" if i % 2 == 0 else "Neg", [current], [f"t{i}"], name=f"op{i}"))
        current = f"t{i}"
    nodes[-1].output[0] = "y"
    graph = helper.make_graph(
        nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64])]
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def partition_overhead(directory: Path, rounds: int, iterations: int, length: int = 50) -> dict:
    import gimlet

    model = chain_model(length)
    targets = ["a=cpu", "b=cpu"]
    alternating = gimlet.compile(model, targets=targets, pins=[f"op{i}={'a' if i % 2 == 0 else 'b'}" for i in range(length)], fallback="none")
    single = gimlet.compile(model, targets=targets, pins=[".*=a"], fallback="none")
    many = gimlet.load(alternating.save(directory / "many.gimlet"))
    one = gimlet.load(single.save(directory / "one.gimlet"))
    x = np.random.default_rng(0).standard_normal((1, 64)).astype(np.float32)
    times = interleaved({"many": lambda: many.run({"x": x}), "one": lambda: one.run({"x": x})}, rounds, iterations)
    partitions = len(alternating.manifest["partitions"])
    return {
        "partitions": partitions,
        "many_ms": times["many"] * 1e3,
        "one_ms": times["one"] * 1e3,
        "per_partition_us": (times["many"] - times["one"]) / (partitions - 1) * 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="gimlet runtime overhead")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    import iree.runtime as ireert

    ireert.flags.parse_flags(f"--task_topology_group_count={args.threads}")
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        print("measuring ResNet-18 ...", file=sys.stderr)
        resnet = resnet18_overhead(directory, args.rounds, args.iterations)
        print("measuring the mlp example ...", file=sys.stderr)
        mlp = mlp_overhead(directory, args.rounds, args.iterations * 50)
        print("measuring the 50-partition chain ...", file=sys.stderr)
        chain = partition_overhead(directory, args.rounds, args.iterations * 5)
    table = "\n".join(
        [
            "# Runtime overhead",
            "",
            (
                f"Machine: {cpu_name()}, {os.cpu_count()} cores; {args.threads} threads (IREE task topology); median of "
                f"per-round medians over {args.rounds} interleaved rounds."
            ),
            "",
            "| measurement | gimlet | direct iree.runtime | ratio |",
            "| --- | ---: | ---: | ---: |",
            f"| ResNet-18, one partition | {resnet['gimlet'] * 1e3:.3f} ms | {resnet['iree'] * 1e3:.3f} ms | {resnet['ratio']:.3f} |",
            f"| mlp example, one partition | {mlp['gimlet'] * 1e6:.1f} µs | {mlp['iree'] * 1e6:.1f} µs | {mlp['ratio']:.3f} |",
            "",
            "| measurement | value |",
            "| --- | ---: |",
            f"| chain of 50 small ops as {chain['partitions']} partitions | {chain['many_ms']:.3f} ms |",
            f"| the same chain as 1 partition | {chain['one_ms']:.3f} ms |",
            f"| dispatch overhead per extra partition | {chain['per_partition_us']:.1f} µs |",
            "",
            f"Reproduce: `{invocation()}` (setup in the script's docstring).",
            "",
        ]
    )
    publish(table, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
