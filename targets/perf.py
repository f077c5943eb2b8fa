"""Performance models of devices: what the cost model needs to estimate an op's time on a target.

A `DeviceProfile` holds a device's peak arithmetic rates per dtype, memory
bandwidth, kernel launch overhead, its link to the host, its price, its
efficiency per op class and its capabilities. Profiles come from vendor
datasheets (`profiles.py`, each figure cited), from this machine's CPU
(`host_cpu_profile`), or from calibration (`calibration.py`), which
measures the devices present and writes a JSON file with the same fields.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

#: Op classes the cost model distinguishes; each has its own efficiencies.
OP_CLASSES = ("contraction", "elementwise", "reduction", "data_movement", "foreign")

#: Fractions of peak compute and of peak bandwidth that ops of a class reach. Contractions come
#: close to peak arithmetic; elementwise, reductions and data movement are bandwidth-bound and
#: reach a fair share of memory bandwidth. Calibration replaces these with measured ratios.
DEFAULT_EFFICIENCY = {
    "contraction": (0.6, 0.7),
    "elementwise": (0.5, 0.7),
    "reduction": (0.4, 0.6),
    "data_movement": (1.0, 0.5),
    "foreign": (0.3, 0.4),
}

#: Element types whose arithmetic is rated like another's when a profile has no figure of its own.
DTYPE_CLASS = {
    "f32": "f32",
    "f16": "f16",
    "bf16": "bf16",
    "f64": "f64",
    "i8": "i8",
    "i1": "i32",
    "i16": "i32",
    "i32": "i32",
    "i64": "i32",
}


@dataclass(frozen=True)
class DeviceProfile:
    """A device's performance model and capabilities. Rates are per second; times in seconds."""

    name: str
    description: str
    #: Peak arithmetic rate by dtype class (f32, f16, bf16, i8, and optionally f64, i32), in operations/s.
    peak_ops: dict[str, float]
    memory_bandwidth: float
    launch_overhead: float
    #: The device's link to its host's memory: bandwidth (bytes/s) and latency per transfer (s).
    #: A CPU's host link is its own memory: free.
    host_bandwidth: float = math.inf
    host_latency: float = 0.0
    #: Renting price, dollars per hour (for the cost objective).
    price_per_hour: float = 0.0
    #: (compute, memory) efficiency by op class, or by op name (gimlet.conv) where measured;
    #: missing classes use DEFAULT_EFFICIENCY.
    efficiency: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: Element types the device runs; an op using any other costs infinity there.
    dtypes: frozenset[str] = frozenset({"f32", "f16", "bf16", "f64", "i1", "i8", "i16", "i32", "i64"})
    #: gimlet op names (e.g. "gimlet.matmul") the device runs; None means every op, foreign included.
    op_kinds: frozenset[str] | None = None
    #: Where the figures come from: a datasheet citation, or "calibrated on <host> <date>".
    source: str = ""

    def rate(self, dtype: str) -> float:
        """Peak operations/s for `dtype`, falling back to the f32 rate for classes without a figure."""
        key = DTYPE_CLASS.get(dtype, "f32")
        if key in self.peak_ops:
            return self.peak_ops[key]
        if key == "f64":
            return self.peak_ops["f32"] / 2
        return self.peak_ops["f32"]

    def efficiency_of(self, op_class: str, op_name: str | None = None) -> tuple[float, float]:
        """An op kind's own efficiency where calibration measured one (e.g. gimlet.conv), else its class's."""
        if op_name is not None and op_name in self.efficiency:
            return self.efficiency[op_name]
        return self.efficiency.get(op_class, DEFAULT_EFFICIENCY[op_class])

    def with_changes(self, **changes) -> "DeviceProfile":
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["dtypes"] = sorted(self.dtypes)
        data["op_kinds"] = sorted(self.op_kinds) if self.op_kinds is not None else None
        data["efficiency"] = {k: list(v) for k, v in self.efficiency.items()}
        data["host_bandwidth"] = None if math.isinf(self.host_bandwidth) else self.host_bandwidth
        return data

    @classmethod
    def from_json(cls, data: dict) -> "DeviceProfile":
        data = dict(data)
        data["dtypes"] = frozenset(data.get("dtypes") or cls.__dataclass_fields__["dtypes"].default)
        data["op_kinds"] = frozenset(data["op_kinds"]) if data.get("op_kinds") is not None else None
        data["efficiency"] = {k: tuple(v) for k, v in (data.get("efficiency") or {}).items()}
        data["host_bandwidth"] = math.inf if data.get("host_bandwidth") is None else data["host_bandwidth"]
        return cls(**data)


def save_profiles(path: Path, profiles: dict[str, DeviceProfile]) -> None:
    """Write calibrated profiles, keyed by target name (cpu, vulkan, ...)."""
    path.write_text(json.dumps({name: p.to_json() for name, p in profiles.items()}, indent=2) + "\n")


def load_profiles(path: Path) -> dict[str, DeviceProfile]:
    data = json.loads(Path(path).read_text())
    return {name: DeviceProfile.from_json(entry) for name, entry in data.items()}


#: Where `gimletc --calibrate` writes profiles and where the cost model looks for them.
def default_profile_path() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(os.environ.get("GIMLET_PROFILES", os.path.join(root, "gimlet", "profiles.json")))
