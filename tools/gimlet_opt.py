"""gimlet-opt: run gimlet passes on an .mlir file and print the result (the lit test driver).

    gimlet-opt --gimlet-raise-torch --gimlet-verify input.mlir
    gimlet-opt --split-input-file --gimlet-verify cases.mlir   # one case per `// -----` chunk

Passes run in command-line order. Errors print as `error: ...` on stderr and
the exit status is 1; with --split-input-file every chunk is still tried.
"""

from __future__ import annotations

import argparse
import sys
import traceback

from iree.compiler import ir

from ..compiler.context import new_context
from ..compiler.driver import describe_mlir_error
from ..dialects import VerificationError
from ..errors import GimletError
from ..passes import PASSES, PassFailure
from ..passes.base import PassOptionError

SPLIT_MARKER = "// -----"


def split_passes(argv: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Take `--pass-name` and `--pass-name="key=value ..."` out of argv, in order; return them and the rest."""
    passes, rest = [], []
    for arg in argv:
        name, _, options = arg[2:].partition("=") if arg.startswith("--") else ("", "", "")
        if name in PASSES:
            passes.append((name, options))
        else:
            rest.append(arg)
    return passes, rest


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gimlet-opt",
        description="Run gimlet passes on an MLIR file and print the result.",
        epilog="Passes run in the order given. Example: gimlet-opt --gimlet-raise-torch model.mlir",
    )
    parser.add_argument("input", help="input .mlir file ('-' for stdin)")
    parser.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    parser.add_argument("--split-input-file", action="store_true", help=f"process each '{SPLIT_MARKER}' chunk separately")
    parser.add_argument("--mlir-print-debuginfo", action="store_true", help="print locations")
    parser.add_argument("--traceback", action="store_true", help="print the Python traceback of internal errors")
    parser.add_argument(
        "--mlir-elide-elementsattrs-if-larger", type=int, default=None, metavar="N", help="elide constants with more than N elements"
    )
    group = parser.add_argument_group("passes (options as --pass-name=\"key=value ...\")")
    for name, cls in sorted(PASSES.items()):
        group.add_argument(f"--{name}", action="store_true", help=cls.DESCRIPTION)
    return parser


def run_chunk(text: str, passes: list[tuple[str, str]], args: argparse.Namespace) -> tuple[str, str | None]:
    """Parse, transform and print one chunk; returns (output, error message or None)."""
    context = new_context()
    with context, ir.Location.unknown():
        try:
            module = ir.Module.parse(text)
            for name, options in passes:
                PASSES[name].from_option_string(options).apply(module)
        except ir.MLIRError as error:
            return "", describe_mlir_error(error)
        except (VerificationError, PassFailure, PassOptionError, GimletError) as error:
            return "", str(error)
        except Exception as error:  # a gimlet bug: one line here; --traceback shows where
            if args.traceback:
                traceback.print_exc()
            return "", f"internal error in a pass: {type(error).__name__}: {error} (rerun with --traceback and report it)"
        output = module.operation.get_asm(
            enable_debug_info=args.mlir_print_debuginfo, large_elements_limit=args.mlir_elide_elementsattrs_if_larger
        )
        return output, None


def main(argv: list[str] | None = None) -> int:
    passes, rest = split_passes(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(rest)
    try:
        text = sys.stdin.read() if args.input == "-" else open(args.input).read()
    except OSError as error:
        print(f"error: {args.input}: {error.strerror}", file=sys.stderr)
        return 1
    chunks = text.split(SPLIT_MARKER) if args.split_input_file else [text]
    outputs, failed = [], False
    for chunk in chunks:
        output, error = run_chunk(chunk, passes, args)
        if error is not None:
            failed = True
            print(f"error: {error}", file=sys.stderr)
        outputs.append(output)
    rendered = f"\n{SPLIT_MARKER}\n".join(outputs)
    if args.output == "-":
        sys.stdout.write(rendered)
    else:
        with open(args.output, "w") as stream:
            stream.write(rendered)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
