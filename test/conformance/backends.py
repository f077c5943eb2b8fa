"""The backends a case runs through: gimlet, IREE directly, ONNX Runtime.

Each backend's `prepare(case, workdir)` builds something runnable from the
case's model and returns a function of the input list that returns the output
list (model output order). A failure raises `StageError(stage, error)`, so
the cause can be told from where it happened as well as from the message.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnx

from conformance.cases import Case

Runner = Callable[[list[Any]], list[Any]]

#: Opset the ONNX importer handles best; DESIGN.md: models below it are upgraded first.
IREE_TARGET_OPSET = 17
CPU_FLAGS = [
    "--iree-hal-target-device=local",
    "--iree-hal-local-target-device-backends=llvm-cpu",
    "--iree-llvmcpu-target-cpu=host",
]


class StageError(Exception):
    """A backend failed at `stage` (compile, load, run, upgrade, import, iree-compile...) with `error`."""

    def __init__(self, stage: str, error: BaseException):
        super().__init__(f"{stage}: {type(error).__name__}: {error}")
        self.stage = stage
        self.error = error


def _stage(stage: str, function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except Exception as error:  # every failure is a test result, not a runner error
        raise StageError(stage, error) from error


def _default_opset(model: onnx.ModelProto) -> int:
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)


class GimletBackend:
    """gimlet's public API: gimlet.compile(model, targets=["cpu"]) → bundle → gimlet.load → Session.run."""

    name = "gimlet"

    def __init__(self):
        import gimlet

        self.gimlet = gimlet
        self.last_info: dict[str, Any] = {}
        # gimlet promises a GimletError for every failure a user can cause; anything else is a bug.
        self.clean_errors = (gimlet.GimletError,)

    def prepare(self, case: Case, workdir: Path) -> Runner:
        gimlet = self.gimlet
        self.last_info = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bundle = _stage("compile", gimlet.compile, case.model, targets=["cpu"])
            coverage = bundle.manifest.get("coverage", {})
            self.last_info["native"] = coverage.get("native_fraction")
            self.last_info["foreign"] = ";".join(sorted(coverage.get("foreign", {})))
            path = workdir / "model.gimlet"
            _stage("save", bundle.save, str(path))
            session = _stage("load", gimlet.load, str(path))
        names = case.input_names
        outputs = case.output_names

        def run(inputs: list[Any]) -> list[Any]:
            feeds = {name: _host_array(value) for name, value in zip(names, inputs)}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = _stage("run", session.run, feeds)
            if all(name in result for name in outputs):
                return [result[name] for name in outputs]
            return list(result.values())

        return run


class IreeBackend:
    """IREE with no gimlet: opset upgrade to 17 (below it), shape inference, torch-mlir's ONNX importer,
    iree-compile for llvm-cpu, iree.runtime on local-task. What iree-import-onnx + iree-compile +
    iree-run-module do, in process."""

    name = "iree"

    def __init__(self):
        import iree.runtime as ireert
        from iree.compiler import ir
        from iree.compiler import tools as iree_tools
        from iree.compiler.extras import onnx_importer

        self.ireert, self.ir, self.iree_tools, self.onnx_importer = ireert, ir, iree_tools, onnx_importer
        self.last_info: dict[str, Any] = {}
        self.clean_errors = (Exception,)

    def prepare(self, case: Case, workdir: Path) -> Runner:
        ireert, ir, onnx_importer = self.ireert, self.ir, self.onnx_importer
        model = case.model
        if _default_opset(model) < IREE_TARGET_OPSET:
            # As iree-import-onnx --opset-version 17 does it.
            model = _stage("upgrade", onnx.version_converter.convert_version, model, IREE_TARGET_OPSET)
        _stage("check", onnx.checker.check_model, model)
        model = _stage("shape-inference", onnx.shape_inference.infer_shapes, model, data_prop=True)

        def import_model() -> str:
            context = ir.Context()
            info = onnx_importer.ModelInfo(model)
            module = info.create_module(context=context).operation
            importer = onnx_importer.NodeImporter.define_function(info.main_graph, module)
            importer.import_all()
            module.verify()
            return module.get_asm(assume_verified=True)

        source = _stage("import", import_model)
        (workdir / "model.mlir").write_text(source)
        vmfb = _stage(
            "iree-compile", self.iree_tools.compile_file, str(workdir / "model.mlir"), extra_args=CPU_FLAGS
        )

        def load():
            instance = ireert.VmInstance()
            module = ireert.VmModule.copy_buffer(instance, vmfb)
            # The importer's function (named after the graph); iree-compile adds an async variant
            # (`name$async`, taking wait and signal fences) and `__init`.
            entry = next(n for n in module.function_names if not n.startswith("__") and "$" not in n)
            context = ireert.SystemContext(config=ireert.Config("local-task"))
            context.add_vm_module(module)
            return context.modules.module[entry]

        function = _stage("load", load)
        count = len(case.output_names)

        def run(inputs: list[Any]) -> list[Any]:
            arguments = [_host_array(value) for value in inputs]
            result = _stage("run", function, *arguments)
            results = list(result) if isinstance(result, (list, tuple)) else [result]
            arrays = _stage("run", lambda: [np.asarray(r.to_host()) if hasattr(r, "to_host") else r for r in results])
            return arrays if count else []

        return run


class OnnxRuntimeBackend:
    """ONNX Runtime's CPU execution provider through onnxruntime.backend (what onnx's BackendTest drives)."""

    name = "onnxruntime"

    def __init__(self):
        import onnxruntime.backend

        self.backend = onnxruntime.backend
        self.last_info: dict[str, Any] = {}
        self.clean_errors = (Exception,)

    def prepare(self, case: Case, workdir: Path) -> Runner:
        prepared = _stage("load", self.backend.prepare, case.model, "CPU", intra_op_num_threads=1)

        def run(inputs: list[Any]) -> list[Any]:
            return list(_stage("run", prepared.run, inputs))

        return run


def _host_array(value: Any) -> Any:
    """A NumPy array as the test data gives it; numpy scalars become 0-d arrays, which stay 0-d."""
    if isinstance(value, np.ndarray):
        return value if value.flags.c_contiguous else value.copy(order="C")
    if isinstance(value, np.generic):
        return np.array(value)
    return value


BACKENDS = {"gimlet": GimletBackend, "iree": IreeBackend, "onnxruntime": OnnxRuntimeBackend}
