"""Child process: run an MLIR pass pipeline over a module in bytecode, away from the caller's process.

Usage: python -m gimlet.compiler.pipeline_worker IN.mlirbc PIPELINE OUT.mlirbc ERROR.json

torch-mlir's conversions can crash on unusual input; a crash here is reported
by the parent as an error instead of ending the user's process. On an MLIR
error it writes ERROR.json ({"stage", "message", "diagnostics": [{"node", "message"}]})
and exits 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from iree.compiler import ir, passmanager

from ..dialects import location_name
from .context import new_context


def main(input_path: str, pipeline: str, output_path: str, error_path: str) -> None:
    context = new_context()
    with context:
        module = ir.Module.parse(Path(input_path).read_bytes())
        try:
            passmanager.PassManager.parse(pipeline).run(module.operation)
        except ir.MLIRError as error:
            diagnostics = [
                {"node": location_name(d.location), "message": d.message.splitlines()[0]} for d in error.error_diagnostics
            ]
            Path(error_path).write_text(
                json.dumps({"stage": "conversion to torch", "message": str(error).splitlines()[0], "diagnostics": diagnostics})
            )
            sys.exit(1)
    with open(output_path, "wb") as output:
        module.operation.write_bytecode(output)


if __name__ == "__main__":
    main(*sys.argv[1:5])
