"""What the real-model suite measures and the table it writes (benchmarks/results/model_suite.md)."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path

import zoo

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "model_suite.md"
PATHS = ("pytorch", "onnx")
CASES = [(name, path) for name in zoo.MODELS for path in PATHS]


@dataclass
class Row:
    model: str
    path: str
    native_fraction: float | None = None
    native_ops: int | None = None
    foreign: dict | None = None
    compile_s: float | None = None
    bundle_bytes: int | None = None
    max_abs: float | None = None
    max_rel: float | None = None
    scale: float | None = None
    error: str | None = None


def table(rows: list[Row], elapsed: float) -> str:
    lines = [
        "# Real-model suite",
        "",
        "`python -m pytest test/models -q` (see test/models/README.md): each model compiled by gimlet",
        "through PyTorch (torch.export → IREE's FX importer) and through ONNX (torch.onnx.export,",
        "opset 17, TorchScript exporter), run on the CPU and compared with PyTorch eager.",
        "",
        f"Host: {platform.machine()}, {os.cpu_count()} CPU(s); suite wall time {elapsed / 60:.1f} min.",
        "",
        "| Model | Path | Native | Foreign ops left | Compile (s) | Bundle (MB) | Max abs err | Max rel err |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row.error is not None and row.native_fraction is None:
            lines.append(f"| {row.model} | {row.path} | failed: {row.error} | | | | | |")
            continue
        foreign = ", ".join(f"{name} ×{count}" for name, count in sorted(row.foreign.items())) or "none"
        lines.append(
            f"| {row.model} | {row.path} | {100 * row.native_fraction:.1f}% of {row.native_ops + sum(row.foreign.values())} ops "
            f"| {foreign} | {row.compile_s:.1f} | {row.bundle_bytes / 1e6:.1f} "
            f"| {_number(row.max_abs)} | {_number(row.max_rel)} |"
        )
    lines += [
        "",
        "- Native: gimlet ops over all compute ops right after raising (gimlet.constant and the",
        "  torch_c conversions are not counted); foreign ops are torch ops lowered by torch-mlir.",
        "- Compile: wall time of gimlet.compile for the CPU (for PyTorch, torch.export included; for",
        "  ONNX, the export to ONNX not included); on 2 shared cores it varies by up to 2x between runs.",
        "- Bundle: the saved .gimlet file, weights included.",
        "- Errors against PyTorch eager on the same inputs: max |gimlet − torch|, and that divided",
        "  by max |torch| (the output's scale). The tests assert rtol 1e-4 with atol 1e-5 × scale.",
        "",
    ]
    return "\n".join(lines)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2e}"
