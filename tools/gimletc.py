"""gimletc: compile a model into a .gimlet bundle.

    gimletc model.onnx                              # host CPU, writes model.gimlet beside the model
    gimletc model.onnx --targets cuda:arch=sm_90,cpu -o model.gimlet
    gimletc model.onnx --input-shape x=1,3,224,224 --save-temps temps/
"""

from __future__ import annotations

import argparse
import sys
import warnings
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from rich.console import Console

from ..errors import GimletError, OptionError
from ..targets import available_targets, split_target_list

EPILOG = """\
targets:
  A target is NAME[:KEY=VALUE,...]; give several separated by commas or by
  repeating --targets. Each gets its own IREE module in the bundle; the
  weights are stored once. Known targets (see --list-targets for options):
  {targets}.

examples:
  gimletc examples/cnn.onnx
  gimletc model.onnx --targets cpu:triple=aarch64-linux-gnu -o edge.gimlet
  GIMLET_SAVE_TEMPS=temps gimletc model.onnx     # keep every intermediate

exit status: 0 on success, 1 on a compile error (one line on stderr), 2 on bad usage.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gimletc",
        description="Compile an ONNX model into a .gimlet bundle: IREE modules per target plus the weights, once.",
        epilog=EPILOG.format(targets=", ".join(sorted(available_targets()))),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", nargs="?", help="the model to compile (.onnx)")
    parser.add_argument("-o", "--output", help="bundle to write (default: the model's path with .gimlet)")
    parser.add_argument(
        "-t", "--targets", action="append", default=None, metavar="TARGETS",
        help="comma-separated targets, e.g. cpu or cuda:arch=sm_90,cpu (default: cpu)",
    )
    parser.add_argument(
        "--input-shape", action="append", default=[], metavar="NAME=D0,D1,...",
        help="fix the shape of an input (replaces symbolic dimensions); repeatable",
    )
    parser.add_argument("--save-temps", metavar="DIR", help="keep every intermediate (IR after each pass, iree-compile command lines) in DIR")
    parser.add_argument("--iree-flag", action="append", default=[], metavar="FLAG", help="extra flag for every iree-compile run; repeatable")
    parser.add_argument("-j", "--jobs", type=int, metavar="N", help="iree-compile processes at once (default: one per CPU core)")
    parser.add_argument(
        "--tune", action="store_true",
        help="try every compile strategy of each partition's target on the devices here, keep the fastest "
        "(checked against the default's outputs; cached, so recompiling reuses the choice)",
    )
    placement = parser.add_argument_group("placement (with several targets)")
    placement.add_argument("--objective", choices=("latency", "cost"), default="latency", help="minimise latency (default) or money per inference")
    placement.add_argument("--sla", metavar="TIME", help="latency bound, e.g. 5ms; with --objective cost, the cheapest placement meeting it")
    placement.add_argument("--pin", action="append", default=[], metavar="REGEX=DEVICE", help="place nodes whose name matches REGEX (in full) on DEVICE; repeatable")
    placement.add_argument("--link", action="append", default=[], metavar="A-B=RATE,LATENCY", help="a direct link between two devices, e.g. edge-cloud=50Mbit/s,20ms; repeatable")
    placement.add_argument("--fallback", choices=("cpu", "none", "all"), default="cpu", help="extra modules per partition: a CPU one (default), none, or one per target")
    placement.add_argument("--placement-method", choices=("auto", "exact", "heuristic"), default="auto", help="exact (HiGHS) where small enough, or a heuristic (default auto)")
    placement.add_argument("--profiles", metavar="FILE", help="calibrated device profiles (default: the file gimletc --calibrate wrote, if any)")
    placement.add_argument("--profile-feedback", metavar="FILE", help="re-plan with measured times from gimlet-run --profile-output FILE")
    placement.add_argument(
        "--explain", nargs="?", const="text", choices=("text", "json", "svg", "png", "dot"), metavar="FORMAT",
        help="show every op's estimates and why it runs where it does: text (default), json, svg, png or dot",
    )
    placement.add_argument("--explain-output", metavar="FILE", help="write the explanation to FILE (default: stdout; svg/png beside the bundle)")
    parser.add_argument(
        "--calibrate", action="store_true",
        help="measure the devices of --targets present here (default: all) with IREE microbenchmarks and save "
        "their profiles (to --profiles, else the default profile file); the cost model then uses them",
    )
    parser.add_argument("--list-targets", action="store_true", help="list the known targets and their options, then exit")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    verbosity.add_argument("-v", "--verbose", action="store_true", help="also print the native-coverage report and the targets' IREE flags")
    parser.add_argument("--traceback", action="store_true", help="on an internal error, print the Python traceback (for bug reports)")
    return parser


def parse_targets(values: list[str] | None) -> list[str]:
    return [spec for value in values or ["cpu"] for spec in split_target_list(value)]


def parse_shapes(values: list[str]) -> dict[str, list[int]]:
    shapes = {}
    for value in values:
        name, equals, dims = value.partition("=")
        try:
            shapes[name] = [int(d) for d in dims.split(",") if d.strip()]
        except ValueError:
            raise OptionError(f"--input-shape '{value}' must be NAME=D0,D1,... with integer dimensions") from None
        if not equals or not name:
            raise OptionError(f"--input-shape '{value}' must be NAME=D0,D1,...")
    return shapes


class ConsoleProgress:
    """Shows each long step with a spinner (on a terminal) or a line (in logs), with its duration."""

    def __init__(self, console: Console, quiet: bool):
        self.console = console
        self.quiet = quiet

    @contextmanager
    def step(self, description: str) -> Iterator[None]:
        if self.quiet:
            yield
            return
        started = time.perf_counter()
        if self.console.is_terminal:
            with self.console.status(f"{description} ..."):
                yield
        else:
            yield
        self.console.print(f"  {description:<40} {time.perf_counter() - started:6.2f} s", highlight=False)


def list_targets(console: Console) -> None:
    for name, cls in sorted(available_targets().items()):
        console.print(f"[bold]{name}[/bold]  (runtime driver: {cls.DRIVER})")
        for option, description in cls.OPTIONS.items():
            console.print(f"    {name}:{option}=...  {description}", highlight=False)


def _warn(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one line each, without the Python source line."""
    print(f"gimletc: warning: {' '.join(str(message).removeprefix('gimlet: ').split())}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    warnings.showwarning = _warn
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console(stderr=False, soft_wrap=True)
    if args.list_targets:
        list_targets(console)
        return 0
    if not args.model and not args.calibrate:
        parser.error("the model to compile is required")
    try:
        if args.calibrate:
            _calibrate(args, console)
            if not args.model:
                return 0
        return _compile(args, console)
    except GimletError as error:
        print(f"gimletc: error: {_one_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("gimletc: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # an internal error: one line, the traceback only on request
        if args.traceback:
            traceback.print_exc()
        print(f"gimletc: internal error: {type(error).__name__}: {_one_line(error)} (rerun with --traceback and report it)", file=sys.stderr)
        return 1


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _calibrate(args: argparse.Namespace, console: Console) -> None:
    from ..targets import get_target
    from ..targets.perf import default_profile_path
    from .gimlet_calibrate import calibrate_and_save

    names = [get_target(spec).NAME for spec in parse_targets(args.targets)] if args.targets else sorted(available_targets())
    output = Path(args.profiles) if args.profiles else default_profile_path()
    calibrate_and_save(names, output, console, quiet=args.quiet)


def _compile(args: argparse.Namespace, console: Console) -> int:
    from ..compiler.api import compile as compile_model
    from ..compiler.options import CompileOptions

    from ..targets import get_target

    model = Path(args.model)
    output = Path(args.output) if args.output else model.with_suffix(".gimlet")
    for spec in parse_targets(args.targets):
        get_target(spec)  # fail on a bad target before any work
    options = CompileOptions(
        targets=parse_targets(args.targets),
        input_shapes=parse_shapes(args.input_shape),
        save_temps=Path(args.save_temps) if args.save_temps else None,
        extra_iree_flags=list(args.iree_flag),
        objective=args.objective,
        sla=args.sla,
        pins=list(args.pin),
        links=list(args.link),
        placement_method=args.placement_method,
        fallback=args.fallback,
        profiles=Path(args.profiles) if args.profiles else None,
        profile_feedback=Path(args.profile_feedback) if args.profile_feedback else None,
        jobs=args.jobs,
        tune=args.tune,
    )
    if not args.quiet:
        console.print(f"gimletc: compiling {model} for {', '.join(options.targets)}", highlight=False)
    started = time.perf_counter()
    bundle = compile_model(model, targets=options.targets, options=options, progress=ConsoleProgress(console, args.quiet))
    bundle.save(output)
    elapsed = time.perf_counter() - started
    if args.verbose:
        _print_details(console, bundle)
    if args.explain:
        _explain(bundle.manifest, args, output, console)
    if not args.quiet:
        sizes = {name: len(data) for name, data in bundle.members.items()}
        weights = sum(size for name, size in sizes.items() if name.startswith("weights/"))
        modules = len(sizes) - (1 if weights else 0)
        console.print(
            f"gimletc: wrote {output} ({output.stat().st_size / 1024:.0f} kB: {modules} module(s), "
            f"weights {weights / 1024:.0f} kB) in {elapsed:.1f} s",
            highlight=False,
        )
    return 0


def _explain(manifest: dict, args: argparse.Namespace, bundle_path: Path, console: Console) -> None:
    from ..compiler.explain import render

    rendered = render(manifest, args.explain)
    destination = args.explain_output
    if destination is None and args.explain in ("svg", "png"):
        destination = str(bundle_path.with_suffix(f".placement.{args.explain}"))
    if destination is None:
        sys.stdout.write(rendered)
        return
    Path(destination).write_bytes(rendered if isinstance(rendered, bytes) else rendered.encode())
    if not args.quiet:
        console.print(f"gimletc: wrote the placement explanation to {destination}", highlight=False)


def _print_details(console: Console, bundle) -> None:
    coverage = bundle.manifest.get("coverage", {})
    native, foreign = coverage.get("native", {}), coverage.get("foreign", {})
    total = sum(native.values()) + sum(foreign.values())
    console.print(f"native coverage: {sum(native.values())} of {total} ops", highlight=False)
    for name, count in sorted(foreign.items()):
        console.print(f"  foreign {count:4d}  {name}", highlight=False)
    for partition in bundle.partitions:
        for target, module in partition["modules"].items():
            console.print(
                f"{partition['name']} on {module['target']}: strategy {module['strategy']}: iree-compile {' '.join(module['flags'])}",
                highlight=False,
            )
            for strategy, seconds in module.get("tuning", {}).items():
                measured = f"{seconds * 1e3:.3f} ms" if seconds is not None else "failed or disagreed"
                console.print(f"    tuned {strategy}: {measured}", highlight=False)


if __name__ == "__main__":
    sys.exit(main())
