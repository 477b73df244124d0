"""A real desk window over a real SQLite file in the test's temp data dir."""

from __future__ import annotations

import pytest

from commsdesk.publishing.ui.bridge import PublishingBridge
from commsdesk.scheduling.ui.bridge import ScheduleBridge
from commsdesk.settings import Settings
from commsdesk.ui.desk_bridge import DeskBridge
from commsdesk.ui.lanes import Lane


class DeskHarness:
    def __init__(self, qtbot, data_dir, operator="Ana Ruiz (comms)"):
        from commsdesk.statements.templates import starting_templates
        from commsdesk.ui.main_window import MainWindow

        self.qtbot = qtbot
        self.data_dir = data_dir
        self.settings = Settings.load(data_dir)
        if operator:
            self.settings.set("operator_name", operator)
        self.db_lane = Lane("database")
        self.text_lane = Lane("text")
        self.x_lane = Lane("x")
        self.bridge = DeskBridge(self.db_lane, self.settings)
        self.publishing = PublishingBridge(self.x_lane, self.bridge)
        self.schedule = ScheduleBridge(self.bridge, self.publishing)
        self.window = MainWindow(
            self.bridge, self.text_lane, publishing=self.publishing, schedule=self.schedule
        )
        qtbot.addWidget(self.window)
        self.window.build_panels()
        with qtbot.waitSignal(self.bridge.opened, timeout=20_000):
            self.bridge.open(data_dir)
        with qtbot.waitSignal(self.schedule.ready, timeout=20_000):
            self.window.desk_opened(starting_templates())
        self.idle()

    @property
    def desk(self):
        return self.bridge.desk

    def idle(self, timeout=10_000):
        """Wait until both lanes have delivered everything queued so far."""
        self.qtbot.waitUntil(
            lambda: all(lane.outstanding == 0 for lane in (self.db_lane, self.text_lane,
                                                           self.x_lane)),
            timeout=timeout,
        )

    def be(self, operator: str) -> None:
        self.settings.set("operator_name", operator)

    def close(self):
        self.window.close()
        self.idle()
        for lane in (self.x_lane, self.db_lane, self.text_lane):
            lane.stop()
        self.desk.close()


@pytest.fixture
def harness(qtbot, isolated_dirs):
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    h = DeskHarness(qtbot, isolated_dirs)
    yield h
    h.close()
