"""gimletc and gimlet-run end to end, as a user runs them: exit codes, one-line errors, outputs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import onnx
from support import EXAMPLES, LIGHT_MODELS, assert_close, reference_outputs


def gimletc(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gimlet.tools.gimletc", *args], capture_output=True, text=True)


def gimlet_run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gimlet.tools.gimlet_run", *args], capture_output=True, text=True)


def test_compile_and_run_with_given_inputs(tmp_path):
    bundle = tmp_path / "cnn.gimlet"
    compiled = gimletc(str(EXAMPLES / "cnn.onnx"), "--targets", "cpu", "-o", str(bundle))
    assert compiled.returncode == 0, compiled.stderr
    for step in ("import", "gimlet-raise-torch", "gimlet-partition", "gimlet-lower-to-linalg p0", "iree-compile 1 module(s)"):
        assert step in compiled.stdout
    assert f"wrote {bundle}" in compiled.stdout

    image = np.random.default_rng(5).standard_normal((1, 3, 32, 32)).astype(np.float32)
    np.save(tmp_path / "image.npy", image)
    ran = gimlet_run(str(bundle), "--input", f"image=@{tmp_path / 'image.npy'}", "--output-dir", str(tmp_path / "out"), "--repeat", "2")
    assert ran.returncode == 0, ran.stderr
    assert "latency: median" in ran.stdout and "p0 on cpu" in ran.stdout
    logits = np.load(tmp_path / "out" / "logits.npy")
    expected = reference_outputs(onnx.load(str(EXAMPLES / "cnn.onnx")), {"image": image})[0]
    assert_close(logits, expected)


def test_default_output_is_next_to_the_model(tmp_path):
    model = tmp_path / "mlp.onnx"
    model.write_bytes((EXAMPLES / "mlp.onnx").read_bytes())
    result = gimletc(str(model), "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (tmp_path / "mlp.gimlet").exists()


def test_random_inputs_and_summaries(tmp_path):
    bundle = tmp_path / "light.gimlet"
    assert gimletc(str(LIGHT_MODELS / "light_squeezenet.onnx"), "-q", "-o", str(bundle)).returncode == 0
    ran = gimlet_run(str(bundle), "--repeat", "1")
    assert ran.returncode == 0, ran.stderr
    assert "random inputs (seed 0):" in ran.stdout
    assert "float32[1, 3, 224, 224]" in ran.stdout
    assert "float32[1, 1000, 1, 1]" in ran.stdout


def test_verbose_shows_coverage_and_flags(tmp_path):
    result = gimletc(str(EXAMPLES / "mlp.onnx"), "-v", "-o", str(tmp_path / "m.gimlet"))
    assert "native coverage: " in result.stdout
    assert "--iree-hal-local-target-device-backends=llvm-cpu" in result.stdout


def _one_line_error(result: subprocess.CompletedProcess, program: str) -> str:
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{program}: error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def test_gimletc_errors_are_one_line(tmp_path):
    assert "no such file" in _one_line_error(gimletc(str(tmp_path / "absent.onnx")), "gimletc")
    line = _one_line_error(gimletc(str(EXAMPLES / "mlp.onnx"), "--targets", "tpu"), "gimletc")
    assert "unknown target 'tpu'; known targets: cpu, cuda, metal, rocm, vulkan" in line
    line = _one_line_error(gimletc(str(EXAMPLES / "mlp.onnx"), "--targets", "cpu:arch=x"), "gimletc")
    assert "has no option 'arch'" in line
    garbage = tmp_path / "garbage.onnx"
    garbage.write_text("hello")
    assert "not an ONNX model" in _one_line_error(gimletc(str(garbage)), "gimletc")


def test_gimlet_run_errors_are_one_line(tmp_path):
    assert "no such file" in _one_line_error(gimlet_run(str(tmp_path / "absent.gimlet")), "gimlet-run")
    bundle = tmp_path / "mlp.gimlet"
    assert gimletc(str(EXAMPLES / "mlp.onnx"), "-q", "-o", str(bundle)).returncode == 0
    np.save(tmp_path / "wrong.npy", np.zeros((2, 2), np.float32))
    line = _one_line_error(gimlet_run(str(bundle), "--input", f"x=@{tmp_path / 'wrong.npy'}"), "gimlet-run")
    assert "input 'x' has shape [2, 2], expected x: float32[4, 64]" in line


def test_usage_errors_exit_2():
    assert gimletc().returncode == 2
    assert gimlet_run().returncode == 2


def test_help_teaches_targets():
    text = gimletc("--help").stdout
    assert "--targets" in text and "cuda:arch=sm_90" in text and "GIMLET_SAVE_TEMPS" in text


def test_list_targets_and_devices():
    targets = gimletc("--list-targets").stdout
    assert "cuda:arch=" in targets and "cpu:triple=" in targets
    devices = gimlet_run("--list-devices").stdout
    assert "local-task" in devices and "available" in devices
