"""Cross-device execution measured: models split across the CPU and Vulkan (lavapipe here).

    python benchmarks/heterogeneous.py [--repeat 10]

For each split model: every partition's measured time beside the cost
model's estimate for the device it ran on, and every transfer's bytes, time
and estimate (medians over runs). Estimates use the calibrated profiles
if `gimlet-calibrate` wrote them, else datasheet and host figures. Writes
benchmarks/results/heterogeneous.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx

import gimlet
from gimlet.runtime import Profile
from gimlet.runtime.devices import try_open
from common import invocation, publish

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "heterogeneous.md"
LIGHT = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"

#: model → node patterns pinned to Vulkan (everything else pinned to the CPU)
SPLITS = {
    "mlp": (REPO / "examples" / "mlp.onnx", "fc1|relu1|fc2"),
    "cnn": (REPO / "examples" / "cnn.onnx", "conv2.*|pool1"),
    "transformer": (REPO / "examples" / "transformer.onnx", "q_proj.*|k_proj.*|v_proj.*|scores|scale_scores|mask_scores|attention_softmax|context"),
    "light_squeezenet": (LIGHT / "light_squeezenet.onnx", "n6[34]"),
}


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1e3:.3f}"


def measure(name: str, model: Path, pattern: str, directory: Path, repeat: int) -> list[str]:
    bundle = gimlet.compile(model, targets=["cpu", "vulkan"], pins=[".*=cpu", f"{pattern}=vulkan"])
    session = gimlet.load(bundle.save(directory / f"{name}.gimlet"))
    rng = np.random.default_rng(0)
    feeds = {
        i.name: rng.standard_normal(i.shape).astype(i.dtype) if i.dtype.kind == "f" else rng.integers(0, 100, i.shape).astype(i.dtype)
        for i in session.inputs
    }
    session.run(feeds)  # warm up (lavapipe compiles its shaders on first use)
    profiles = []
    for _ in range(repeat):
        session.run(feeds, profile=True)
        profiles.append(session.last_profile)
    profile = Profile.median(profiles)
    rows = []
    for p in profile.partitions:
        rows.append(f"| {name} | partition {p.partition} | {p.device} | | {ms(p.measured_s)} | {ms(p.estimated_s)} |")
    for t in profile.transfers:
        rows.append(f"| {name} | {t.tensor} | {t.source}→{t.destination} | {t.bytes / 1e3:.1f} | {ms(t.measured_s)} | {ms(t.estimated_s)} |")
    rows.append(f"| {name} | **total** | | | {ms(profile.total_s)} | {ms(bundle.manifest['placement']['latency_s'])} |")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if try_open("vulkan") is None:
        print("no Vulkan device here (apt install mesa-vulkan-drivers)", file=sys.stderr)
        return 1
    lines = [
        "# Cross-device execution: CPU + Vulkan (lavapipe)",
        "",
        f"Median over {args.repeat} runs after a warm-up. kB only for transfers; estimated = the cost model's figure",
        "for the device that ran it (the model's predicted end-to-end latency on the total row).",
        "",
        "| model | partition or tensor | device / route | kB | measured ms | estimated ms |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    with tempfile.TemporaryDirectory() as scratch:
        for name, (model, pattern) in SPLITS.items():
            print(f"measuring {name} ...", file=sys.stderr)
            lines += measure(name, model, pattern, Path(scratch), args.repeat)
    lines += ["", f"Reproduce: `{invocation()}` (needs a Vulkan device).", ""]
    table = "\n".join(lines)
    publish(table, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
