"""Measured times of a run beside the manifest's estimates: per partition and per transfer.

`session.run(..., profile=True)` fills a Profile; `gimlet-run --profile`
prints it and can write it as JSON, which `gimletc --profile-feedback` reads
to re-plan with measured rather than estimated times.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

PROFILE_FORMAT = "gimlet-profile"


@dataclass
class PartitionTiming:
    partition: str
    device: str  # the module that ran (a device name, or a fallback's)
    measured_s: float
    estimated_s: float | None  # the cost model's figure for that device, None if it has none


@dataclass
class TransferTiming:
    tensor: str
    source: str  # a device name, or "host" for model inputs
    destination: str
    bytes: int
    measured_s: float
    estimated_s: float | None


@dataclass
class Profile:
    bundle: str
    partitions: list[PartitionTiming] = field(default_factory=list)
    transfers: list[TransferTiming] = field(default_factory=list)
    #: partition → device → estimated seconds (sum of its ops' estimates), from the manifest
    estimates: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)
    transfer_estimates: dict[tuple, float] = field(default_factory=dict, repr=False)
    #: the device model inputs arrive on and outputs return to
    source: str = "host"

    @classmethod
    def for_session(cls, session: Any) -> "Profile":
        placement = session.manifest.get("placement") or {}
        estimates: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for row in placement.get("ops", []):
            for device, seconds in row["estimates"].items():
                estimates[row["partition"]][device] += seconds
        transfers = {(t["tensor"], t["from"], t["to"]): t["seconds"] for t in placement.get("transfers", [])}
        return cls(
            session.path,
            estimates={k: dict(v) for k, v in estimates.items()},
            transfer_estimates=transfers,
            source=placement.get("source", "host"),
        )

    @classmethod
    def median(cls, profiles: list["Profile"]) -> "Profile":
        """One profile whose times are the medians of several runs' (same partitions and transfers)."""
        first = profiles[0]
        result = cls(first.bundle, estimates=first.estimates, transfer_estimates=first.transfer_estimates, source=first.source)
        for index, timing in enumerate(first.partitions):
            times = sorted(p.partitions[index].measured_s for p in profiles)
            result.partitions.append(PartitionTiming(timing.partition, timing.device, times[len(times) // 2], timing.estimated_s))
        for index, timing in enumerate(first.transfers):
            times = sorted(p.transfers[index].measured_s for p in profiles)
            result.transfers.append(
                TransferTiming(timing.tensor, timing.source, timing.destination, timing.bytes, times[len(times) // 2], timing.estimated_s)
            )
        return result

    def partition_ran(self, partition: Any, seconds: float) -> None:
        estimate = self.estimates.get(partition.name, {}).get(partition.target)
        self.partitions.append(PartitionTiming(partition.name, partition.target, seconds, estimate))

    def transfer_ran(self, tensor: str, producer: Any, consumer: Any, size: int, seconds: float) -> None:
        source = producer.target if producer is not None else self.source
        destination = consumer.target if consumer is not None else self.source
        estimate = self.transfer_estimates.get((tensor, source, destination))
        self.transfers.append(TransferTiming(tensor, source, destination, size, seconds, estimate))

    @property
    def total_s(self) -> float:
        return sum(p.measured_s for p in self.partitions) + sum(t.measured_s for t in self.transfers)

    def to_json(self) -> dict:
        return {
            "format": PROFILE_FORMAT,
            "bundle": self.bundle,
            "partitions": [asdict(p) for p in self.partitions],
            "transfers": [asdict(t) for t in self.transfers],
        }

    def save(self, path) -> None:
        with open(path, "w") as stream:
            json.dump(self.to_json(), stream, indent=2)
            stream.write("\n")

    def render(self) -> str:
        def ms(seconds: float | None) -> str:
            return "—" if seconds is None else f"{seconds * 1e3:.3f}"

        lines = [f"{'partition':<12}{'device':<10}{'measured ms':>13}{'estimated ms':>14}"]
        for p in self.partitions:
            lines.append(f"{p.partition:<12}{p.device:<10}{ms(p.measured_s):>13}{ms(p.estimated_s):>14}")
        if self.transfers:
            lines.append(f"{'transfer':<24}{'route':<20}{'kB':>10}{'measured ms':>13}{'estimated ms':>14}")
            for t in self.transfers:
                route = f"{t.source}→{t.destination}"
                lines.append(f"{t.tensor:<24}{route:<20}{t.bytes / 1e3:>10.1f}{ms(t.measured_s):>13}{ms(t.estimated_s):>14}")
        lines.append(f"total measured {self.total_s * 1e3:.3f} ms")
        return "\n".join(lines)


def device_scales(profile: dict) -> dict[str, float]:
    """measured / estimated time per device, over the partitions that ran there (a profile's JSON)."""
    if profile.get("format") != PROFILE_FORMAT:
        raise ValueError(f"not a gimlet profile (format {profile.get('format')!r}); write one with gimlet-run --profile-output")
    measured: dict[str, float] = defaultdict(float)
    estimated: dict[str, float] = defaultdict(float)
    for timing in profile["partitions"]:
        if timing.get("estimated_s"):
            measured[timing["device"]] += timing["measured_s"]
            estimated[timing["device"]] += timing["estimated_s"]
    return {device: measured[device] / estimated[device] for device in measured if estimated[device] > 0}
