"""CPU latency, side by side: gimlet vs ONNX Runtime vs PyTorch eager, same inputs, same thread count.

    pip install torch==2.13.0 pillow && pip install --no-deps torchvision==0.28.0
    python benchmarks/cpu_latency.py [--threads 2] [--rounds 5] [--models resnet18,bert_encoder] [--tune]

Prints a table of median latencies and ratios and writes it to
benchmarks/results/cpu_latency.md. Rounds interleave the engines (PyTorch's
OpenMP threads collapse when another process holds a core), each turn after
a short idle pause (the previous engine's spinning threads would hold the
cores). Each engine's figure is the median over rounds of per-round medians,
and each ratio the median of the per-round ratios, with their range: on a
shared machine the speed drifts between rounds more than within one. ResNet-18,
MobileNetV2 and all-MiniLM-L6-v2 (real weights) are built as the model suite
builds them (test/models/zoo.py, no download); the BERT-style encoder is
torch.nn.TransformerEncoder at sequence 128. The shipped
examples exist only as ONNX, so they have no PyTorch column.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from common import (
    cpu_name,
    cross_core_round_trip_us,
    interleaved_rounds,
    invocation,
    medians,
    paired_ratios,
    publish,
)

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "cpu_latency.md"
TUNED_RESULTS = RESULTS.with_name("cpu_latency_tuned.md")


@dataclass
class Case:
    name: str
    onnx_path: Path
    inputs: dict[str, np.ndarray]
    torch_model: object | None = None  # a torch.nn.Module taking the inputs in order


def _export(model, example: tuple, path: Path, input_names: list[str]) -> None:
    import torch

    torch.onnx.export(model, example, str(path), input_names=input_names, opset_version=17, dynamo=False)


def example_cases() -> list[Case]:
    rng = np.random.default_rng(0)
    return [
        Case("mlp (example)", REPO / "examples" / "mlp.onnx", {"x": rng.standard_normal((4, 64)).astype(np.float32)}),
        Case("cnn (example)", REPO / "examples" / "cnn.onnx", {"image": rng.standard_normal((1, 3, 32, 32)).astype(np.float32)}),
        Case("transformer (example)", REPO / "examples" / "transformer.onnx", {"tokens": rng.integers(0, 100, (1, 16)).astype(np.int64)}),
    ]


def benchmark_cases(cache: Path, models: str | None = None, with_torch: bool = True) -> list[Case]:
    """The examples and (with torch) the PyTorch-built models, exported under `cache`; with `models`
    (comma-separated name prefixes, as the benchmarks' --models takes), only those it names."""
    prefixes = [m.strip() for m in models.split(",")] if models else [""]

    def wanted(name: str) -> bool:
        return any(name.startswith(prefix) for prefix in prefixes)

    cases = [case for case in example_cases() if wanted(case.name)]
    return cases + (torch_cases(cache, wanted) if with_torch else [])


def torch_cases(cache: Path, wanted: Callable[[str], bool]) -> list[Case]:
    """ResNet-18, MobileNetV2 and all-MiniLM-L6-v2 as the model suite builds them (test/models/zoo.py),
    and a BERT-style encoder: those `wanted` accepts by name (the others are not built)."""
    import torch

    sys.path.insert(0, str(REPO / "test" / "models"))
    import zoo

    cases = []
    for name in ("resnet18", "mobilenet_v2", "all-MiniLM-L6-v2"):
        if not wanted(name):
            continue
        model = zoo.MODELS[name]()
        path = zoo.export_onnx(model, cache / f"{name}.onnx")
        inputs = {key: value.numpy() for key, value in model.inputs.items()}
        cases.append(Case(name, path, inputs, model.module))
    encoder_name = "bert_encoder (seq 128)"
    if not wanted(encoder_name):
        return cases
    torch.manual_seed(0)

    class Encoder(torch.nn.Module):
        """BERT-base-like shape, smaller: 4 layers, d=256, 4 heads, sequence 128."""

        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(30522, 256)
            self.positions = torch.nn.Parameter(torch.randn(1, 128, 256) * 0.02)
            layer = torch.nn.TransformerEncoderLayer(256, 4, 1024, dropout=0.0, activation="gelu", batch_first=True)
            self.encoder = torch.nn.TransformerEncoder(layer, 4, enable_nested_tensor=False)
            self.norm = torch.nn.LayerNorm(256)

        def forward(self, tokens):
            return self.norm(self.encoder(self.embed(tokens) + self.positions))

    torch.backends.mha.set_fastpath_enabled(False)  # the exporter cannot trace the fused fast path
    encoder = Encoder().eval()
    tokens = torch.randint(0, 30522, (1, 128))
    path = cache / "bert_encoder.onnx"
    _export(encoder, (tokens,), path, ["tokens"])
    cases.append(Case(encoder_name, path, {"tokens": tokens.numpy()}, encoder))
    return cases


def measure(case: Case, threads: int, rounds: int, iterations: int, tune: bool) -> dict[str, object]:
    import onnxruntime as ort

    import gimlet

    bundle_path = Path(tempfile.mkdtemp()) / "model.gimlet"
    bundle = gimlet.compile(case.onnx_path, targets=["cpu"], tune=tune)
    bundle.save(bundle_path)
    strategies = sorted({m["strategy"] for p in bundle.partitions for m in p["modules"].values()})
    session = gimlet.load(bundle_path)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    ort_session = ort.InferenceSession(str(case.onnx_path), options, providers=["CPUExecutionProvider"])
    engines: dict[str, Callable[[], object]] = {
        "gimlet": lambda: session.run(case.inputs),
        "onnxruntime": lambda: ort_session.run(None, case.inputs),
    }
    if case.torch_model is not None:
        import torch

        torch_inputs = [torch.from_numpy(v) for v in case.inputs.values()]

        def eager():
            with torch.inference_mode():
                return case.torch_model(*torch_inputs)

        engines["pytorch"] = eager
    round_trip_before = cross_core_round_trip_us()
    per_round = interleaved_rounds(engines, rounds, iterations)
    results: dict[str, object] = dict(medians(per_round))
    results["round_trip_us"] = (round_trip_before, cross_core_round_trip_us())
    results["vs_ort"] = paired_ratios(per_round["gimlet"], per_round["onnxruntime"])
    results["vs_pytorch"] = paired_ratios(per_round["gimlet"], per_round["pytorch"]) if "pytorch" in per_round else None
    results.setdefault("pytorch", None)
    results["strategy"] = ", ".join(strategies)
    return results


def render(rows: list[tuple[str, dict]], threads: int, tune: bool) -> str:
    import onnxruntime as ort

    import gimlet

    versions = [f"gimlet {gimlet.__version__}", f"onnxruntime {ort.__version__}"]
    try:
        import torch

        versions.append(f"torch {torch.__version__}")
    except ImportError:
        pass
    lines = [
        "# CPU latency: gimlet vs ONNX Runtime vs PyTorch eager",
        "",
        f"Machine: {cpu_name()}, {os.cpu_count()} cores; {threads} thread(s) for every engine; "
        f"batch 1, f32. {', '.join(versions)}. Times: median of per-round medians. Ratios: median of "
        "the per-round ratios (engines interleaved within each round), with their range over rounds. gimlet "
        + ("tuned (`--tune`: every strategy compiled, checked and timed; the fastest kept)." if tune else "with its default strategy per model class (no tuning)."),
        "",
        "| model | gimlet strategy | gimlet (ms) | ONNX Runtime (ms) | PyTorch eager (ms) | gimlet / ORT | gimlet / PyTorch | cross-core round trip (µs) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, result in rows:
        g, o, p = result["gimlet"], result["onnxruntime"], result["pytorch"]
        vs_ort = _ratio(result["vs_ort"])
        eager = f"{p * 1e3:.3f} | {vs_ort} | {_ratio(result['vs_pytorch'])}" if p is not None else f"n/a | {vs_ort} | n/a"
        before, after = result["round_trip_us"]
        lines.append(f"| {name} | {result['strategy']} | {g * 1e3:.3f} | {o * 1e3:.3f} | {eager} | {before:.0f}, {after:.0f} |")
    lines.append("")
    lines.append(
        "Cross-core round trip: a byte sent between processes on two CPUs and back through pipes, just before "
        "and just after the model's rounds (benchmarks/common.py `cross_core_round_trip_us`); the cost of waking a "
        "thread on the other core, which IREE's workers pay between dispatches."
    )
    lines.append("")
    lines.append(f"Reproduce: `{invocation()}` (setup in the script's docstring).")
    return "\n".join(lines) + "\n"


def _ratio(ratios: tuple[float, float, float]) -> str:
    median, lowest, highest = ratios
    return f"{median:.2f} ({lowest:.2f}-{highest:.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description="gimlet vs ONNX Runtime vs PyTorch eager on the CPU")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=20, help="timed runs per engine per round")
    parser.add_argument("--models", help="comma-separated subset of model names (prefix match)")
    parser.add_argument("--output", type=Path, help=f"default: {RESULTS.name}, or {TUNED_RESULTS.name} with --tune")
    parser.add_argument("--no-torch", action="store_true", help="only the shipped examples (no PyTorch needed)")
    parser.add_argument("--tune", action="store_true", help="compile gimlet with --tune (measure every strategy, keep the fastest)")
    args = parser.parse_args()

    import iree.runtime as ireert

    # Before any device exists: IREE's CPU driver gets the same thread count as the others.
    ireert.flags.parse_flags(f"--task_topology_group_count={args.threads}")
    try:
        import torch

        torch.set_num_threads(args.threads)
    except ImportError:
        if not args.no_torch:
            print("PyTorch is not installed; see the docstring for setup, or pass --no-torch", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory() as cache:
        cases = benchmark_cases(Path(cache), args.models, with_torch=not args.no_torch)
        rows = []
        for case in cases:
            print(f"measuring {case.name} ...", file=sys.stderr, flush=True)
            rows.append((case.name, measure(case, args.threads, args.rounds, args.iterations, args.tune)))
    table = render(rows, args.threads, args.tune)
    publish(table, args.output or (TUNED_RESULTS if args.tune else RESULTS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
