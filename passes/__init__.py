"""gimlet's passes, each registered by its command-line name (see `PASSES`)."""

from . import coverage, data_tiling_hints, lower_to_linalg, raise_torch, verify  # noqa: F401  (each registers its pass)
from .partition import annotate, outline, place  # noqa: F401  (partition passes)
from .base import PASSES, ModulePass, NoMatch, PassFailure, register_pass

__all__ = ["PASSES", "ModulePass", "NoMatch", "PassFailure", "register_pass"]
