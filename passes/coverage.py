"""gimlet-coverage: how much of a model is native gimlet ops, and which torch ops are still foreign.

Constants, yields and the torch_c conversions are bookkeeping, not compute,
and are not counted on either side.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field

from iree.compiler import ir

from ..dialects import Constant, Foreign, Yield, view
from .base import ModulePass, register_pass

_BOOKKEEPING = (Constant.operation_name(), Yield.operation_name(), Foreign.operation_name())


@dataclass
class Coverage:
    """Native gimlet ops and foreign torch ops of one module, by name."""

    native: Counter = field(default_factory=Counter)
    foreign: Counter = field(default_factory=Counter)

    @property
    def native_count(self) -> int:
        return sum(self.native.values())

    @property
    def foreign_count(self) -> int:
        return sum(self.foreign.values())

    @property
    def native_fraction(self) -> float:
        total = self.native_count + self.foreign_count
        return self.native_count / total if total else 1.0

    def report(self, title: str = "module") -> str:
        lines = [
            f"gimlet coverage of {title}: {self.native_count} native, {self.foreign_count} foreign "
            f"({100 * self.native_fraction:.1f}% native)"
        ]
        for name, count in sorted(self.native.items()):
            lines.append(f"  native  {count:5d}  {name}")
        for name, count in sorted(self.foreign.items()):
            lines.append(f"  foreign {count:5d}  {name}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "native": dict(self.native),
            "foreign": dict(self.foreign),
            "native_fraction": self.native_fraction,
        }


def measure_coverage(module: ir.Module) -> Coverage:
    coverage = Coverage()

    def visit(op):
        if op.name == Foreign.operation_name():
            coverage.foreign.update(Foreign(op).op_names())
        elif view(op) is not None and op.name not in _BOOKKEEPING:
            coverage.native[_native_name(op)] += 1
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return coverage


def _native_name(op: ir.Operation) -> str:
    """Elementwise ops are reported by function (gimlet.elementwise[relu]) to show what is covered."""
    if op.name == "gimlet.elementwise":
        return f"gimlet.elementwise[{ir.StringAttr(op.attributes['fn']).value}]"
    return op.name


@register_pass
class CoverageReport(ModulePass):
    """Print the native-coverage report of the module to stderr; the module is unchanged."""

    NAME = "gimlet-coverage"
    DESCRIPTION = "Report native gimlet ops vs foreign torch ops (stderr)"

    def apply(self, module: ir.Module) -> None:
        print(measure_coverage(module).report(), file=sys.stderr)
