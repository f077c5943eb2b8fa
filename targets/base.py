"""What a compilation target is: IREE flags to compile for it, the runtime driver that runs it,
and the performance model the cost model prices its ops with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..errors import OptionError
from .perf import DeviceProfile

#: Options every target takes, on top of its own.
COMMON_OPTIONS = {
    "device": "performance profile of the device (see --list-targets), e.g. cuda:device=h200",
    "price": "dollars per device-hour, for the cost objective (overrides the profile's)",
}


#: The strategy every target has: its compile flags and nothing more (the fallback when another fails).
DEFAULT_STRATEGY = "default"


@dataclass(frozen=True)
class Target:
    """One kind of device gimlet compiles for.

    Subclasses name the target, document their options (`OPTIONS`, shown in
    errors and --help), turn them into iree-compile flags, and name the
    device profiles they accept (`DEVICES`, the first being the default).
    """

    NAME: ClassVar[str]
    #: iree.runtime driver that runs modules compiled for this target.
    DRIVER: ClassVar[str]
    #: option name → one-line description.
    OPTIONS: ClassVar[dict[str, str]] = {}
    #: Names of the device profiles this target accepts; the first is the default.
    DEVICES: ClassVar[tuple[str, ...]] = ()
    #: Layout 2-d convolutions are lowered in (`gimlet-lower-to-linalg conv-layout=`): "nchw", the
    #: models' own, or "nhwc", where the target's code generator does better with channels innermost.
    CONV_LAYOUT: ClassVar[str] = "nchw"

    options: dict[str, str] = field(default_factory=dict)

    @classmethod
    def all_options(cls) -> dict[str, str]:
        return {**cls.OPTIONS, **COMMON_OPTIONS}

    def compile_flags(self) -> list[str]:
        raise NotImplementedError

    def strategies(self) -> dict[str, list[str]]:
        """Named sets of extra iree-compile flags worth trying on this target (`gimletc --tune`)."""
        return {DEFAULT_STRATEGY: []}

    def default_strategy(self, op_counts: dict[str, int], flops: float | None = None) -> str:
        """The strategy to use without tuning, from the gimlet ops (by name) a partition holds and
        its FLOPs (None: unknown)."""
        return DEFAULT_STRATEGY

    def fallback_strategy(self, strategy: str) -> str:
        """The strategy to compile with when iree-compile rejects `strategy`."""
        return DEFAULT_STRATEGY

    def after_global_optimization(self, strategy: str) -> list[str]:
        """gimlet passes (by name) that `strategy` runs on IREE's IR between its global
        optimization and dispatch creation; none unless a target's strategy needs them."""
        return []

    def required_cpu_flags(self) -> list[str]:
        """The host CPU's /proc/cpuinfo flags a module for this target needs to run: none unless it is
        code for the CPU itself."""
        return []

    def lowering_options(self) -> str:
        """The options of gimlet-lower-to-linalg for this target's partitions."""
        return f"conv-layout={self.CONV_LAYOUT}"

    def driver(self, flops: float, bytes_moved: float) -> str:
        """The runtime driver for a module of this much work (a partition's estimated FLOPs and
        bytes): DRIVER, unless a target runs small modules better on another."""
        return self.DRIVER

    def describe(self) -> str:
        rendered = ",".join(f"{k}={v}" for k, v in sorted(self.options.items()))
        return f"{self.NAME}:{rendered}" if rendered else self.NAME

    def named_profile(self, name: str) -> DeviceProfile | None:
        """The profile called `name`; targets from plugins override this to bring their own."""
        from .profiles import named_profile

        return named_profile(name)

    def profile(self, calibrated: dict[str, DeviceProfile] | None = None) -> DeviceProfile:
        """This target's performance model: a calibrated profile of the device here when there is
        one and no `device=` was asked for, else the named datasheet profile; `price=` overrides."""
        device = self.options.get("device")
        if device is None and calibrated and self.NAME in calibrated:
            profile = calibrated[self.NAME]
        else:
            if device is not None and self.DEVICES and device not in self.DEVICES:
                raise OptionError(f"{self.NAME}: unknown device '{device}'; known: {', '.join(self.DEVICES)}")
            name = device or (self.DEVICES[0] if self.DEVICES else None)
            profile = self.named_profile(name) if name else None
            if profile is None:
                raise OptionError(f"target '{self.NAME}' has no performance profile; give one with device=")
        if "price" in self.options:
            try:
                profile = profile.with_changes(price_per_hour=float(self.options["price"]))
            except ValueError:
                raise OptionError(f"{self.NAME}: price={self.options['price']} is not a number of dollars per hour") from None
        return profile
