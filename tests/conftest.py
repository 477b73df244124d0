"""Test set-up shared by every test: headless Qt, and every directory pointed at a temp path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from commsdesk.qt_setup import prepare_qt
from tests.support.viewer_apis import viewer_apis  # noqa: F401
from tests.support.x_api_standin import x_api  # noqa: F401

# Fixtures for every capability's folder: the desk window harness, and the desk itself.
pytest_plugins = ["tests.support.desk_harness", "tests.support.desks"]

# Before anything imports Qt: no screen in tests, and Qt set up as the desk sets it up.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
prepare_qt()

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """Each test gets its own data dir, config and home; nothing touches the real user's files."""
    data = tmp_path / "data"
    monkeypatch.setenv("COMMSDESK_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return data


@pytest.fixture
def reference_dir() -> Path:
    """X's and OBS's reference material beside the project; tests using it need it there."""
    if not REFERENCE.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"reference material missing at {REFERENCE}")
        pytest.skip("reference material is not beside the project")
    return REFERENCE
