"""gimlet's passes, each registered by its command-line name (see `PASSES`)."""

from .base import PASSES, ModulePass, NoMatch, PassFailure, register_pass
from . import raise_torch  # noqa: F401  (registers gimlet-raise-torch)

__all__ = ["PASSES", "ModulePass", "NoMatch", "PassFailure", "register_pass"]
