"""The drill's tests and its window's share a process: the QApplication is made before the
first of them, so a slide drawn in-process (which makes a bare QGuiApplication when there is no
application yet) never leaves the window's tests without one."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def widgets_application(qapp):
    return qapp
