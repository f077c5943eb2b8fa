"""Fixtures every pytest suite under test/ shares (test/python, test/models)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def no_calibrated_profiles(tmp_path_factory):
    """Tests see datasheet and host-estimate profiles, never a calibration this machine happens to have."""
    previous = os.environ.get("GIMLET_PROFILES")
    os.environ["GIMLET_PROFILES"] = str(tmp_path_factory.mktemp("profiles") / "none.json")
    yield
    if previous is None:
        os.environ.pop("GIMLET_PROFILES", None)
    else:
        os.environ["GIMLET_PROFILES"] = previous
