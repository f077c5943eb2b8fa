"""The one MLIR context gimlet works in: IREE's bindings, with the gimlet dialect allowed."""

from iree.compiler import ir


def new_context() -> ir.Context:
    context = ir.Context()
    # gimlet ops are unregistered operations; note the plural attribute name.
    context.allow_unregistered_dialects = True
    return context
