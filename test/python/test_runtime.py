"""The bundle and the runtime: compile → save → load → run, integrity checks, input checks, no compiler needed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import types
import zipfile

import numpy as np
import pytest
from support import EXAMPLES, assert_close, reference_outputs

import gimlet
from gimlet.runtime import BundleError, DeviceError, InputError
from gimlet.runtime.bundle import ALIGNMENT, MANIFEST
from gimlet.runtime.devices import host_cpu_flags
from gimlet.runtime.transfers import COPY_RESULTS_BELOW

import onnx


@pytest.fixture(scope="module")
def transformer_bundle(tmp_path_factory):
    path = tmp_path_factory.mktemp("bundles") / "transformer.gimlet"
    gimlet.compile(EXAMPLES / "transformer.onnx", targets=["cpu"]).save(path)
    return path


@pytest.fixture(scope="module")
def cnn_bundle(tmp_path_factory):
    path = tmp_path_factory.mktemp("bundles") / "cnn.gimlet"
    gimlet.compile(str(EXAMPLES / "cnn.onnx"), targets=["cpu"]).save(path)
    return path


def test_bundle_round_trip_matches_onnxruntime(transformer_bundle):
    session = gimlet.load(transformer_bundle)
    tokens = np.random.default_rng(3).integers(0, 100, (1, 16)).astype(np.int64)
    outputs = session.run({"tokens": tokens})
    expected = reference_outputs(onnx.load(str(EXAMPLES / "transformer.onnx")), {"tokens": tokens})
    assert list(outputs) == ["hidden_states"]
    assert_close(outputs["hidden_states"], expected[0])
    # Positional and keyword calls give the same answer.
    np.testing.assert_array_equal(session(tokens)["hidden_states"], outputs["hidden_states"])
    np.testing.assert_array_equal(session.run(tokens=tokens)["hidden_states"], outputs["hidden_states"])


def test_outputs_stay_valid_after_later_runs(cnn_bundle):
    """CPU results are NumPy views of IREE's result buffers: a later run must not reuse their memory."""
    session = gimlet.load(cnn_bundle)
    rng = np.random.default_rng(3)
    images = [rng.standard_normal((1, 3, 32, 32)).astype(np.float32) for _ in range(3)]
    first = session.run({"image": images[0]})
    kept = {name: array.copy() for name, array in first.items()}
    for _ in range(50):
        for image in images[1:]:
            session.run({"image": image})
    for name, array in first.items():
        np.testing.assert_array_equal(array, kept[name])
    again = session.run({"image": images[0]})
    for name, array in again.items():
        np.testing.assert_array_equal(array, kept[name])


@pytest.mark.parametrize("elements", [16, 65536])
def test_small_and_large_outputs_are_writable_and_their_own(elements, tmp_path):
    """Small results are copied out of IREE's buffers and large ones viewed in place
    (transfers.COPY_RESULTS_BELOW); either way the caller may write to them, and a later run
    changes neither the array it returned nor its own answer."""
    assert (elements * 4 <= COPY_RESULTS_BELOW) == (elements == 16)
    one = onnx.numpy_helper.from_array(np.ones([elements], np.float32), "one")
    graph = onnx.helper.make_graph(
        [onnx.helper.make_node("Add", ["x", "one"], ["y"])],
        "add",
        [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [elements])],
        [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [elements])],
        [one],
    )
    path = tmp_path / "add.gimlet"
    gimlet.compile(onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 17)]), targets=["cpu"]).save(path)
    session = gimlet.load(path)
    x = np.arange(elements, dtype=np.float32)
    first = session.run(x=x)["y"]
    first[:] = -1.0
    second = session.run(x=x)["y"]
    np.testing.assert_array_equal(second, x + 1)
    np.testing.assert_array_equal(first, np.full(elements, -1.0, np.float32))


def test_strided_and_fortran_order_inputs_give_the_contiguous_answer(cnn_bundle):
    """Session.run passes a C-contiguous array of the declared shape and dtype straight through; any other
    layout must still be read element by element, not as raw memory."""
    session = gimlet.load(cnn_bundle)
    wide = np.random.default_rng(5).standard_normal((1, 3, 64, 64)).astype(np.float32)
    strided = wide[:, :, ::2, ::2]
    fortran = np.asfortranarray(strided)
    assert not strided.flags.c_contiguous and not fortran.flags.c_contiguous
    expected = session.run({"image": np.ascontiguousarray(strided)})
    for image in (strided, fortran):
        for name, array in session.run({"image": image}).items():
            np.testing.assert_array_equal(array, expected[name])


def test_signature_is_described(transformer_bundle):
    session = gimlet.load(transformer_bundle)
    assert [(i.name, i.shape, i.dtype.name) for i in session.inputs] == [("tokens", (1, 16), "int64")]
    assert [(o.name, o.shape, o.dtype.name) for o in session.outputs] == [("hidden_states", (1, 16, 64), "float32")]
    assert session.placement == {"p0": "cpu"}


def test_weights_are_stored_once_outside_the_modules(tmp_path):
    bundle = gimlet.compile(EXAMPLES / "mlp.onnx", targets=["cpu", "vulkan"], fallback="all")
    path = bundle.save(tmp_path / "mlp.gimlet")
    weights = bundle.members["weights/model.irpa"]
    modules = [data for name, data in bundle.members.items() if name.startswith("modules/")]
    assert len(modules) == 2
    # fc1's weight is 64x128 f32 = 32 kB; it is in the archive and in neither module.
    weight_bytes = onnx.numpy_helper.to_array(
        next(i for i in onnx.load(str(EXAMPLES / "mlp.onnx")).graph.initializer if i.name == "fc1_w")
    ).tobytes()
    assert weight_bytes in weights
    assert all(weight_bytes[:4096] not in module for module in modules)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    assert names.count("weights/model.irpa") == 1


def test_manifest_contents(cnn_bundle):
    with zipfile.ZipFile(cnn_bundle) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    assert manifest["format"] == "gimlet-bundle" and manifest["format_version"] == 1
    assert manifest["compiler"]["gimlet"] == gimlet.__version__
    assert manifest["inputs"] == [{"name": "image", "shape": [1, 3, 32, 32], "dtype": "float32"}]
    partition = manifest["partitions"][0]
    assert partition["modules"]["cpu"]["member"] == "modules/p0.cpu.vmfb"
    assert set(manifest["members"]) == {"modules/p0.cpu.vmfb", "weights/model.irpa"}
    assert all(len(entry["sha256"]) == 64 for entry in manifest["members"].values())


def test_members_are_aligned_and_stored(cnn_bundle):
    data = cnn_bundle.read_bytes()
    with zipfile.ZipFile(cnn_bundle) as archive:
        for info in archive.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            name_length, extra_length = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little"), int.from_bytes(
                data[info.header_offset + 28 : info.header_offset + 30], "little"
            )
            start = info.header_offset + 30 + name_length + extra_length
            assert start % ALIGNMENT == 0, info.filename


def _rewrite(source, destination, edit):
    """Copy a bundle, letting `edit(name, data, manifest)` change members; returns the destination."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members.pop(MANIFEST))
    members = edit(members, manifest)
    with zipfile.ZipFile(destination, "w") as archive:
        archive.writestr(MANIFEST, json.dumps(manifest))
        for name, data in members.items():
            archive.writestr(name, data)
    return destination


def test_flipped_byte_is_refused(cnn_bundle, tmp_path):
    data = bytearray(cnn_bundle.read_bytes())
    with zipfile.ZipFile(cnn_bundle) as archive:
        info = archive.getinfo("modules/p0.cpu.vmfb")
    data[info.header_offset + 30 + len(info.filename) + len(info.extra) + 1000] ^= 0xFF
    broken = tmp_path / "flipped.gimlet"
    broken.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="member 'modules/p0.cpu.vmfb' fails its SHA-256 check"):
        gimlet.load(broken)


def test_missing_member_is_refused(cnn_bundle, tmp_path):
    def drop_weights(members, manifest):
        members.pop("weights/model.irpa")
        return members

    broken = _rewrite(cnn_bundle, tmp_path / "missing.gimlet", drop_weights)
    with pytest.raises(BundleError, match="member 'weights/model.irpa' named in the manifest is missing"):
        gimlet.load(broken)


def test_wrong_format_version_is_refused(cnn_bundle, tmp_path):
    def bump(members, manifest):
        manifest["format_version"] = 99
        return members

    with pytest.raises(BundleError, match="bundle format version 99 is not supported by this runtime"):
        gimlet.load(_rewrite(cnn_bundle, tmp_path / "future.gimlet", bump))


def test_unknown_check_kind_is_refused(cnn_bundle, tmp_path):
    """A check this runtime cannot make would be skipped silently if ignored: the bundle is refused."""

    def add_check(members, manifest):
        manifest["checks"] = [{"kind": "gather_bounds", "node": "Gather_0"}]
        return members

    with pytest.raises(BundleError, match=r"checks of kind \['gather_bounds'\], which this runtime cannot make"):
        gimlet.load(_rewrite(cnn_bundle, tmp_path / "checks.gimlet", add_check))


@pytest.mark.parametrize(
    "values, problem",
    [
        ({"starts": [0, 0], "ends": [3, 10]}, None),
        ({"starts": [-1, 0], "ends": [-4, 10], "steps": [-1, 1]}, None),
        ({"starts": [0, 0], "ends": [5, 10]}, r"which slice \[20, 10\] to \[5, 10\], but the bundle was compiled for \[3, 10\]"),
        ({"starts": [0, 0], "ends": [3, 10], "axes": [1, -1]}, "an axis is repeated"),
        ({"starts": [0, 0], "ends": [3, 10], "steps": [1, 0]}, "a step is 0"),
        ({"starts": [0], "ends": [3, 10]}, "must have one length"),
        ({"starts": [0, 0], "ends": [3, 10], "axes": [0, 2]}, r"axes of a rank-2 tensor lie in \[-2, 1\]"),
    ],
)
def test_slice_check_follows_onnx_clamping(values, problem):
    """The runtime's Slice check computes ONNX's output shape (clamping, negative indices and steps)."""
    from gimlet.runtime.checks import SliceCheck

    check = SliceCheck("Slice_0", (20, 10), (3, 10), {name: name for name in values} | {n: None for n in ("axes", "steps") if n not in values})
    found = check.problem({name: np.array(value) for name, value in values.items()})
    if problem is None:
        assert found is None
    else:
        assert found is not None and re.search(problem, found), found


def test_foreign_file_is_refused(tmp_path):
    path = tmp_path / "model.gimlet"
    path.write_bytes(b"definitely not a zip file")
    with pytest.raises(BundleError, match="not a gimlet bundle"):
        gimlet.load(path)
    other = tmp_path / "other.gimlet"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": "something-else"}))
    with pytest.raises(BundleError, match="format is 'something-else'"):
        gimlet.load(other)


@pytest.mark.parametrize("name", ["../escape.vmfb", "/etc/passwd", "modules/../../x", "C:\\evil.dll"])
def test_path_escaping_member_is_refused(cnn_bundle, tmp_path, name):
    def add_escape(members, manifest):
        members[name] = b"payload"
        return members

    with pytest.raises(BundleError, match="unsafe path"):
        gimlet.load(_rewrite(cnn_bundle, tmp_path / "escape.gimlet", add_escape))


def test_input_errors_are_clear(cnn_bundle):
    session = gimlet.load(cnn_bundle)
    good = np.zeros((1, 3, 32, 32), np.float32)
    with pytest.raises(InputError, match="missing image; .*inputs are: image: float32\\[1, 3, 32, 32\\]"):
        session.run({})
    with pytest.raises(InputError, match="unknown picture"):
        session.run({"image": good, "picture": good})
    with pytest.raises(InputError, match="input 'image' has dtype float64, expected float32; convert it with .astype"):
        session.run({"image": good.astype(np.float64)})
    with pytest.raises(InputError, match="input 'image' has shape \\[1, 3, 16, 16\\], expected image: float32\\[1, 3, 32, 32\\]"):
        session.run({"image": np.zeros((1, 3, 16, 16), np.float32)})
    with pytest.raises(InputError, match="takes 1 input"):
        session.run(good, good)
    with pytest.raises(InputError, match="either in order or by name, not both"):
        session.run(good, image=good)


def test_inputs_by_dict_by_any_mapping_in_order_and_by_name_agree(cnn_bundle):
    """A dict of inputs is read without a copy, and left as it was given; any other mapping is
    read like one."""
    session = gimlet.load(cnn_bundle)
    image = np.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype(np.float32)
    feeds = {"image": image}
    by_dict = session.run(feeds)
    assert list(feeds) == ["image"] and feeds["image"] is image
    for result in (session.run(types.MappingProxyType(feeds)), session.run(image), session.run(image=image)):
        assert result.keys() == by_dict.keys()
        for name in result:
            np.testing.assert_array_equal(result[name], by_dict[name])


def test_missing_device_falls_back_with_one_warning(tmp_path):
    # Pinned to cuda (the cost model would keep this small model on the CPU); the CPU module is the fallback.
    path = gimlet.compile(EXAMPLES / "mlp.onnx", targets=["cuda", "cpu"], pins=[".*=cuda"]).save(tmp_path / "mlp.gimlet")
    with pytest.warns(UserWarning, match="partition 'p0' placed on cuda runs on cpu instead") as caught:
        session = gimlet.load(path)
    assert len(caught) == 1
    assert session.placement == {"p0": "cpu"}
    x = np.random.default_rng(0).standard_normal((4, 64)).astype(np.float32)
    expected = reference_outputs(onnx.load(str(EXAMPLES / "mlp.onnx")), {"x": x})[0]
    assert_close(session.run(x)["probabilities"], expected)


def test_no_runnable_module_names_the_target(tmp_path):
    path = gimlet.compile(EXAMPLES / "mlp.onnx", targets=["cuda"], fallback="none").save(tmp_path / "cuda-only.gimlet")
    with pytest.raises(DeviceError, match="partition 'p0' cannot run here: it has modules for cuda.*run it where a cuda device exists"):
        gimlet.load(path)
    with pytest.raises(DeviceError, match="not in devices"):
        gimlet.load(path, devices=["cpu"])


def test_module_for_a_cpu_this_one_lacks_is_not_loaded(tmp_path, monkeypatch):
    """A module records the CPU flags it was compiled for; a session leaves it out on a CPU without
    them, rather than die of an illegal instruction, and takes another module of the partition."""
    x = np.random.default_rng(0).standard_normal((4, 64)).astype(np.float32)
    expected = reference_outputs(onnx.load(str(EXAMPLES / "mlp.onnx")), {"x": x})[0]
    only = gimlet.compile(EXAMPLES / "mlp.onnx", targets=["cpu:cpu=znver4"]).save(tmp_path / "avx512.gimlet")
    # The fallback names an AVX2 CPU: compiled for the host, it would need AVX-512 on an AVX-512 host.
    targets = ["wide=cpu:cpu=znver4", "cpu:cpu=znver3"]
    both = gimlet.compile(EXAMPLES / "mlp.onnx", targets=targets, pins=[".*=wide"], fallback="all")
    modules = both.manifest["partitions"][0]["modules"]
    assert modules["wide"]["cpu_flags"] == ["avx512f"] and "avx512f" not in modules["cpu"].get("cpu_flags", [])
    both = both.save(tmp_path / "both.gimlet")
    without_avx512 = host_cpu_flags() - {"avx512f"}
    monkeypatch.setattr("gimlet.runtime.session.host_cpu_flags", lambda: without_avx512)
    with pytest.raises(DeviceError, match="compiled for a CPU with avx512f, which this one lacks: compile on this machine"):
        gimlet.load(only)
    with pytest.warns(UserWarning, match="partition 'p0' placed on wide runs on cpu instead"):
        session = gimlet.load(both)
    assert_close(session.run(x)["probabilities"], expected)
    monkeypatch.setattr("gimlet.runtime.session.host_cpu_flags", lambda: frozenset())  # unknown: tried as it is
    assert gimlet.load(both).placement == {"p0": "wide"}


def test_runtime_runs_without_the_compiler(cnn_bundle):
    """The runtime imports neither iree.compiler nor onnx nor gimlet.compiler."""
    script = f"""
import sys
for blocked in ("iree.compiler", "onnx", "gimlet.compiler", "gimlet.passes", "gimlet.dialects"):
    sys.modules[blocked] = None
import numpy as np
import gimlet.runtime
session = gimlet.load({str(cnn_bundle)!r})
out = session.run(np.zeros((1, 3, 32, 32), np.float32))
assert out["logits"].shape == (1, 10)
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
