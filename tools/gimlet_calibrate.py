"""gimlet-calibrate: measure the devices here and write calibrated profiles for the cost model.

    gimlet-calibrate                          # every target with a device here, into the default file
    gimlet-calibrate --targets cpu,vulkan -o profiles.json

The placement reads the default file (see `gimletc --profiles`) when it exists.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import traceback
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..errors import GimletError, OptionError
from ..runtime.devices import DeviceError
from ..targets import available_targets, get_target
from ..compiler.calibration import TargetCalibration, calibrate_present
from ..targets.perf import OP_CLASSES, DeviceProfile, default_profile_path, load_profiles, save_profiles
from .gimletc import ConsoleProgress

EPILOG = """\
Each target's device is measured with microbenchmarks compiled by iree-compile
(a compute-bound matmul, streaming ops of every op class, a tiny kernel, and for
devices with a host link, transfers); targets without a device here are skipped.
Profiles already in the output file for other targets are kept.

exit status: 0 when at least one target was calibrated, 1 on an error or when
none was (one line on stderr), 2 on bad usage.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gimlet-calibrate",
        description="Measure this machine's devices and write calibrated performance profiles for gimlet's cost model.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-t", "--targets", metavar="NAMES",
        help=f"comma-separated target names (default: every known target: {', '.join(sorted(available_targets()))})",
    )
    parser.add_argument("-o", "--output", metavar="PATH", help=f"profile file to write (default: {default_profile_path()})")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument("--traceback", action="store_true", help="on an internal error, print the Python traceback (for bug reports)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console(soft_wrap=True)
    try:
        names = parse_target_names(args.targets)
        output = Path(args.output) if args.output else default_profile_path()
        calibrate_and_save(names, output, console, quiet=args.quiet)
        return 0
    except GimletError as error:
        print(f"gimlet-calibrate: error: {_one_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("gimlet-calibrate: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # an internal error: one line, the traceback only on request
        if args.traceback:
            traceback.print_exc()
        print(f"gimlet-calibrate: internal error: {type(error).__name__}: {_one_line(error)} (rerun with --traceback and report it)", file=sys.stderr)
        return 1


def parse_target_names(text: str | None) -> list[str]:
    """Target names (options are not calibrated: a profile belongs to a target's device)."""
    if not text:
        return sorted(available_targets())
    names = [name.strip() for name in text.split(",") if name.strip()]
    for name in names:
        if ":" in name:
            raise OptionError(f"--targets takes target names without options; got '{name}'")
        get_target(name)  # an unknown name fails here, listing the known ones
    return names


class CalibrationNotes(ConsoleProgress):
    """The compiler's progress display, plus a line for each target skipped."""

    def skipped(self, target: str, reason: str) -> None:
        if not self.quiet:
            self.console.print(f"  {target}: skipped ({reason})", highlight=False)


def calibrate_and_save(target_names: list[str], output: Path, console: Console, quiet: bool = False) -> dict[str, DeviceProfile]:
    """Calibrate the targets with a device here, merge their profiles into `output`, print what was
    measured against the profiles they replace; GimletError when no target could be calibrated.
    This is `gimletc --calibrate`."""
    results = calibrate_present(target_names, CalibrationNotes(console, quiet))
    if not results:
        raise DeviceError(f"no device here for any of the targets {', '.join(target_names)}; nothing was calibrated")
    profiles = load_profiles(output) if output.exists() else {}
    profiles.update({result.target: result.profile for result in results})
    output.parent.mkdir(parents=True, exist_ok=True)
    save_profiles(output, profiles)
    if not quiet:
        for result in results:
            console.print(comparison_table(result))
            if result.machine_was_busy:
                console.print(
                    f"warning: {result.target}: other processes were busy while measuring (load average "
                    f"{result.load_average:.1f} on {os.cpu_count()} cores); figures may be too slow, calibrate again when idle",
                    highlight=False,
                )
        console.print(f"gimlet-calibrate: wrote {', '.join(r.target for r in results)} to {output}", highlight=False)
    return {result.target: result.profile for result in results}


def comparison_table(result: TargetCalibration) -> Table:
    """Measured figures beside the profile they replace. Efficiencies are shown as the effective
    rate and bandwidth they give each op class, the only form comparable across profiles."""
    measured, base = result.profile, result.base
    table = Table(title=f"{result.target}: {result.device_name}", title_justify="left")
    table.add_column("figure")
    table.add_column("measured", justify="right")
    table.add_column(f"{base.name} ({'estimate' if 'estimated' in base.source else 'datasheet'})", justify="right")
    table.add_column("ratio", justify="right")

    def row(figure: str, value: float, reference: float, unit: float, digits: int = 1) -> None:
        shown = [f"{v / unit:.{digits}f}" if math.isfinite(v) else "-" for v in (value, reference)]
        ratio = f"{value / reference:.2f}" if math.isfinite(value) and math.isfinite(reference) and reference else "-"
        table.add_row(figure, *shown, ratio)

    row("f32 peak (GFLOP/s)", measured.peak_ops["f32"], base.peak_ops["f32"], 1e9)
    row("memory bandwidth (GB/s)", measured.memory_bandwidth, base.memory_bandwidth, 1e9)
    row("launch overhead (µs)", measured.launch_overhead, base.launch_overhead, 1e-6)
    if result.link is not None:
        row("host link (GB/s)", measured.host_bandwidth, base.host_bandwidth, 1e9, 2)
        row("host latency (µs)", measured.host_latency, base.host_latency, 1e-6)
    kinds = [*OP_CLASSES, *sorted(k for k in measured.efficiency if k.startswith("gimlet."))]
    for op_class in kinds:
        base_class = op_class if op_class in OP_CLASSES else "contraction"
        (compute, memory), (base_compute, base_memory) = measured.efficiency_of(op_class, op_class), base.efficiency_of(base_class)
        row(f"{op_class} GFLOP/s", measured.peak_ops["f32"] * compute, base.peak_ops["f32"] * base_compute, 1e9)
        row(f"{op_class} GB/s", measured.memory_bandwidth * memory, base.memory_bandwidth * base_memory, 1e9)
    table.add_row("call overhead (µs)", f"{result.call_overhead * 1e6:.1f}", "-", "-")
    table.caption = "call overhead: entering a module from the host and waiting for it (not in the profile)"
    return table


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


if __name__ == "__main__":
    sys.exit(main())
