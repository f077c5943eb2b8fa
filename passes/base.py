"""What every gimlet pass is made of: a named pass class, rewrite patterns, and a driver.

A pass is a small class with a command-line name (`gimlet-opt --<name>`) and
an `apply(module)` method. Rewrites are one class per pattern: each names the
ops it starts from (`ROOTS`) and rewrites one of them or declines by raising
`NoMatch`. `apply_patterns` walks the module and offers each op to its
patterns; ops that a pattern creates are offered too, so patterns may
decompose an op into simpler ones that other patterns then handle.
"""

from __future__ import annotations

import dataclasses
import shlex
from typing import Callable, ClassVar, Iterable, Sequence

from iree.compiler import ir

PASSES: dict[str, type["ModulePass"]] = {}


class NoMatch(Exception):
    """A pattern declines an op; the reason is kept for debugging and reports."""


class PassFailure(Exception):
    """A pass found the module in a state it cannot handle."""


class ModulePass:
    """A named transformation of a whole module.

    A pass with options is a dataclass whose fields are the options; on the
    command line they follow the pass name MLIR-style:
    `--gimlet-partition="objective=cost sla=5ms pin=conv1=cpu"`. A field typed
    as a list takes a key several times.
    """

    NAME: ClassVar[str]
    DESCRIPTION: ClassVar[str]

    def apply(self, module: ir.Module) -> None:
        raise NotImplementedError

    @classmethod
    def from_option_string(cls, text: str) -> "ModulePass":
        fields = {f.name: f for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else {}
        given: dict[str, list[str]] = {}
        for item in shlex.split(text or ""):
            key, equals, value = item.partition("=")
            key = key.replace("-", "_")
            if not equals or key not in fields:
                valid = ", ".join(name.replace("_", "-") for name in fields) or "none"
                raise PassOptionError(f"--{cls.NAME}: '{item}' is not key=value with a known option; options: {valid}")
            given.setdefault(key, []).append(value)
        options = {}
        for key, values in given.items():
            kind, name = str(fields[key].type), key.replace("_", "-")
            if kind.startswith("list"):
                options[key] = values
            elif kind.startswith("float"):
                options[key] = _number(cls.NAME, name, values[-1], float)
            elif kind.startswith("int"):
                options[key] = _number(cls.NAME, name, values[-1], int)
            elif kind.startswith("bool"):
                options[key] = _flag(cls.NAME, name, values[-1])
            else:
                options[key] = values[-1]
        return cls(**options)


class PassOptionError(ValueError):
    """A pass option on the command line is unknown or malformed."""


def _number(pass_name: str, key: str, text: str, kind: type):
    try:
        return kind(text)
    except ValueError:
        noun = {int: "an integer", float: "a number"}[kind]
        raise PassOptionError(f"--{pass_name}: option {key}={text} is not {noun}") from None


def _flag(pass_name: str, key: str, text: str) -> bool:
    """A boolean option: anything but these words was read as false, so a misspelt `=ture` turned
    an option off without a word."""
    value = text.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise PassOptionError(f"--{pass_name}: option {key}={text} is not a boolean (true or false)")


def register_pass(cls: type[ModulePass]) -> type[ModulePass]:
    """Class decorator: make the pass available by name to pipelines and gimlet-opt."""
    PASSES[cls.NAME] = cls
    return cls


class RewritePattern:
    """Rewrites one op whose name is in ROOTS, or raises NoMatch."""

    ROOTS: ClassVar[tuple[str, ...]]

    def rewrite(self, op: ir.Operation) -> Sequence[ir.Value | None]:
        """Build the replacement before `op` and return one value per result of `op`.

        The driver replaces the results and erases `op`. None stands for a
        result that has no uses and no replacement.
        """
        raise NotImplementedError


def pattern_table(patterns: Iterable[RewritePattern]) -> dict[str, list[RewritePattern]]:
    table: dict[str, list[RewritePattern]] = {}
    for pattern in patterns:
        for root in pattern.ROOTS:
            table.setdefault(root, []).append(pattern)
    return table


#: The ops that are functions: gimlet's own IR, and IREE's after its input conversion.
FUNCTION_OPS = ("func.func", "util.func")


def functions(module: ir.Module) -> list[ir.Operation]:
    return [op.operation for op in module.body.operations if op.operation.name in FUNCTION_OPS]


def block_ops(block: ir.Block) -> list[ir.Operation]:
    return [op.operation for op in block.operations]


def defining_op(value: ir.Value) -> ir.Operation | None:
    """The op that made `value`; None for a block argument."""
    if isinstance(value, ir.BlockArgument):
        return None
    owner = value.owner
    return getattr(owner, "operation", owner)


def apply_patterns(
    module: ir.Module,
    patterns: Iterable[RewritePattern],
    on_no_match: Callable[[ir.Operation, str], None] | None = None,
) -> int:
    """Offer every op in every function body to its patterns until none applies.

    Returns the number of rewrites. `on_no_match(op, reason)` hears about ops
    that had patterns but none applied.
    """
    table = pattern_table(patterns)
    rewrites = 0
    for function in functions(module):
        for region in function.regions:
            for block in region.blocks:
                rewrites += _rewrite_block(block, table, on_no_match)
    return rewrites


def _rewrite_block(block, table, on_no_match) -> int:
    rewrites = 0
    declined: set = set()
    changed = True
    while changed:
        changed = False
        for op in block_ops(block):
            candidates = table.get(op.name)
            if not candidates or op in declined:
                continue
            reasons = []
            for pattern in candidates:
                try:
                    with ir.InsertionPoint(op), op.location:
                        replacements = pattern.rewrite(op)
                except NoMatch as no_match:
                    reasons.append(f"{type(pattern).__name__}: {no_match}")
                    continue
                replace_op(op, replacements)
                rewrites += 1
                changed = True
                break
            else:
                declined.add(op)
                if on_no_match is not None:
                    on_no_match(op, "; ".join(reasons))
    return rewrites


def replace_op(op: ir.Operation, replacements: Sequence[ir.Value | None]) -> None:
    results = list(op.results)
    if len(replacements) != len(results):
        raise PassFailure(f"{op.name}: a pattern gave {len(replacements)} replacements for {len(results)} results")
    for result, replacement in zip(results, replacements):
        if replacement is None:
            if list(result.uses):
                raise PassFailure(f"{op.name}: a pattern dropped result #{result.result_number}, which is used")
            continue
        if replacement.type != result.type:
            raise PassFailure(
                f"{op.name}: a pattern replaced a result of type {result.type} with one of type {replacement.type}"
            )
        result.replace_all_uses_with(replacement)
    op.erase()


def erase_dead_ops(block: ir.Block, is_removable: Callable[[ir.Operation], bool]) -> int:
    """Erase ops whose results are all unused and that `is_removable` accepts, last to first.

    Ops without results (terminators, stores) are never erased.
    """
    erased = 0
    changed = True
    while changed:
        changed = False
        for op in reversed(block_ops(block)):
            results = list(op.results)
            if results and is_removable(op) and all(not list(r.uses) for r in results):
                op.erase()
                erased += 1
                changed = True
    return erased
