"""gimlet-lower-to-linalg: gimlet ops → linalg-on-tensors; foreign bodies through torch-mlir."""

from __future__ import annotations

from dataclasses import dataclass, replace

from iree.compiler import ir, passmanager

from ...dialects import is_gimlet, location_name
from ..base import ModulePass, PassFailure, PassOptionError, apply_patterns, erase_dead_ops, functions, register_pass
from . import contraction, data_movement, elementwise, layout, normalization, pointwise, reduction
from .foreign import inline_foreign_ops

#: Layouts 2-d convolutions may be lowered in (`conv-layout=`).
CONV_LAYOUTS = ("nchw", "nhwc")
#: `conv-pointwise-tiles=`: none, or the instruction set whose register tiles 1×1 convolutions carry.
POINTWISE_TILES = ("none", *pointwise.REGISTER_TILES)


def patterns(
    conv_layout: str = "nchw",
    conv_windows: bool = False,
    conv_even_depthwise: bool = False,
    conv_winograd: bool = False,
    conv_pointwise_tiles: str = "none",
    matmul_narrow_tiles: bool = False,
    conv_packed_windows: bool = False,
    workers: int = 0,
) -> list:
    channels_last = conv_layout == "nhwc"
    tiles = pointwise.REGISTER_TILES.get(conv_pointwise_tiles)
    if tiles is not None:
        tiles = replace(tiles, workers=workers)
    return [
        # First, so that they see the transposes the convolutions leave before those are lowered.
        *(layout.PATTERNS if channels_last else []),
        *contraction.patterns(
            channels_last, conv_windows, conv_even_depthwise, conv_winograd, tiles, matmul_narrow_tiles, conv_packed_windows
        ),
        *normalization.PATTERNS,
        *reduction.patterns(channels_last=channels_last),
        *elementwise.PATTERNS,
        *data_movement.PATTERNS,
    ]

#: torch-mlir's lowering of the torch ops that foreign regions held: its
#: torch-backend-to-linalg-on-tensors-backend-pipeline without the final contract
#: check, which rejects the util.global ops that hold a model's parameters.
#: Leftover torch ops are reported by `_check_lowered` instead, by node.
#: It starts with canonicalize: torch_c.from_builtin_tensor of a lowered constant folds into a
#: torch.vtensor.literal, which the conversions must see to lower. Then torch-mlir decomposes
#: what import kept whole for gimlet (aten.linear, softmax, ...) but gimlet left foreign
#: (dynamic shapes, say): the linalg conversions know only the decomposed forms.
TORCH_TO_LINALG = (
    "builtin.module("
    "func.func(canonicalize, torch-decompose-complex-ops, convert-torch-to-tmtensor, convert-torch-to-tensor, convert-torch-to-linalg, "
    "convert-torch-to-scf, convert-torch-to-arith, convert-torch-to-tensor), "
    "convert-torch-conversion-to-mlprogram, "
    "func.func(memref-expand, resolve-shaped-type-result-dims, cse), "
    "torch-func-backend-type-conversion, "
    "func.func(torch-finalizing-backend-type-conversion))"
)


def _torch_ops(module: ir.Module) -> list[ir.Operation]:
    found = []

    def visit(op):
        if op.name.startswith("torch.") or op.name.startswith("torch_c."):
            found.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return found


def _check_lowered(module: ir.Module) -> None:
    """torch-mlir leaves ops it cannot lower in place; name the first one and its node."""
    leftovers = [op for op in _torch_ops(module) if not op.name.startswith(("torch.constant.", "torch_c."))]
    if leftovers:
        op = leftovers[0]
        raise PassFailure(
            f"torch-mlir cannot lower {op.name} (node '{location_name(op.location)}') to linalg"
            + (f", nor {len(leftovers) - 1} more op(s)" if len(leftovers) > 1 else "")
        )


def _check_static(module: ir.Module) -> None:
    """The patterns build static shapes only; refuse a dynamic dimension rather than build broken IR."""
    found = []

    def visit(op):
        if is_gimlet(op) and op.name not in ("gimlet.foreign", "gimlet.yield"):
            for value in [*op.operands, *op.results]:
                if isinstance(value.type, ir.RankedTensorType) and not value.type.has_static_shape:
                    found.append((op, value.type))
                    return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    if found:
        op, type_ = found[0]
        raise PassFailure(f"{op.name} at {location_name(op.location)}: dynamic shape {type_} is not supported")


@register_pass
@dataclass
class LowerToLinalg(ModulePass):
    """Lower every gimlet op to linalg-on-tensors (named ops where they exist, linalg.generic elsewhere).

    Composite ops (attention, softmax, normalisations) first decompose into
    simpler gimlet ops. gimlet.foreign bodies are inlined and lowered by
    torch-mlir's backend pipeline. The result compiles with iree-compile.
    `conv-layout=nhwc` lowers 2-d convolutions channels-last, and with it
    `conv-windows=true` dense ones as matmuls over their windows and
    `conv-even-depthwise=true` depthwise ones of odd width one column wider,
    `conv-winograd=true` dense 3×3 ones by Winograd's F(4×4, 3×3), and
    `conv-pointwise-tiles=avx2` (or `avx512`) f32 1×1 ones of stride 1 as
    contractions with that instruction set's register tiles for IREE
    (pointwise.py); `conv-packed-windows=true` dense ones over at most 7×7
    output pixels as matmuls over their patches with filters packed in panels
    of 32 features and AVX-512 register tiles (packed_windows.py);
    `matmul-narrow-tiles=true`
    gives f32 matrix products of 2 to 4 rows AVX2 register tiles
    (contraction.LowerMatmul); `workers=N`, the threads the module will run
    on, sizes the tiled 1×1 convolutions' workgroups so that IREE's runtime
    spreads them evenly over those threads (builders.spreads_evenly)
    (the target chooses: `Target.lowering_options`).
    """

    NAME = "gimlet-lower-to-linalg"
    DESCRIPTION = "Lower gimlet ops to linalg-on-tensors and foreign bodies through torch-mlir"

    conv_layout: str = "nchw"
    conv_windows: bool = False
    conv_even_depthwise: bool = False
    conv_winograd: bool = False
    conv_pointwise_tiles: str = "none"
    matmul_narrow_tiles: bool = False
    conv_packed_windows: bool = False
    workers: int = 0

    def __post_init__(self):
        if self.conv_layout not in CONV_LAYOUTS:
            raise PassOptionError(f"--{self.NAME}: conv-layout '{self.conv_layout}' is not one of {', '.join(CONV_LAYOUTS)}")
        if self.conv_pointwise_tiles not in POINTWISE_TILES:
            raise PassOptionError(
                f"--{self.NAME}: conv-pointwise-tiles '{self.conv_pointwise_tiles}' is not one of {', '.join(POINTWISE_TILES)}"
            )
        if self.workers < 0:
            raise PassOptionError(f"--{self.NAME}: workers must be 0 (unknown) or a thread count, got {self.workers}")

    def apply(self, module: ir.Module) -> None:
        _check_static(module)
        tiles = pointwise.REGISTER_TILES.get(self.conv_pointwise_tiles)
        if tiles is not None and tiles.padded_outputs:
            # Before any convolution is lowered: the rewrite spans two of them.
            apply_patterns(module, [pointwise.ComputePaddedOutput()])
            for function in functions(module):
                for block in function.regions[0].blocks:
                    erase_dead_ops(block, is_gimlet)
        apply_patterns(
            module,
            patterns(
                self.conv_layout,
                self.conv_windows,
                self.conv_even_depthwise,
                self.conv_winograd,
                self.conv_pointwise_tiles,
                self.matmul_narrow_tiles,
                self.conv_packed_windows,
                self.workers,
            ),
        )
        left = []

        def visit(op):
            if is_gimlet(op) and op.name != "gimlet.foreign" and op.name != "gimlet.yield":
                left.append(op)
            return ir.WalkResult.ADVANCE

        module.operation.walk(visit)
        if left:
            raise PassFailure(f"no lowering for {left[0].name} at {left[0].location}")
        inline_foreign_ops(module)
        if _torch_ops(module):
            passmanager.PassManager.parse(TORCH_TO_LINALG).run(module.operation)
            _check_lowered(module)
        passmanager.PassManager.parse("builtin.module(canonicalize,cse)").run(module.operation)
