"""lit configuration for gimlet's FileCheck suite.

Run it with `lit -v test/lit`, or through CMake (`cmake --build build --target
check-gimlet`), whose generated lit.site.cfg.py sets the build tree and the
Python interpreter before loading this file.
"""

import os
import shutil
import sys

import lit.formats

config.name = "gimlet"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(getattr(config, "gimlet_obj_root", config.test_source_root), "Output")
config.excludes = ["lit.cfg.py", "lit.site.cfg.py.in", "Output"]
config.environment["PATH"] = os.environ.get("PATH", "")
for variable in ("HOME", "TMPDIR"):
    if variable in os.environ:
        config.environment[variable] = os.environ[variable]

# LLVM's FileCheck where installed, else the Python port (the `filecheck` package).
file_check = shutil.which("FileCheck") or shutil.which("filecheck")
if file_check is None:
    lit_config.fatal("neither FileCheck nor filecheck is on PATH; pip install filecheck")
config.substitutions.append(("FileCheck", file_check))

# gimlet-opt through the interpreter that has gimlet installed, so no PATH setup is needed.
python = getattr(config, "python_executable", None) or sys.executable
config.substitutions.append(("gimlet-opt", f"{python} -m gimlet.tools.gimlet_opt"))
