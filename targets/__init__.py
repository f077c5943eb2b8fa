"""Compilation targets, found by name: `get_target("cpu:triple=aarch64-linux-gnu")`.

Third-party packages add targets through the `gimlet.targets` entry point
group: each entry point names a `Target` subclass, registered under its NAME.
That is how an accelerator vendor plugs a device into gimlet.
"""

from __future__ import annotations

import warnings
from importlib import metadata

from ..errors import OptionError
from .base import Target
from .cpu import CpuTarget
from .gpu import CudaTarget, MetalTarget, RocmTarget, VulkanTarget

ENTRY_POINT_GROUP = "gimlet.targets"

TARGETS: dict[str, type[Target]] = {
    cls.NAME: cls for cls in (CpuTarget, CudaTarget, RocmTarget, VulkanTarget, MetalTarget)
}
_plugins_loaded = False


def register_target(cls: type[Target]) -> type[Target]:
    """Make a Target subclass available by its NAME (also usable as a class decorator)."""
    if not (isinstance(cls, type) and issubclass(cls, Target)):
        raise TypeError(f"{cls!r} is not a gimlet Target subclass")
    TARGETS[cls.NAME] = cls
    return cls


def load_plugins() -> None:
    """Register the targets that installed packages declare under the gimlet.targets entry point."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            register_target(entry_point.load())
        except Exception as error:  # a broken plugin must not take gimlet down
            warnings.warn(f"gimlet: ignoring target plugin '{entry_point.name}' ({entry_point.value}): {error}")


def available_targets() -> dict[str, type[Target]]:
    load_plugins()
    return dict(TARGETS)


def split_target_list(text: str) -> list[str]:
    """'cuda:device=h200,price=2,cpu' → ['cuda:device=h200,price=2', 'cpu'].

    A comma starts a new target unless what follows is a key=value option of the
    previous one (it has '=' but no ':' and no instance name before a ':').
    """
    specs: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key = part.partition("=")[0]
        continues = "=" in part and ":" not in part and specs and ":" in specs[-1] and key in _option_names(specs[-1])
        if continues:
            specs[-1] += "," + part
        else:
            specs.append(part)
    return specs


def _option_names(spec: str) -> set[str]:
    target = spec.partition("=")[2] if "=" in spec.partition(":")[0] else spec
    cls = TARGETS.get(target.partition(":")[0].strip())
    return set(cls.all_options()) if cls is not None else set()


def get_target(spec: str) -> Target:
    """Parse `name[:key=value,...]` into a Target, with errors that list what is valid."""
    load_plugins()
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
        if key not in cls.all_options():
            valid = ", ".join(f"{k} ({d})" for k, d in cls.all_options().items())
            raise OptionError(f"target '{name}' has no option '{key}'; its options: {valid}")
        options[key] = value
    return cls(options)


__all__ = [
    "ENTRY_POINT_GROUP",
    "TARGETS",
    "CpuTarget",
    "CudaTarget",
    "MetalTarget",
    "RocmTarget",
    "Target",
    "VulkanTarget",
    "available_targets",
    "get_target",
    "register_target",
]
