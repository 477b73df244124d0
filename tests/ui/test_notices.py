"""What needs a person shows whatever panel is in front: the audience advice, stream trouble, a
timeline whose end was cut; and the SANDBOX feed has a way in from the View menu and the header."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication

from commsdesk.audience.advisor import Advice, AdviceKind
from commsdesk.broadcast.obs.fake import FakeObs
from commsdesk.broadcast.stream_health import HealthFlag, StreamHealth
from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from tests.audience.ui.audience_desk import audience_desk, memory_keyring  # noqa: F401
from tests.broadcast.ui.conftest import BroadcastDesk
from tests.support.desk_harness import DeskHarness


def on_screen(window):
    window.resize(1280, 720)
    window.show()
    window.activateWindow()
    return window


def readable_warning(window, topic: str):
    """The header's warning for `topic`: shown, whole inside the window, with words on it."""
    button = window.header.warnings.get(topic)
    assert button is not None and button.isVisible(), topic
    rect = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
    assert window.rect().contains(rect), f"the {topic} warning lies outside the window"
    assert button.width() >= 80 and len(button.text()) >= 6
    return button


class Tray:
    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def showMessage(self, title, message, *_args):  # noqa: N802 - Qt's name
        self.shown.append((title, message))


def test_advice_shows_in_the_header_whatever_panel_is_in_front(audience_desk):  # noqa: F811
    d = audience_desk()
    d.open_panel()
    window = on_screen(d.window)
    window.show_panel(0)  # the Statements panel in front, Audience behind a tab
    assert d.window.docks[2].visibleRegion().isEmpty()
    d.audience.advice.emit(Advice(
        1_000.0, AdviceKind.SUGGEST_END, "The audience has stayed below 10% of its peak for "
        "10 minutes: consider ending the stream.", 3_900.0, 40_000.0, 0.0,
    ))  # fmt: skip
    button = readable_warning(window, "advice")
    assert button.full_text == "End the stream?"
    assert "below 10% of its peak" in button.toolTip()
    button.click()  # the Audience panel comes forward
    assert not d.window.docks[2].visibleRegion().isEmpty()
    d.audience.advice.emit(Advice(1_100.0, AdviceKind.WITHDRAWN, "The audience came back.",
                                  9_000.0, 40_000.0, 0.0))  # fmt: skip
    assert "advice" not in window.header.warnings


@pytest.fixture
def broadcast_desk(qtbot, isolated_dirs):
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    obs = FakeObs(("Camera", "Screen", "Guest"))
    desk = BroadcastDesk(qtbot, isolated_dirs, lambda host, port, password: obs)
    yield desk
    desk.close()


def health(*flags) -> StreamHealth:
    return StreamHealth(True, 600.0, 2500.0, 0.04 if flags else 0.0, 0.0, 0.0, 0.6, 35.0, 30.0,
                        30.0, tuple(flags))  # fmt: skip


def test_stream_trouble_shows_in_the_header_until_the_stream_is_well(broadcast_desk):
    d = broadcast_desk
    window = on_screen(d.window)
    tray = window.tray = Tray()
    window.show_panel(4)  # the Timeline in front of Broadcast
    d.obs.health_changed.emit(health(HealthFlag.DROPPED_FRAMES, HealthFlag.CONGESTION))
    button = readable_warning(window, "stream")
    assert button.full_text == "Stream: dropped frames, congestion"
    assert "Dropped 4.0%" in button.toolTip()
    assert tray.shown == [("Stream trouble", button.toolTip().split("\n\n")[0])]
    d.obs.health_changed.emit(health(HealthFlag.DROPPED_FRAMES))
    assert len(tray.shown) == 1  # one notification for one spell of trouble
    d.obs.health_changed.emit(health())
    assert "stream" not in window.header.warnings
    d.obs.alert.emit("OBS connection lost during the live stream", "OBS stopped answering.")
    assert readable_warning(window, "stream").full_text.startswith("OBS connection lost")


def test_a_desk_opened_on_a_cut_timeline_says_so_at_once(qtbot, isolated_dirs, monkeypatch):
    isolated_dirs.mkdir(parents=True)
    first = DeskHarness(qtbot, isolated_dirs)
    first.bridge.act(Desk.start_incident, title="Hot wallet drained", severity=Severity.P1)
    first.bridge.act(Desk.record, "desk.note", "one")
    first.bridge.act(Desk.record, "desk.note", "two")
    first.idle()
    first.close()
    with closing(sqlite3.connect(isolated_dirs / "commsdesk.sqlite3")) as db:
        db.execute("DELETE FROM timeline_events WHERE id > 1")  # the newest events, gone
        db.commit()
    tray = Tray()
    monkeypatch.setattr("commsdesk.ui.main_window.MainWindow._make_tray", lambda self: tray)
    h = DeskHarness(qtbot, isolated_dirs)
    try:
        window = on_screen(h.window)
        h.qtbot.waitUntil(lambda: "record" in window.header.warnings)
        button = readable_warning(window, "record")
        assert button.full_text == "RECORD ALTERED"
        assert button.toolTip().startswith("Timeline cut: the newest 2 events are gone")
        assert "Timeline cut" in window.statusBar().currentMessage()
        [(title, message)] = tray.shown
        assert title == "The timeline does not verify" and message.startswith("Timeline cut")
    finally:
        h.close()


def test_an_intact_timeline_opens_without_a_warning(harness):
    harness.bridge.act(Desk.record, "desk.note", "one")
    harness.idle()
    harness.window.notices.check_record()
    harness.idle()
    assert "record" not in harness.window.header.warnings


def test_the_sandbox_feed_comes_forward_from_the_view_menu_and_the_header(harness):
    h = harness
    window = on_screen(h.window)
    h.qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    feed = window.schedule_panel.feed
    for way_in in (window.menus.sandbox_action.trigger, window.header.destination.click):
        window.show_panel(4)
        assert feed.visibleRegion().isEmpty()
        way_in()
        assert not feed.visibleRegion().isEmpty() and feed.height() >= 100
        assert QApplication.focusWidget() is feed
    assert window.header.destination.full_text == "Posts → SANDBOX"
    assert "never X" in window.header.destination.toolTip()
