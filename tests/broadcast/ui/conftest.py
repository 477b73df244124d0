"""A real desk window whose Broadcast panel drives an OBS: the in-memory FakeObs, or (in the tests
that ask for it) a real OBS Studio under Xvfb."""

from __future__ import annotations

import pytest

from commsdesk.app import Wiring
from commsdesk.broadcast.obs.fake import FakeObs
from commsdesk.settings import Settings


class BroadcastDesk:
    """The window, its lanes, the broadcast bridge and panel over a real SQLite desk."""

    def __init__(self, qtbot, data_dir, factory, operator="Pat Lee (producer)"):
        self.qtbot = qtbot
        self.settings = Settings.load(data_dir)
        self.settings.set("operator_name", operator)
        self.settings.set("team_time_zones", ["UTC", "Asia/Singapore", "America/New_York"])
        self.settings.set("producer_zone", "UTC")
        self.wiring = Wiring(self.settings, obs_factory=factory)
        self.bridge = self.wiring.bridge
        self.db_lane, self.slides_lane = self.wiring.db_lane, self.wiring.slides_lane
        self.obs = self.wiring.add_broadcast()
        self.window = self.wiring.make_window(audience=False)
        qtbot.addWidget(self.window)
        self.window.build_panels()
        with qtbot.waitSignal(self.bridge.opened, timeout=20_000):
            self.bridge.open(data_dir)
        # Not desk_opened(): the timeline panel's polling would outlive the test's lanes.
        self.panel = self.window.broadcast
        self.idle()

    def idle(self, timeout=10_000):
        self.qtbot.waitUntil(self.wiring.idle, timeout=timeout)

    def show_panel(self, width: int = 1280, height: int = 720) -> None:
        """The window shown at that size with the Broadcast panel's dock raised and active."""
        window = self.window
        window.resize(width, height)
        window.show()
        self.qtbot.waitExposed(window)
        window.docks[1].show()
        window.docks[1].raise_()
        window.activateWindow()

    def connect(self, timeout=20_000):
        self.obs.start()
        self.qtbot.waitUntil(lambda: self.obs.connected and self.obs.scenes is not None,
                             timeout=timeout)  # fmt: skip

    def events(self, kind: str) -> list:
        """Timeline events of `kind` (or group), oldest first, once the lanes are idle."""
        self.idle()
        return list(reversed(self.bridge.desk.timeline(kinds=[kind])))

    def wait_events(self, kind: str, count: int, timeout=10_000) -> list:
        """Wait until `count` events of `kind` are on the timeline; them, oldest first."""
        found: list = []

        def enough() -> bool:
            found[:] = list(reversed(self.bridge.desk.timeline(kinds=[kind])))
            return len(found) >= count

        self.qtbot.waitUntil(enough, timeout=timeout)
        self.idle()
        return found

    def close(self):
        self.obs.close()
        self.window.close()
        self.idle()
        self.wiring.stop()
        self.bridge.desk.close()


@pytest.fixture
def fake_obs() -> FakeObs:
    return FakeObs(("Camera", "Screen", "Guest"))


@pytest.fixture
def broadcast(qtbot, isolated_dirs, fake_obs):
    """The desk window with its Broadcast panel on the in-memory OBS."""
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    d = BroadcastDesk(qtbot, isolated_dirs, lambda host, port, password: fake_obs)
    yield d
    d.close()
