"""The options of a compilation, in one typed object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Set to a folder to keep every intermediate of every compilation there (like IREE_SAVE_TEMPS).
SAVE_TEMPS_ENV = "GIMLET_SAVE_TEMPS"


@dataclass
class CompileOptions:
    """How gimlet compiles a model.

    Attributes:
        targets: target specs, `name[:key=value,...]` (e.g. `cpu`, `cpu:triple=aarch64-linux-gnu`).
        input_shapes: fixed shapes for model inputs, by name; replaces symbolic dimensions.
        save_temps: folder that receives every intermediate: the prepared ONNX model, torch IR,
            gimlet IR after each pass, linalg IR, and each iree-compile command line. Defaults to
            the GIMLET_SAVE_TEMPS environment variable.
        verify_each: run gimlet-verify after every gimlet pass.
        extra_iree_flags: flags appended to every iree-compile command line.
        objective: what placement minimises: "latency" (default) or "cost" (money per inference).
        sla: a latency bound such as "5ms"; with objective "cost", the cheapest placement meeting it.
        pins: "REGEX=DEVICE" each; ops whose node name the regex matches in full go to DEVICE.
        links: "A-B=BANDWIDTH,LATENCY" each (e.g. "edge-cloud=50Mbit/s,20ms"); default links go
            through each device's host link.
        placement_method: "auto" (exact where small enough), "exact" or "heuristic".
        fallback: which extra modules each partition gets: "cpu" (a CPU module for every partition
            placed elsewhere, the default), "none", or "all" (a module for every requested target).
        profiles: a calibrated profile file (gimletc --calibrate); default: the one calibration
            wrote on this machine, if any.
        profile_feedback: a run's profile (gimlet-run --profile-output): the placement re-plans
            with each device's estimates scaled by its measured/estimated ratio.
        jobs: how many iree-compile processes may run at once (default: one per CPU core).
        tune: measure every compile strategy of each partition's target on the devices here and
            keep the fastest that agrees with the default (cached per partition and machine).
        example_args: for a torch.nn.Module, the example inputs torch.export traces it with.
        dynamic_shapes: for a torch.nn.Module, torch.export's dynamic_shapes (e.g.
            `{"x": {0: torch.export.Dim("batch", max=64)}}`): those dimensions stay symbolic.
    """

    targets: list[str] = field(default_factory=lambda: ["cpu"])
    input_shapes: dict[str, list[int]] = field(default_factory=dict)
    save_temps: Path | None = None
    verify_each: bool = True
    extra_iree_flags: list[str] = field(default_factory=list)
    objective: str = "latency"
    sla: str | None = None
    pins: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    placement_method: str = "auto"
    fallback: str = "cpu"
    profiles: Path | None = None
    profile_feedback: Path | None = None
    jobs: int | None = None
    tune: bool = False
    example_args: tuple = ()
    dynamic_shapes: Any = None

    def temps_dir(self) -> Path | None:
        """The folder for intermediates, created on first use; None when not keeping them."""
        location = self.save_temps or os.environ.get(SAVE_TEMPS_ENV)
        if not location:
            return None
        path = Path(location)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def profiles_path(self) -> Path | None:
        """The calibrated profiles to use: the given file, else calibration's default file if it exists."""
        if self.profiles is not None:
            return Path(self.profiles)
        from ..targets.perf import default_profile_path

        path = default_profile_path()
        return path if path.exists() else None
