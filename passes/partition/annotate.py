"""gimlet-annotate-cost: every op's work and its estimated time on every requested device."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from iree.compiler import ir

from ...targets import get_target, split_target_list
from ...targets.devices import Device, parse_devices
from ...targets.perf import DeviceProfile, load_profiles
from ..base import ModulePass, PassFailure, block_ops, functions, register_pass
from .cost import estimate, is_costed, work_of

DEVICES_ATTR = "gimlet.devices"
PROFILES_ATTR = "gimlet.profiles"
COST_ATTR = "gimlet.cost"
WORK_ATTR = "gimlet.work"


def set_devices(module: ir.Module, devices: list[Device], profiles_path: str | None) -> None:
    module.operation.attributes[DEVICES_ATTR] = ir.ArrayAttr.get([ir.StringAttr.get(d.spec()) for d in devices])
    if profiles_path:
        module.operation.attributes[PROFILES_ATTR] = ir.StringAttr.get(profiles_path)


def devices_of(module: ir.Module) -> list[Device]:
    """The devices gimlet-annotate-cost priced the module for."""
    if DEVICES_ATTR not in module.operation.attributes:
        raise PassFailure("the module has no gimlet.devices; run gimlet-annotate-cost first")
    specs = [ir.StringAttr(a).value for a in ir.ArrayAttr(module.operation.attributes[DEVICES_ATTR])]
    return parse_devices(specs, get_target)


def profiles_of(module: ir.Module, devices: list[Device]) -> list[DeviceProfile]:
    attributes = module.operation.attributes
    calibrated = load_profiles(Path(ir.StringAttr(attributes[PROFILES_ATTR]).value)) if PROFILES_ATTR in attributes else None
    return [d.target.profile(calibrated) for d in devices]


def costs_of(op: ir.Operation, devices: list[Device]) -> list[float]:
    """The op's estimated seconds per device, in device order."""
    table = ir.DictAttr(op.attributes[COST_ATTR])
    return [ir.FloatAttr(table[d.name]).value for d in devices]


def _f64(value: float) -> ir.FloatAttr:
    return ir.FloatAttr.get_f64(value if math.isfinite(value) else math.inf)


@register_pass
@dataclass
class AnnotateCost(ModulePass):
    """Attach to every op its work (FLOPs, bytes) and its estimated time on every device.

    Options: `targets` (as for gimletc --targets, e.g. `cpu,cloud=cuda:device=h200`);
    `profiles`, a calibrated profile file (gimletc --calibrate) to use instead of
    datasheet figures for the devices present; `scale=DEVICE=FACTOR` (repeatable),
    measured/estimated ratios from a run's profile (gimletc --profile-feedback).
    """

    NAME = "gimlet-annotate-cost"
    DESCRIPTION = "Attach work and per-device time estimates to every op (options: targets=, profiles=)"

    targets: str = "cpu"
    profiles: str = ""
    scale: list[str] = field(default_factory=list)

    def _scales(self, devices: list[Device]) -> dict[str, float]:
        names = {d.name for d in devices}
        scales = {}
        for item in self.scale:
            name, equals, factor = item.partition("=")
            try:
                value = float(factor)
            except ValueError:
                value = -1.0
            if not equals or name not in names or value <= 0:
                raise PassFailure(f"scale '{item}' must be DEVICE=FACTOR with a device among {', '.join(sorted(names))} and FACTOR > 0")
            scales[name] = value
        return scales

    def apply(self, module: ir.Module) -> None:
        devices = parse_devices(split_target_list(self.targets), get_target)
        set_devices(module, devices, self.profiles or None)
        profiles = profiles_of(module, devices)
        scales = self._scales(devices)
        for function in functions(module):
            for block in function.regions[0].blocks:
                for op in block_ops(block):
                    if not is_costed(op):
                        continue
                    work = work_of(op)
                    op.attributes[WORK_ATTR] = ir.DictAttr.get(
                        {
                            "flops": ir.IntegerAttr.get(ir.IntegerType.get_signless(64), work.total_flops),
                            "bytes": ir.IntegerAttr.get(ir.IntegerType.get_signless(64), work.bytes_read + work.bytes_written),
                        }
                    )
                    op.attributes[COST_ATTR] = ir.DictAttr.get(
                        {
                            device.name: _f64(estimate(op, profile) * scales.get(device.name, 1.0))
                            for device, profile in zip(devices, profiles)
                        }
                    )
