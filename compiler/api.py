"""`gimlet.compile()`: a model in, a Bundle out."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from iree.compiler import version as iree_version

from .. import __version__
from ..errors import OptionError
from ..runtime.bundle import FORMAT, FORMAT_VERSION, Bundle
from ..targets import Target, get_target
from .driver import LoweredModel, Progress, compile_for_target, lower_model
from .onnx_import_worker import PARAMETER_SCOPE
from .options import CompileOptions

WEIGHTS_MEMBER = "weights/model.irpa"


def compile(
    model,
    targets=("cpu",),
    options: CompileOptions | None = None,
    progress: Progress | None = None,
    **settings,
) -> Bundle:
    """Compile a model (ONNX path, ModelProto or bytes) for `targets` into a Bundle.

    `settings` override fields of `options` (e.g. `input_shapes={"x": [1, 3, 224, 224]}`,
    `save_temps="temps/"`). Weights go into the bundle once, as an IREE
    parameter archive shared by every module.
    """
    options = dataclasses.replace(options or CompileOptions(), **settings)
    options.targets = list(targets) if not isinstance(targets, str) else [targets]
    resolved = [get_target(spec) for spec in options.targets]
    names = [t.NAME for t in resolved]
    if not resolved:
        raise OptionError("no targets given; pass at least one, e.g. targets=['cpu']")
    if len(set(names)) != len(names):
        raise OptionError(f"each target may be given once; got {', '.join(options.targets)}")
    progress = progress or Progress()
    with tempfile.TemporaryDirectory(prefix="gimlet-bundle-") as scratch:
        weights = Path(scratch) / "weights.irpa"
        lowered = lower_model(model, options, parameters=weights, progress=progress)
        members: dict[str, bytes] = {}
        modules = {}
        for target in resolved:
            with progress.step(f"iree-compile for {target.describe()}"):
                member = f"modules/p0.{target.NAME}.vmfb"
                members[member] = compile_for_target(lowered, target, options)
                modules[target.NAME] = _module_entry(member, target)
        if weights.exists():
            members[WEIGHTS_MEMBER] = weights.read_bytes()
    manifest = _manifest(lowered, resolved, modules, has_weights=WEIGHTS_MEMBER in members)
    return Bundle(manifest, members)


def _module_entry(member: str, target: Target) -> dict:
    return {"member": member, "target": target.describe(), "driver": target.DRIVER, "flags": target.compile_flags()}


def _manifest(lowered: LoweredModel, targets: list[Target], modules: dict, has_weights: bool) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "compiler": {"gimlet": __version__, "iree": iree_version.VERSION},
        "model": {"name": lowered.entry, "source": lowered.name},
        "inputs": [spec.to_dict() for spec in lowered.inputs],
        "outputs": [spec.to_dict() for spec in lowered.outputs],
        "parameters": {"member": WEIGHTS_MEMBER, "scope": PARAMETER_SCOPE} if has_weights else None,
        "partitions": [
            {
                "name": "p0",
                "function": lowered.entry,
                "target": targets[0].NAME,
                "inputs": [spec.name for spec in lowered.inputs],
                "outputs": [spec.name for spec in lowered.outputs],
                "modules": modules,
            }
        ],
        "coverage": lowered.coverage.to_dict(),
    }
