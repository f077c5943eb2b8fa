"""Named device instances and the links between them.

`--targets edge=cpu:triple=aarch64-linux-gnu,cloud=cuda:device=h200` names two
devices that may sit on different hosts; `--link edge-cloud=50Mbit/s,20ms`
says how they are connected. Without a named link, data between two devices
goes through host memory: out over one device's host link, in over the
other's (a CPU's host link is free).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..errors import OptionError
from .base import Target
from .perf import DeviceProfile

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RATE_UNITS = {
    "bit/s": 1 / 8, "kbit/s": 1e3 / 8, "mbit/s": 1e6 / 8, "gbit/s": 1e9 / 8,
    "b/s": 1.0, "kb/s": 1e3, "mb/s": 1e6, "gb/s": 1e9,
}
_TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


@dataclass(frozen=True)
class Device:
    """One target instance: a name the placement talks about, and its target."""

    name: str
    target: Target

    def spec(self) -> str:
        described = self.target.describe()
        return described if self.name == self.target.NAME else f"{self.name}={described}"


@dataclass(frozen=True)
class Link:
    """A direct connection between two named devices, both ways."""

    a: str
    b: str
    bandwidth: float  # bytes/s
    latency: float  # s

    def spec(self) -> str:
        return f"{self.a}-{self.b}={self.bandwidth * 8 / 1e6:g}Mbit/s,{self.latency * 1e3:g}ms"


def parse_devices(specs: list[str], get_target) -> list[Device]:
    """`[name=]target[:options]` each; names default to the target name and must be unique."""
    devices = []
    for spec in specs:
        name, equals, rest = spec.partition("=")
        if equals and _NAME.match(name) and ":" not in name:
            target = get_target(rest)
        else:
            name, target = None, get_target(spec)
        devices.append(Device(name or target.NAME, target))
    names = [d.name for d in devices]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise OptionError(
            f"device name(s) {', '.join(duplicates)} given twice; name each instance, e.g. a={duplicates[0]},b={duplicates[0]}"
        )
    return devices


def parse_rate(text: str) -> float:
    """'50Mbit/s', '10GB/s' → bytes per second."""
    match = re.fullmatch(r"\s*([0-9.]+(?:e[-+]?\d+)?)\s*([A-Za-z/µ]+)\s*", text)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _RATE_UNITS:
        raise OptionError(f"bandwidth '{text}' must be a number with a unit: {', '.join(_RATE_UNITS)} (e.g. 50Mbit/s)")
    return float(match.group(1)) * _RATE_UNITS[unit]


def parse_duration(text: str) -> float:
    """'20ms', '5us', '0.1s' → seconds."""
    match = re.fullmatch(r"\s*([0-9.]+(?:e[-+]?\d+)?)\s*([a-zµ]+)\s*", text)
    if not match or match.group(2) not in _TIME_UNITS:
        raise OptionError(f"duration '{text}' must be a number with a unit: {', '.join(_TIME_UNITS)} (e.g. 20ms)")
    return float(match.group(1)) * _TIME_UNITS[match.group(2)]


def parse_link(spec: str, devices: list[Device]) -> Link:
    """'edge-cloud=50Mbit/s,20ms' between two named devices."""
    pair, equals, figures = spec.partition("=")
    a, dash, b = pair.partition("-")
    rate, comma, delay = figures.partition(",")
    if not (equals and dash and comma):
        raise OptionError(f"link '{spec}' must be DEVICE-DEVICE=BANDWIDTH,LATENCY, e.g. edge-cloud=50Mbit/s,20ms")
    names = {d.name for d in devices}
    for name in (a, b):
        if name not in names:
            raise OptionError(f"link '{spec}' names device '{name}', which is not among the targets ({', '.join(sorted(names))})")
    return Link(a, b, parse_rate(rate), parse_duration(delay))


def transfer_model(devices: list[Device], profiles: list[DeviceProfile], links: list[Link]) -> tuple[list[list[float]], list[list[float]]]:
    """Bandwidth and latency matrices between devices (index order of `devices`).

    A named link connects two devices directly. Otherwise a transfer goes out
    over the source device's host link and in over the destination's; its
    effective bandwidth is the harmonic combination of the two.
    """
    count = len(devices)
    bandwidth = [[math.inf] * count for _ in range(count)]
    latency = [[0.0] * count for _ in range(count)]
    direct = {}
    for link in links:
        direct[(link.a, link.b)] = direct[(link.b, link.a)] = link
    for s in range(count):
        for t in range(count):
            if s == t:
                continue
            link = direct.get((devices[s].name, devices[t].name))
            if link is not None:
                bandwidth[s][t], latency[s][t] = link.bandwidth, link.latency
                continue
            out, into = profiles[s], profiles[t]
            seconds_per_byte = 1 / out.host_bandwidth + 1 / into.host_bandwidth
            bandwidth[s][t] = math.inf if seconds_per_byte == 0 else 1 / seconds_per_byte
            latency[s][t] = out.host_latency + into.host_latency
    return bandwidth, latency
