"""The CUDA check: compile the model set for `cuda,cpu` and for `cuda`, check numerics, time it.

    pip install -e '.[test]' torch==2.13.0 pillow && pip install --no-deps torchvision==0.28.0
    python benchmarks/gpu_check.py [--device h200] [--rounds 5]

Where a CUDA device exists: for each model (the shipped examples, ResNet-18,
MobileNetV2 and the BERT-style encoder of cpu_latency.py), compiles a bundle
placed by the cost model over `cuda,cpu` and one with everything on `cuda`,
checks both against gimlet on the CPU (max abs and relative error), and prints
median latency for gimlet on CUDA, gimlet on the CPU and PyTorch eager on CUDA
(when PyTorch sees the GPU) in one table, written to
benchmarks/results/gpu_check.md. Exits 1 with a message where no CUDA device
exists, and 2 when a model's CUDA results disagree with the CPU's.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from common import interleaved, publish

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
RESULTS = REPO / "benchmarks" / "results" / "gpu_check.md"
#: f32 on the GPU accumulates in another order than on the CPU.
RTOL = ATOL = 1e-3


def errors(actual: dict, expected: dict) -> tuple[float, float]:
    worst_abs = worst_rel = 0.0
    for name, reference in expected.items():
        difference = np.abs(actual[name].astype(np.float64) - reference.astype(np.float64))
        worst_abs = max(worst_abs, float(difference.max(initial=0)))
        worst_rel = max(worst_rel, float((difference / (np.abs(reference) + 1e-6)).max(initial=0)))
    return worst_abs, worst_rel


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="h200", help="cuda device profile: h100, h200, a100, l4 (default h200)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--no-torch", action="store_true", help="only the shipped examples")
    args = parser.parse_args()

    import gimlet
    from gimlet.runtime.devices import try_open

    if try_open("cuda") is None:
        print("gpu_check: no CUDA device here; run this where `gimlet-run --list-devices` shows cuda available", file=sys.stderr)
        return 1
    from cpu_latency import benchmark_cases

    cuda = f"cuda:device={args.device}"
    rows, disagreements = [], []
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        cases = benchmark_cases(directory, with_torch=not args.no_torch)
        for case in cases:
            print(f"{case.name} ...", file=sys.stderr, flush=True)
            cpu = gimlet.load(gimlet.compile(case.onnx_path, targets=["cpu"]).save(directory / "cpu.gimlet"))
            placed = gimlet.load(gimlet.compile(case.onnx_path, targets=[cuda, "cpu"]).save(directory / "placed.gimlet"))
            only_cuda = gimlet.load(
                gimlet.compile(case.onnx_path, targets=[cuda], fallback="none").save(directory / "cuda.gimlet"), devices=["cuda"]
            )
            expected = cpu.run(case.inputs)
            placed_error = errors(placed.run(case.inputs), expected)
            cuda_error = errors(only_cuda.run(case.inputs), expected)
            for label, (absolute, relative) in (("cuda,cpu", placed_error), ("cuda", cuda_error)):
                if absolute > ATOL and relative > RTOL:
                    disagreements.append(f"{case.name} ({label}): max abs {absolute:.2e}, max rel {relative:.2e}")
            torch_ms = None
            if case.torch_model is not None:
                import torch

                if torch.cuda.is_available():
                    model = case.torch_model.to("cuda")
                    inputs = [torch.from_numpy(v).to("cuda") for v in case.inputs.values()]

                    def eager():
                        with torch.inference_mode():
                            model(*inputs)
                        torch.cuda.synchronize()

                    torch_ms = interleaved({'eager': eager}, args.rounds, 20)['eager'] * 1e3
            rows.append(
                {
                    "model": case.name,
                    "placement": ", ".join(f"{p}:{d}" for p, d in placed.placement.items()),
                    "cuda_ms": interleaved({'run': lambda: only_cuda.run(case.inputs)}, args.rounds, 20)['run'] * 1e3,
                    "placed_ms": interleaved({'run': lambda: placed.run(case.inputs)}, args.rounds, 20)['run'] * 1e3,
                    "cpu_ms": interleaved({'run': lambda: cpu.run(case.inputs)}, args.rounds, 20)['run'] * 1e3,
                    "torch_ms": torch_ms,
                    "error": max(cuda_error[0], placed_error[0]),
                }
            )
    lines = [
        f"# CUDA check ({cuda})",
        "",
        "| model | gimlet cuda (ms) | gimlet cuda,cpu placed (ms) | placement | gimlet cpu (ms) | PyTorch eager cuda (ms) | max abs error vs cpu |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        torch_ms = f"{row['torch_ms']:.3f}" if row["torch_ms"] is not None else "n/a"
        lines.append(
            f"| {row['model']} | {row['cuda_ms']:.3f} | {row['placed_ms']:.3f} | {row['placement']} | {row['cpu_ms']:.3f} | {torch_ms} | {row['error']:.2e} |"
        )
    if disagreements:
        lines += ["", "Disagreements with the CPU beyond 1e-3:", *[f"- {d}" for d in disagreements]]
    table = "\n".join(lines) + "\n"
    publish(table, args.output)
    return 2 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
