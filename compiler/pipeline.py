"""The whole compiler at a glance: the ordered steps from a model to a bundle.

    import                      ONNX → torch aten ops (onnx_import), weights → parameters
    MODEL_PASSES                on the whole model, in order, each verified:
        gimlet-raise-torch          aten → gimlet ops (the rest in gimlet.foreign)
        gimlet-annotate-cost        work and estimated time of every op on every device
        gimlet-partition            a device for every op (objective, SLA, pins, links)
        gimlet-outline-partitions   one function per partition, joined by gimlet.transfer
    PARTITION_PASSES            on each partition's own module:
        gimlet-lower-to-linalg      gimlet → linalg-on-tensors (foreign bodies via torch-mlir)
    iree-compile                each partition for its device, plus fallbacks (targets/),
                                a fallback lowered again where its target's options differ
    bundle                      manifest + modules + weights once (runtime/bundle.py)
"""

#: gimlet passes over the whole model, in order.
MODEL_PASSES: list[str] = [
    "gimlet-raise-torch",
    "gimlet-annotate-cost",
    "gimlet-partition",
    "gimlet-outline-partitions",
]

#: gimlet passes over each partition's own module, in order.
PARTITION_PASSES: list[str] = [
    "gimlet-lower-to-linalg",
]

#: The steps of `lower_model`, which takes a whole model to one linalg module without placing it.
UNPLACED_PIPELINE: list[str] = ["gimlet-raise-torch", "gimlet-lower-to-linalg"]

#: Passes that only inspect; they are not re-verified after.
ANALYSES: frozenset[str] = frozenset({"gimlet-verify", "gimlet-coverage"})
