"""A real desk window over a real SQLite file in the test's temp data dir, wired by the app's
own `Wiring`."""

from __future__ import annotations

import pytest

from commsdesk.app import Wiring
from commsdesk.settings import Settings


class DeskHarness:
    def __init__(self, qtbot, data_dir, operator="Ana Ruiz (comms)", **wiring):
        from commsdesk.statements.templates import starting_templates

        self.qtbot = qtbot
        self.data_dir = data_dir
        self.settings = Settings.load(data_dir)
        if operator:
            self.settings.set("operator_name", operator)
        self.wiring = Wiring(self.settings, **wiring)
        self.bridge = self.wiring.bridge
        self.publishing = self.wiring.publishing
        self.schedule = self.wiring.schedule
        self.db_lane, self.text_lane, self.x_lane = (
            self.wiring.db_lane, self.wiring.text_lane, self.wiring.x_lane
        )
        self.window = self.wiring.make_window(audience=False)
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
        """Wait until every lane has delivered everything queued so far."""
        self.qtbot.waitUntil(self.wiring.idle, timeout=timeout)

    def be(self, operator: str) -> None:
        self.settings.set("operator_name", operator)

    def close(self):
        self.window.close()
        self.idle()
        self.wiring.stop()
        self.desk.close()


@pytest.fixture
def harness(qtbot, isolated_dirs):
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    h = DeskHarness(qtbot, isolated_dirs)
    yield h
    h.close()
