"""lit configuration for gimlet's FileCheck suite: `lit test/lit` (or `cmake --build build --target check-gimlet`)."""

import os
import shutil

import lit.formats

config.name = "gimlet"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.test_source_root, "Output")
config.excludes = ["lit.cfg.py", "Output"]
config.environment["PATH"] = os.environ.get("PATH", "")

# LLVM's FileCheck where installed, else the Python port (the `filecheck` package).
file_check = shutil.which("FileCheck") or shutil.which("filecheck")
if file_check is None:
    lit_config.fatal("neither FileCheck nor filecheck is on PATH; pip install filecheck")
config.substitutions.append(("FileCheck", file_check))

gimlet_opt = shutil.which("gimlet-opt")
if gimlet_opt is None:
    lit_config.fatal("gimlet-opt is not on PATH; pip install -e . first")
config.substitutions.append(("gimlet-opt", gimlet_opt))
