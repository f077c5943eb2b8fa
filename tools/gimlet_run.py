"""gimlet-run: run a .gimlet bundle and report its outputs and latency.

    gimlet-run model.gimlet                           # random inputs of the right shapes
    gimlet-run model.gimlet --input x=@x.npy --output-dir out/
    gimlet-run --list-devices

Uses only the runtime (iree-base-runtime and numpy), never the compiler.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import warnings
import time
from pathlib import Path

import numpy as np

from ..errors import GimletError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gimlet-run",
        description="Run a .gimlet bundle: on given inputs, or on random inputs of the right shapes.",
        epilog="example: gimlet-run model.gimlet --input x=@x.npy --repeat 50",
    )
    parser.add_argument("bundle", nargs="?", help="the .gimlet bundle to run")
    parser.add_argument(
        "--input", action="append", default=[], metavar="NAME=@FILE.npy",
        help="an input from a .npy file; repeat for each input (omit all for random inputs)",
    )
    parser.add_argument("--output-dir", metavar="DIR", help="save every output as DIR/<name>.npy")
    parser.add_argument("--repeat", type=int, default=10, metavar="N", help="timed runs after one warm-up (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="seed for random inputs (default 0)")
    parser.add_argument("--devices", metavar="LIST", help="comma-separated targets or drivers the session may use, e.g. cpu")
    parser.add_argument("--profile", action="store_true", help="report each partition's and transfer's measured time beside its estimate")
    parser.add_argument("--profile-output", metavar="FILE", help="write the profile as JSON (for gimletc --profile-feedback); implies --profile")
    parser.add_argument("--list-devices", action="store_true", help="list the IREE drivers here and whether a device opens, then exit")
    return parser


def random_input(shape, dtype: np.dtype, rng: np.random.Generator) -> np.ndarray:
    shape = [d if d is not None else 1 for d in shape]
    if dtype.kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    return rng.integers(0, 10, shape).astype(dtype)


def load_inputs(specs: list[str]) -> dict[str, np.ndarray]:
    inputs = {}
    for spec in specs:
        name, equals, source = spec.partition("=")
        if not equals or not source.startswith("@"):
            raise GimletError(f"--input '{spec}' must be NAME=@FILE.npy")
        path = Path(source[1:])
        try:
            inputs[name] = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as error:
            raise GimletError(f"--input {name}: cannot read {path}: {error}") from None
    return inputs


def summarize(name: str, array: np.ndarray) -> str:
    text = f"{name}: {array.dtype}{list(array.shape)}"
    if array.size and array.dtype.kind in "fiub":
        values = array.astype(np.float64)
        text += f"  min {values.min():.6g}  max {values.max():.6g}  mean {values.mean():.6g}"
    return text


def safe_file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) or "output"


def list_devices() -> int:
    from ..runtime.devices import available_drivers, try_open

    for driver in available_drivers():
        device = try_open(driver)
        print(f"{driver:12s} {'available' if device is not None else 'no device'}")
    return 0


def _warn(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one line each, without the Python source line."""
    print(f"gimlet-run: warning: {' '.join(str(message).removeprefix('gimlet: ').split())}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    warnings.showwarning = _warn
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_devices:
        return list_devices()
    if not args.bundle:
        parser.error("the bundle to run is required")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    try:
        return _run(args)
    except GimletError as error:
        print(f"gimlet-run: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    from ..runtime import load

    devices = [d.strip() for d in args.devices.split(",")] if args.devices else None
    session = load(args.bundle, devices=devices)
    inputs = load_inputs(args.input)
    if not inputs:
        rng = np.random.default_rng(args.seed)
        inputs = {info.name: random_input(info.shape, info.dtype, rng) for info in session.inputs}
        print(f"random inputs (seed {args.seed}):")
        for name, array in inputs.items():
            print(f"  {summarize(name, array)}")
    profiling = args.profile or bool(args.profile_output)
    outputs = session.run(inputs)
    times, profiles = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        session.run(inputs, profile=profiling)
        times.append(time.perf_counter() - started)
        if profiling:
            profiles.append(session.last_profile)
    print("outputs:")
    for name, array in outputs.items():
        print(f"  {summarize(name, array)}")
    placement = ", ".join(f"{p} on {t}" for p, t in session.placement.items())
    print(f"latency: median {statistics.median(times) * 1e3:.3f} ms, min {min(times) * 1e3:.3f} ms over {args.repeat} runs ({placement})")
    if profiling:
        from ..runtime.profiling import Profile

        profile = Profile.median(profiles)
        print(f"profile (medians over {args.repeat} runs):")
        print("  " + profile.render().replace("\n", "\n  "))
        if args.profile_output:
            profile.save(args.profile_output)
            print(f"saved the profile to {args.profile_output}")
    if args.output_dir:
        directory = Path(args.output_dir)
        directory.mkdir(parents=True, exist_ok=True)
        for name, array in outputs.items():
            np.save(directory / f"{safe_file_name(name)}.npy", array)
        print(f"saved {len(outputs)} output(s) to {directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
