"""Compilation targets, found by name: `get_target("cpu:triple=aarch64-linux-gnu")`."""

from __future__ import annotations

from ..errors import OptionError
from .base import Target
from .cpu import CpuTarget

TARGETS: dict[str, type[Target]] = {CpuTarget.NAME: CpuTarget}


def get_target(spec: str) -> Target:
    """Parse `name[:key=value,...]` into a Target, with errors that list what is valid."""
    name, _, rendered = spec.partition(":")
    name = name.strip()
    if name not in TARGETS:
        raise OptionError(f"unknown target '{name}'; known targets: {', '.join(sorted(TARGETS))}")
    cls = TARGETS[name]
    options: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in rendered.split(","))):
        key, equals, value = item.partition("=")
        if not equals or not value:
            raise OptionError(f"target option '{item}' of '{spec}' must be key=value")
        if key not in cls.OPTIONS:
            valid = ", ".join(f"{k} ({d})" for k, d in cls.OPTIONS.items()) or "none"
            raise OptionError(f"target '{name}' has no option '{key}'; its options: {valid}")
        options[key] = value
    return cls(options)


__all__ = ["TARGETS", "CpuTarget", "Target", "get_target"]
