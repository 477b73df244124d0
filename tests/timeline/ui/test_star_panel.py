"""Starring in the timeline panel of a real desk window: Ctrl+D on the focused list stars the
selected event on the record (off the UI thread) and marks its row; Ctrl+D again takes the star
off; letters typed on the list or in the search field star nothing; Tab leaves the list; starring
a star is refused in words."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QDockWidget

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.timeline.ui.timeline_panel import STAR, STARRED_TINT, WHAT


@pytest.fixture
def timeline(harness):
    """The desk window shown with its Timeline panel up, an incident started."""
    h = harness
    h.bridge.act(Desk.start_incident, title="Cold-wallet breach", severity=Severity.P1)
    h.idle()
    h.window.resize(1280, 720)
    h.window.show()
    h.qtbot.waitExposed(h.window)
    panel = h.window.timeline
    dock = next(d for d in h.window.findChildren(QDockWidget) if d.isAncestorOf(panel))
    dock.show()
    dock.raise_()
    h.qtbot.waitUntil(panel.table.isVisible)
    panel.poll()
    h.idle()
    h.qtbot.waitUntil(lambda: row_of(panel, "incident.started") is not None)
    return h


def row_of(panel, kind: str) -> int | None:
    return next((r for r, e in enumerate(panel.model.events) if e.kind == kind), None)


def select(panel, row: int) -> None:
    panel.table.selectionModel().select(
        panel.model.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    panel.table.setFocus()


def mark(panel, event_id: int) -> tuple[str, object]:
    """The star cell's text and the row's background, for the row of `event_id`."""
    row = next(r for r, e in enumerate(panel.model.events) if e.id == event_id)
    index = panel.model.index(row, STAR)
    return index.data(), panel.model.index(row, WHAT).data(Qt.ItemDataRole.BackgroundRole)


def test_ctrl_d_on_the_list_stars_the_event_on_the_record_and_marks_its_row(timeline, monkeypatch):
    h = timeline
    panel = h.window.timeline
    started = panel.model.events[row_of(panel, "incident.started")]
    assert mark(panel, started.id) == ("", None)
    threads = []
    real = Desk.star_event
    monkeypatch.setattr(Desk, "star_event", lambda desk, *a: threads.append(
        threading.current_thread()) or real(desk, *a))  # fmt: skip

    select(panel, row_of(panel, "incident.started"))
    h.qtbot.waitUntil(panel.table.hasFocus)
    assert panel.star_action.text() == "&Star" and panel.star_action.isEnabled()
    h.qtbot.keyClick(panel.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    h.idle()

    assert threads and threading.main_thread() not in threads  # written on the database lane
    assert h.desk.starred_event_ids() == {started.id}
    star = h.desk.timeline(limit=1)[0]
    assert (star.kind, star.actor, star.data) == (
        "timeline.starred", "Ana Ruiz (comms)", {"event_id": started.id})
    h.qtbot.waitUntil(lambda: mark(panel, started.id)[0] == "★")
    assert mark(panel, started.id)[1] == STARRED_TINT
    h.qtbot.waitUntil(lambda: row_of(panel, "timeline.starred") is not None)
    assert panel.model.events[row_of(panel, "timeline.starred")].summary == (
        f"Starred event #{started.id}: {started.summary}")

    select(panel, next(r for r, e in enumerate(panel.model.events) if e.id == started.id))
    assert panel.star_action.text() == "Remove &star"
    h.qtbot.keyClick(panel.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    h.idle()
    assert h.desk.starred_event_ids() == set()
    h.qtbot.waitUntil(lambda: mark(panel, started.id) == ("", None))
    assert h.desk.timeline(limit=1)[0].kind == "timeline.unstarred"


def test_typing_letters_on_the_list_writes_nothing_to_the_record(timeline):
    h = timeline
    panel = h.window.timeline
    select(panel, row_of(panel, "incident.started"))
    h.qtbot.waitUntil(panel.table.hasFocus)
    before = h.desk.last_event_id()
    h.qtbot.keyClicks(panel.table, "stolen")  # typed in the wrong place
    h.qtbot.keyClick(panel.table, Qt.Key.Key_S)
    h.idle()
    assert h.desk.last_event_id() == before
    assert h.desk.starred_event_ids() == set()
    assert panel.star_action.shortcut().toString() == "Ctrl+D"
    assert "Ctrl+D" in panel.star_action.toolTip()


def test_ctrl_d_stars_nothing_else_in_the_window(timeline):
    """Ctrl+D is the timeline's star key alone: no menu item or panel key binds it too."""
    from PySide6.QtGui import QAction, QKeySequence, QShortcut

    h = timeline
    window = h.window
    window.menus.bind_shortcuts()
    ctrl_d = QKeySequence("Ctrl+D")
    actions = [a for a in window.findChildren(QAction) if ctrl_d in a.shortcuts()]
    assert actions == [window.timeline.star_action]
    assert not [s for s in window.findChildren(QShortcut) if s.key() == ctrl_d]


def test_tab_leaves_the_list_and_arrows_move_its_rows(timeline):
    from PySide6.QtWidgets import QApplication

    h = timeline
    panel = h.window.timeline
    h.bridge.act(Desk.record, "desk.operator", "Ana Ruiz (comms) took the desk")
    h.idle()
    panel.poll()
    h.idle()
    h.qtbot.waitUntil(lambda: panel.model.rowCount() >= 2)
    h.window.activateWindow()
    h.qtbot.waitUntil(lambda: QApplication.activeWindow() is h.window)
    select(panel, 0)
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    h.qtbot.waitUntil(panel.table.hasFocus)
    h.qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    assert panel.table.currentIndex().row() == 1
    h.qtbot.keyClick(panel.table, Qt.Key.Key_Tab)
    assert not panel.table.hasFocus()  # one Tab, not one per cell


def test_typing_s_in_the_search_field_stars_nothing(timeline):
    h = timeline
    panel = h.window.timeline
    select(panel, row_of(panel, "incident.started"))
    before = h.desk.last_event_id()
    panel.text.setFocus()
    h.qtbot.waitUntil(panel.text.hasFocus)
    h.qtbot.keyClicks(panel.text, "s")
    h.qtbot.keyClick(panel.text, Qt.Key.Key_S)
    assert panel.text.text() == "ss"
    h.idle()
    assert h.desk.last_event_id() == before
    assert h.desk.starred_event_ids() == set()


def test_starring_a_star_is_refused_in_words(timeline):
    h = timeline
    panel = h.window.timeline
    started = panel.model.events[row_of(panel, "incident.started")]
    h.bridge.act(Desk.star_event, started.id)
    h.idle()
    panel.poll()
    h.idle()
    h.qtbot.waitUntil(lambda: row_of(panel, "timeline.starred") is not None)
    star = panel.model.events[row_of(panel, "timeline.starred")]
    select(panel, row_of(panel, "timeline.starred"))
    with h.qtbot.waitSignal(h.bridge.refused, timeout=10_000) as refused:
        panel.star_action.trigger()
    assert refused.args[0] == (
        f"Event #{star.id} is itself a star, not something that happened: star the event it "
        f"marks (#{started.id}) instead."
    )
    h.idle()
    assert h.desk.starred_event_ids() == {started.id}
    assert mark(panel, star.id) == ("", None)
