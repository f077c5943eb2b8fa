"""The whole compiler at a glance: the ordered steps from a model to IREE modules.

    import          ONNX → torch aten ops (onnx_import)
    PIPELINE        the gimlet passes below, in order, each verified
    iree-compile    linalg-on-tensors → one IREE module per target (iree_compile)
"""

#: gimlet passes from torch IR to linalg-on-tensors, in order.
PIPELINE: list[str] = [
    "gimlet-raise-torch",
    "gimlet-lower-to-linalg",
]

#: Passes that only inspect; they are not re-verified after.
ANALYSES: frozenset[str] = frozenset({"gimlet-verify", "gimlet-coverage"})
