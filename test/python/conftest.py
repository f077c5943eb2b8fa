"""Fixtures shared by the pytest suite (helpers live in support.py)."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest


@pytest.fixture(autouse=True, scope="session")
def no_calibrated_profiles(tmp_path_factory):
    """Tests see datasheet and host-estimate profiles, never a calibration this machine happens to have."""
    import os

    previous = os.environ.get("GIMLET_PROFILES")
    os.environ["GIMLET_PROFILES"] = str(tmp_path_factory.mktemp("profiles") / "none.json")
    yield
    if previous is None:
        os.environ.pop("GIMLET_PROFILES", None)
    else:
        os.environ["GIMLET_PROFILES"] = previous


@pytest.fixture
def tmp_model(tmp_path):
    """Save a ModelProto under tmp_path and return the path."""

    def save(model: onnx.ModelProto, name: str = "model.onnx") -> Path:
        path = tmp_path / name
        onnx.save(model, str(path))
        return path

    return save
