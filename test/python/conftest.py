"""Fixtures shared by the pytest suite (helpers live in support.py)."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest


@pytest.fixture
def tmp_model(tmp_path):
    """Save a ModelProto under tmp_path and return the path."""

    def save(model: onnx.ModelProto, name: str = "model.onnx") -> Path:
        path = tmp_path / name
        onnx.save(model, str(path))
        return path

    return save
