"""The drill's tests and its window's share a process: the QApplication is made before the
first of them, so a slide drawn in-process (which makes a bare QGuiApplication when there is no
application yet) never leaves the window's tests without one. `services`: a desk's services on
SQLite with one person in its P-1 call chain."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def widgets_application(qapp):
    return qapp


@pytest.fixture
def services(isolated_dirs):
    from commsdesk.app import open_services
    from commsdesk.p1.service import CallChain

    isolated_dirs.mkdir(parents=True, exist_ok=True)
    opened = open_services(isolated_dirs)
    CallChain(opened.desk).add("Ana Ruiz (comms)", "Mira Chen", "+15005550101")
    yield opened
    opened.close()
