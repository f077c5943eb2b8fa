"""Failure causes: one category per failed case, told from where it failed and what the error says."""

from __future__ import annotations

import re

#: Every cause the runner reports, with what it means (the summary prints these).
CAUSES = {
    "unsupported-type": "the model uses a type the backend does not carry (string, float8, int4, float4, "
    "complex, sequence, optional): failed at import, compile or run",
    "no-onnx-lowering": "an ONNX op has no torch-mlir conversion (failed to legalize 'torch.operator')",
    "no-torch-lowering": "a torch op the ONNX op became has no lowering to linalg in torch-mlir (failed to legalize "
    "'torch.aten.*', or a constant or list left over from one; 'dim is not constant'): runtime axes, losses, cumsum, prod",
    "torch-conversion": "the ONNX-to-torch conversion failed another way",
    "import-error": "torch-mlir's ONNX importer rejected the model",
    "import-crash": "the ONNX-to-torch conversion crashed",
    "opset-upgrade": "the opset upgrade (to 17) failed",
    "shape-inference": "ONNX shape inference failed, or left a type or rank unknown",
    "invalid-model": "the ONNX checker rejected the model",
    "gimlet-pass": "a gimlet pass (raise, verify, cost, partition, lower) failed",
    "iree-compile": "iree-compile failed",
    "load-error": "the compiled module or bundle would not load",
    "runtime-error": "running the compiled model raised",
    "missing-output": "the runtime has no value for a model output (KeyError): an output that is a graph input, "
    "a constant, or the same value as another output",
    "uncaught-exception": "gimlet raised a Python exception that is not a GimletError (a bug: the user gets a traceback)",
    "input-rejected": "the runtime rejected the test's inputs (dtype, shape, 0-d)",
    "not-implemented": "the backend reports the op or type combination as not implemented",
    "wrong-values": "wrong result: values outside the suite's tolerance",
    "wrong-dtype": "wrong result: output dtype differs (e.g. unsigned or bool returned as signed)",
    "wrong-shape": "wrong result: output shape differs (e.g. 0-d returned as 1-d)",
    "wrong-count": "wrong result: a different number of outputs",
    "wrong-type": "wrong result: a tensor where a sequence or optional was expected, or the reverse",
    "timeout": "the case ran past the per-case time limit",
    "crash": "the worker process died (signal) while running the case",
    "harness-error": "the runner itself failed on this case (a runner bug)",
}

#: Causes that are a wrong answer rather than a failure to produce one.
WRONG_RESULT = {"wrong-values", "wrong-dtype", "wrong-shape", "wrong-count", "wrong-type"}



#: Messages that say outright that an element type is not carried, whatever the model declares.
_TYPE_ERRORS = re.compile(
    r"Unknown ONNX tensor element type|No corresponding Numpy type for Tensor Type|"
    r"Numpy_type \d+ can't be converted to MLDataType|unsupported element type|"
    r"data type .* is not supported|Unsupported (ONNX )?(data|element) ?type"
)


def headline(text: str) -> str:
    """The informative first line of an error: its first line, or for iree-compile's generic
    'Error invoking IREE compiler tool' the first line that says 'error:'."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if lines and lines[0].startswith("Error invoking IREE compiler tool"):
        for line in lines:
            if "error:" in line:
                return "iree-compile " + line[line.index("error:") :]
    return lines[0] if lines else ""


def classify(backend: str, stage: str, error_type: str, message: str, exotic: list[str], clean: bool = True) -> str:
    """The cause of a failure at `stage` with exception `error_type` and `message`; `exotic` lists the
    unusual types the model uses (see cases.exotic_types); `clean` is False for an exception the backend
    should not let out (for gimlet: anything but a GimletError)."""
    cause = _classify(stage, error_type, message)
    # A model built on a type the backend does not carry fails wherever that type first shows up
    # (import, a conversion, iree-compile, the runtime); the type is the cause.
    if cause == "unsupported-type" or (exotic and cause not in ("opset-upgrade", "invalid-model")):
        return "unsupported-type"
    if stage == "run" and error_type == "KeyError":
        return "missing-output"
    if not clean and cause in ("import-error", "runtime-error", "load-error"):
        return "uncaught-exception"
    return cause


def _classify(stage: str, error_type: str, message: str) -> str:
    text = message
    if _TYPE_ERRORS.search(text):
        return "unsupported-type"
    if "failed to legalize operation 'torch.operator'" in text or "no conversion to torch exists" in text:
        cause = "no-onnx-lowering"
    elif (
        re.search(r"failed to legalize operation 'torch\.(aten|constant|prim|onnx)\.", text)
        or re.search(r"'torch\.aten\.[\w.]+' op", text)
        or "dim is not constant" in text
    ):
        cause = "no-torch-lowering"
    elif "conversion to torch" in text and "failed" in text:
        cause = "torch-conversion"
    elif "crashed" in text and ("signal" in text or "conversion" in text):
        cause = "import-crash"
    elif "cannot upgrade the model from opset" in text or stage == "upgrade":
        cause = "opset-upgrade"
    elif "shape inference failed" in text or "cannot be inferred" in text or stage == "shape-inference":
        cause = "shape-inference"
    elif "is not valid ONNX" in text or stage == "check":
        cause = "invalid-model"
    elif "ONNX import failed" in text or "ONNX importer failed" in text or stage == "import":
        cause = "import-error"
    elif "iree-compile failed" in text or stage == "iree-compile" or "Error invoking IREE compiler" in text:
        cause = "iree-compile"
    elif re.search(r"gimlet-[\w-]+ failed", text):
        cause = "gimlet-pass"
    elif "NOT_IMPLEMENTED" in text or "NotImplemented" in error_type or "not implemented" in text.lower():
        cause = "not-implemented"
    elif error_type == "InputError" or ("has dtype" in text and "expected" in text) or "element type mismatch" in text:
        cause = "input-rejected"
    elif stage in ("load", "save"):
        cause = "load-error"
    elif stage == "run":
        cause = "runtime-error"
    elif stage == "compile":
        cause = "gimlet-pass" if error_type == "CompilationError" else "import-error"
    else:
        cause = "runtime-error"
    return cause
