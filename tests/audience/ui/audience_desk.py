"""A desk window over a real SQLite file with the Audience panel, its bridge and lane, an
in-memory keyring and a tray whose notifications are noted."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

from commsdesk.app import Wiring
from commsdesk.settings import Settings
from tests.support.memory_keyring import memory_keyring  # noqa: F401

OPERATOR = "Ana Ruiz (comms)"


class AudienceDesk:
    """A desk window over a real SQLite file with the Audience panel and its bridge."""

    def __init__(self, qtbot, data_dir, monkeypatch, **settings) -> None:
        self.qtbot = qtbot
        self.data_dir = data_dir
        self.settings = Settings.load(data_dir)
        self.settings.set("operator_name", OPERATOR)
        for name, value in settings.items():
            self.settings.set(name, value)
        self.wiring = Wiring(self.settings)
        self.bridge = self.wiring.bridge
        self.db_lane, self.lane = self.wiring.db_lane, self.wiring.audience_lane
        with qtbot.waitSignal(self.bridge.opened, timeout=20_000):
            self.bridge.open(data_dir)
        self.window = self.wiring.make_window()
        qtbot.addWidget(self.window)
        self.notified: list[tuple[str, str]] = []
        self.window.tray = QSystemTrayIcon(self.window)
        monkeypatch.setattr(
            self.window.tray, "showMessage",
            lambda title, message, *_a: self.notified.append((title, message)),
        )

    @property
    def desk(self):
        return self.bridge.desk

    @property
    def store(self):
        from commsdesk.audience.store import AudienceStore

        return AudienceStore(self.desk)

    def open_panel(self):
        self.window.build_panels()
        self.panel = self.window.audience
        self.audience = self.window.audience_bridge
        self.qtbot.waitUntil(lambda: self.audience.poller is not None and self.idle_now(),
                             timeout=20_000)
        return self.panel

    def idle_now(self) -> bool:
        return all(lane.outstanding == 0 for lane in (self.db_lane, self.lane))

    def idle(self, timeout=20_000) -> None:
        self.qtbot.waitUntil(self.idle_now, timeout=timeout)

    def chip(self, name: str) -> str:
        return self.panel.chips[name].text() if name in self.panel.chips else ""

    def close(self) -> None:
        if self.window.audience_bridge is not None:
            self.window.stop_audience()
        self.idle()
        self.wiring.stop()
        self.desk.close()


@pytest.fixture
def audience_desk(qtbot, isolated_dirs, monkeypatch, memory_keyring):  # noqa: F811
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    made = []

    def make(**settings):
        desk = AudienceDesk(qtbot, isolated_dirs, monkeypatch, **settings)
        made.append(desk)
        return desk

    yield make
    for desk in made:
        desk.close()
