"""The exceptions gimlet raises to its users.

Every error a user can cause ends in a `GimletError` whose message names the
file, the node or op, what is wrong and what to do. This module is a leaf:
the compiler and the runtime both import it, it imports nothing of ours.
"""


class GimletError(Exception):
    """Base class of every error gimlet reports to a user."""


class ModelImportError(GimletError):
    """The model could not be read or turned into torch IR; `nodes` names the model's nodes the
    conversion to torch failed at, where it did."""

    def __init__(self, message: str, nodes: tuple[str, ...] = ()):
        super().__init__(message)
        self.nodes = nodes


class CompilationError(GimletError):
    """A pass or IREE failed on a model that imported cleanly; `nodes` names the model's nodes the
    failure was reported at, where it was."""

    def __init__(self, message: str, nodes: tuple[str, ...] = ()):
        super().__init__(message)
        self.nodes = nodes


class OptionError(GimletError, ValueError):
    """An option, pass name or target name is not one gimlet knows."""
