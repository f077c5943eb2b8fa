"""The options of a compilation, in one typed object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

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
    """

    targets: list[str] = field(default_factory=lambda: ["cpu"])
    input_shapes: dict[str, list[int]] = field(default_factory=dict)
    save_temps: Path | None = None
    verify_each: bool = True
    extra_iree_flags: list[str] = field(default_factory=list)

    def temps_dir(self) -> Path | None:
        """The folder for intermediates, created on first use; None when not keeping them."""
        location = self.save_temps or os.environ.get(SAVE_TEMPS_ENV)
        if not location:
            return None
        path = Path(location)
        path.mkdir(parents=True, exist_ok=True)
        return path
