"""gimlet-opt, the pass driver behind the lit suite, and the kept intermediates of a compilation."""

from __future__ import annotations

import subprocess
import sys

import pytest

from support import EXAMPLES

from gimlet.compiler import lower_model

TORCH_RELU = """
func.func @f(%x: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3],f32> {
  %0 = torch.aten.relu %x : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  return %0 : !torch.vtensor<[2,3],f32>
}
"""


def gimlet_opt(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gimlet.tools.gimlet_opt", *args], input=stdin, capture_output=True, text=True)


def test_passes_run_in_command_line_order():
    raised = gimlet_opt("--gimlet-raise-torch", "--gimlet-verify", "-", stdin=TORCH_RELU)
    assert raised.returncode == 0, raised.stderr
    assert '"gimlet.elementwise"(%arg0) {fn = "relu"}' in raised.stdout
    lowered = gimlet_opt("--gimlet-raise-torch", "--gimlet-lower-to-linalg", "-", stdin=TORCH_RELU)
    assert "linalg.generic" in lowered.stdout and "arith.maximumf" in lowered.stdout
    assert "gimlet." not in lowered.stdout


def test_coverage_report_goes_to_stderr():
    result = gimlet_opt("--gimlet-raise-torch", "--gimlet-coverage", "-", stdin=TORCH_RELU)
    assert "1 native, 0 foreign (100.0% native)" in result.stderr
    assert "gimlet.elementwise[relu]" in result.stderr


def test_split_input_file_reports_each_bad_chunk():
    text = (
        '"gimlet.softmax"() : () -> ()\n// -----\n'
        "func.func @g(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
        '  %0 = "gimlet.softmax"(%x) {axis = 3 : i64} : (tensor<2xf32>) -> tensor<2xf32>\n'
        "  return %0 : tensor<2xf32>\n}\n"
    )
    result = gimlet_opt("--split-input-file", "--gimlet-verify", "-", stdin=text)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert "axis 3 is outside rank 1" in errors[1]


def test_parse_error_is_one_line_not_a_traceback():
    result = gimlet_opt("--gimlet-verify", "-", stdin="func.func @broken(")
    assert result.returncode == 1
    assert result.stderr.startswith("error: at ")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("conv-layout=nchwc", "conv-layout 'nchwc' is not one of nchw, nhwc"),
        # The boolean this option was until the AVX-512 tiles came.
        ("conv-pointwise-tiles=true", "conv-pointwise-tiles 'true' is not one of none, avx2, avx512"),
        ("workers=-2", "workers must be 0 (unknown) or a thread count, got -2"),
        ("workers=2.5", "option workers=2.5 is not an integer"),
    ],
)
def test_unknown_choice_is_one_line_naming_the_choices(option, message):
    result = gimlet_opt(f"--gimlet-lower-to-linalg={option}", "-", stdin=TORCH_RELU)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert message in result.stderr


def test_boolean_option_that_is_not_one_is_refused():
    """A misspelt value used to read as false and turn the option off silently."""
    result = gimlet_opt("--gimlet-lower-to-linalg=conv-layout=nhwc conv-even-depthwise=ture", "-", stdin=TORCH_RELU)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "option conv-even-depthwise=ture is not a boolean (true or false)" in result.stderr
    assert gimlet_opt("--gimlet-lower-to-linalg=conv-layout=nhwc conv-even-depthwise=off", "-", stdin=TORCH_RELU).returncode == 0


def test_missing_input_file(tmp_path):
    result = gimlet_opt("--gimlet-verify", str(tmp_path / "absent.mlir"))
    assert result.returncode == 1 and "No such file" in result.stderr


def test_save_temps_keeps_every_intermediate(tmp_path):
    import gimlet

    gimlet.compile(EXAMPLES / "mlp.onnx", targets=["cpu"], save_temps=tmp_path / "temps")
    names = sorted(p.name for p in (tmp_path / "temps").iterdir())
    assert names == [
        "00-prepared.onnx",
        "00-torch.mlir",
        "01-gimlet-raise-torch.mlir",
        "02-gimlet-annotate-cost.mlir",
        "03-gimlet-partition.mlir",
        "04-gimlet-outline-partitions.mlir",
        "05-gimlet-lower-to-linalg-p0.mlir",
        "iree-p0.cpu.input.mlirbc",
        "iree-p0.cpu.iree-compile.sh",
        "iree-p0.cpu.vmfb",
    ]
    temps = tmp_path / "temps"
    assert '"gimlet.matmul"' in (temps / "01-gimlet-raise-torch.mlir").read_text()
    assert "gimlet.cost = {cpu = " in (temps / "02-gimlet-annotate-cost.mlir").read_text()
    assert 'gimlet.target = "cpu"' in (temps / "03-gimlet-partition.mlir").read_text()
    assert "call @mlp_p0" in (temps / "04-gimlet-outline-partitions.mlir").read_text()
    assert "linalg.matmul" in (temps / "05-gimlet-lower-to-linalg-p0.mlir").read_text()
    command = (temps / "iree-p0.cpu.iree-compile.sh").read_text()
    assert command.startswith("iree-compile ") and "--iree-llvmcpu-target-cpu=host" in command


def test_save_temps_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GIMLET_SAVE_TEMPS", str(tmp_path / "from-env"))
    lower_model(EXAMPLES / "mlp.onnx")
    assert (tmp_path / "from-env" / "01-gimlet-raise-torch.mlir").exists()
