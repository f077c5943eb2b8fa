"""What a compilation target is: IREE flags to compile for it and the runtime driver that runs it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class Target:
    """One kind of device gimlet compiles for.

    Subclasses name the target, document their options (`OPTIONS`, shown in
    errors and --help) and turn them into iree-compile flags.
    """

    NAME: ClassVar[str]
    #: iree.runtime driver that runs modules compiled for this target.
    DRIVER: ClassVar[str]
    #: option name → one-line description.
    OPTIONS: ClassVar[dict[str, str]] = {}

    options: dict[str, str] = field(default_factory=dict)

    def compile_flags(self) -> list[str]:
        raise NotImplementedError

    def describe(self) -> str:
        rendered = ",".join(f"{k}={v}" for k, v in sorted(self.options.items()))
        return f"{self.NAME}:{rendered}" if rendered else self.NAME
