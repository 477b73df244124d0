"""Incident → Run a drill… in a real desk window over a real SQLite file: the drill run step by
step on its own lane, each step's state in the list, a failing step said with its reason and the
next still run, the scorecard at the end, and the same by keys alone.

The phone provider is the drills' stand-in (answering after a second); OBS is either absent
(its steps fail, saying so) or the in-memory OBS behind BlockingObs's own calls."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox

import commsdesk.drill.ui.dialog as dialog_module
from commsdesk.broadcast.obs.api import ObsError
from commsdesk.broadcast.obs.fake import FakeObs
from commsdesk.desk import Desk
from commsdesk.drill.run import STEPS
from commsdesk.drill.ui.dialog import DrillDialog
from commsdesk.p1.fake_provider import FakeProvider
from commsdesk.p1.service import CallChain
from commsdesk.publishing.holds import drill_mode
from tests.support.desk_harness import DeskHarness
from tests.support.memory_keyring import memory_keyring  # noqa: F401
from tests.support.obs_in_memory import InMemoryObs

ANA = "Ana Ruiz (comms)"
NO_OBS = "OBS is not running here"
STEP = 60_000  # the longest a step may take here (the report prints a PDF)
ROW = {name: row for row, (name, _title) in enumerate(STEPS)}


class Lanes:
    """Where the drill's outside calls ran."""

    def __init__(self) -> None:
        self.threads: list[str] = []

    def phone(self, *, drill: bool):
        assert drill
        self.threads.append(threading.current_thread().name)
        return FakeProvider.for_drills(answer_after=1.0)

    def no_obs(self):
        self.threads.append(threading.current_thread().name)
        raise ObsError("unreachable", NO_OBS)


@pytest.fixture
def harness(qtbot, isolated_dirs, memory_keyring):  # noqa: F811
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    desk = Desk.open(isolated_dirs)
    try:
        CallChain(desk).add(ANA, "Mira Chen", "+15005550101")
    finally:
        desk.close()
    h = DeskHarness(qtbot, isolated_dirs, operator=ANA)
    yield h
    h.close()


@pytest.fixture
def lanes() -> Lanes:
    return Lanes()


def opened(qtbot, harness, **parts) -> DrillDialog:
    dialog = DrillDialog(harness.window, **parts)
    dialog.show()
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=10_000)
    assert dialog.scenario.currentText() == "Cold-wallet breach"
    assert [dialog.scenario.itemText(i) for i in range(dialog.scenario.count())] == [
        "Cold-wallet breach", "Exchange outage", "Open a scenario file…"]
    return dialog


def state(dialog: DrillDialog, name: str) -> str:
    return dialog.steps.item(ROW[name], 1).text()


def states(dialog: DrillDialog) -> list[str]:
    return [dialog.steps.item(row, 1).text() for row in range(len(STEPS))]


def start(qtbot, dialog: DrillDialog) -> None:
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.next_button.isEnabled, timeout=10_000)


def recorded(harness) -> list[str]:
    return [event.kind for event in harness.desk.timeline(limit=None)]


def test_one_step_at_a_time_each_state_in_the_list_a_failure_said_and_the_scorecard(
    qtbot, harness, lanes, monkeypatch
):
    refreshed = []
    harness.bridge.timeline_changed.connect(lambda: refreshed.append(1))
    dialog = opened(qtbot, harness, phone=lanes.phone, open_obs=lanes.no_obs)
    assert states(dialog) == ["waiting"] * len(STEPS)
    start(qtbot, dialog)
    assert drill_mode(harness.desk) is True
    assert dialog.next_button.isDefault()
    ticks = []
    timer = QTimer(dialog, interval=10, timeout=lambda: ticks.append(1))
    timer.start()

    for row, (name, title) in enumerate(STEPS):
        assert dialog.steps.item(row, 0).text() == title
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        assert state(dialog, name) == "running…"  # said at once; the lane does the step
        assert not dialog.next_button.isEnabled() and not dialog.rest_button.isEnabled()
        qtbot.waitUntil(lambda n=name: state(dialog, n) != "running…", timeout=STEP)
        if name == "p1":  # a second or more on the lane, the window turning meanwhile
            assert len(ticks) >= 20
        text = state(dialog, name)
        if name == "go_live":
            assert text == f"FAILED: {NO_OBS}"
        elif name in ("back_at", "back_live", "end_stream"):  # never on air without its stream
            assert text.startswith("FAILED: needs what ")
        else:
            assert text.startswith("done in ") and " s: " in text, (name, text)
        assert states(dialog)[row + 1:] == ["waiting"] * (len(STEPS) - row - 1)
    timer.stop()

    assert "P-1 answered by Mira Chen" in state(dialog, "p1")
    assert "posted to the SANDBOX" in state(dialog, "post")
    assert "advice to end" in state(dialog, "audience")  # after the failures, still run
    qtbot.waitUntil(dialog.card_view.isVisible, timeout=STEP)
    card = dialog.card_view.toPlainText()
    assert card.startswith("Drill scorecard: Cold-wallet breach")
    assert f"FAILED Go live on OBS: {NO_OBS}" in card
    assert "Steps done                           8 of 12" in card
    assert "The drill is over: 8 of 12 steps done, 4 failed" in dialog.message.text()
    assert not dialog.next_button.isEnabled() and not dialog.finish_button.isEnabled()
    assert set(lanes.threads) == {"lane-drill"}  # never the UI thread
    assert len(refreshed) >= len(STEPS)  # the window read the record again after each step

    opened_urls = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened_urls.append(url) or True)
    assert dialog.report_button.isVisible()
    qtbot.mouseClick(dialog.report_button, Qt.MouseButton.LeftButton)
    report = opened_urls[0].toLocalFile()
    assert report.endswith("-cold-wallet-breach.pdf") and f"Report: {report}" in card
    harness.idle()
    assert drill_mode(harness.desk) is False  # put back as it was
    assert "drill.scored" in recorded(harness)
    assert harness.window.incident is None  # the drill's incident closed, as the window shows
    dialog.close()


def test_run_the_rest_on_obs_does_every_step(qtbot, harness, lanes):
    obs = FakeObs()
    dialog = opened(qtbot, harness, phone=lanes.phone, open_obs=lambda: InMemoryObs(obs).open())
    start(qtbot, dialog)
    qtbot.mouseClick(dialog.rest_button, Qt.MouseButton.LeftButton)
    assert dialog.rest_button.text() == "&Pause after this step"
    qtbot.waitUntil(dialog.card_view.isVisible, timeout=4 * STEP)
    assert all(text.startswith("done in ") for text in states(dialog)), states(dialog)
    assert "Steps done                           12 of 12" in dialog.card_view.toPlainText()
    assert "FAILED" not in dialog.card_view.toPlainText()
    dialog.close()


def test_finish_now_between_steps_leaves_the_rest_out(qtbot, harness, lanes):
    dialog = opened(qtbot, harness, phone=lanes.phone, open_obs=lanes.no_obs)
    start(qtbot, dialog)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state(dialog, "p1").startswith("done in "), timeout=STEP)
    qtbot.mouseClick(dialog.finish_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.card_view.isVisible, timeout=STEP)
    assert states(dialog)[1:] == ["left out: not run"] * (len(STEPS) - 1)
    assert "Steps done                           1 of 1" in dialog.card_view.toPlainText()
    assert not dialog.report_button.isVisible()  # the report step never ran
    assert dialog.message.text().endswith("The incident it opened is still open: close it "
                                          "(Incident → Close incident…) before another drill.")
    harness.idle()
    assert drill_mode(harness.desk) is False
    dialog.close()


def test_with_an_incident_open_the_drill_says_why_and_nothing_starts(qtbot, harness, lanes):
    harness.desk.start_incident(ANA, "Real incident", "P2")
    dialog = opened(qtbot, harness, phone=lanes.phone, open_obs=lanes.no_obs)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "is open" in dialog.message.text(), timeout=10_000)
    assert dialog.message.text() == ("'Real incident' is open: a drill runs only when no "
                                     "incident is, so nothing of it joins a real one. Close it "
                                     "first.")  # fmt: skip
    assert dialog.message.isVisible()
    assert states(dialog) == ["waiting"] * len(STEPS)
    assert dialog.start_button.isEnabled() and not dialog.next_button.isEnabled()
    assert drill_mode(harness.desk) is False
    assert "drill.started" not in recorded(harness) and lanes.threads == []
    closed = []
    dialog.finished.connect(closed.append)
    dialog.close()
    assert closed  # nothing running: closed without a question


def test_closing_mid_drill_asks_then_finishes_the_drill_before_it_goes(qtbot, harness, lanes):
    dialog = opened(qtbot, harness, phone=lanes.phone, open_obs=lanes.no_obs)
    start(qtbot, dialog)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)  # the P-1 step, running
    closed = []
    dialog.finished.connect(closed.append)
    dialog.close()
    box = next(b for b in dialog.findChildren(QMessageBox) if b.isVisible())
    assert box.windowTitle() == "Stop the drill?"
    assert dialog.isVisible() and state(dialog, "p1") == "running…"  # nothing done yet
    box.button(QMessageBox.StandardButton.Yes).click()
    assert closed == [] and dialog.isVisible()  # the UI waits for the lane, not the other way
    assert dialog.message.text() == "Finishing after the step that is running, then closing…"
    qtbot.waitUntil(lambda: closed != [], timeout=STEP)
    harness.idle()
    assert drill_mode(harness.desk) is False
    scored = next(iter(harness.desk.timeline(kinds=["drill.scored"])))
    assert [step["name"] for step in scored.data["failed"]] == []
    assert "drill.step_failed" not in recorded(harness)


def test_closing_the_window_mid_drill_finishes_the_drill_first(qtbot, harness, lanes):
    window = harness.window
    window.show()
    dialog = opened(qtbot, harness, phone=lanes.phone, open_obs=lanes.no_obs)
    start(qtbot, dialog)
    window.close()  # Ctrl+Q: the drill must not be left with drill mode on for every desk
    assert window.isVisible()
    box = next(b for b in dialog.findChildren(QMessageBox) if b.isVisible())
    assert box.windowTitle() == "Stop the drill?"
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=STEP)
    harness.idle()
    assert drill_mode(harness.desk) is False
    assert "drill.scored" in recorded(harness)


def test_by_keys_alone_the_menu_opens_it_enter_starts_and_enter_steps(
    qtbot, harness, lanes, monkeypatch
):
    monkeypatch.setattr("commsdesk.p1.runner.choose_provider", lanes.phone)
    monkeypatch.setattr(dialog_module, "open_obs", lambda *_args, **_kw: lanes.no_obs())
    window = harness.window
    window.show()
    menu = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&Incident")
    item = next(a for a in menu.actions() if a.text() == "Run a &drill…")
    item.trigger()
    dialog = window.findChild(DrillDialog)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=10_000)

    def enter() -> None:
        qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)

    enter()  # Start
    qtbot.waitUntil(dialog.next_button.isEnabled, timeout=10_000)
    enter()  # Do the next step
    assert state(dialog, "p1") == "running…"
    qtbot.waitUntil(lambda: state(dialog, "p1").startswith("done in "), timeout=STEP)
    enter()
    qtbot.waitUntil(lambda: state(dialog, "incident").startswith("done in "), timeout=STEP)
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_F,
                   Qt.KeyboardModifier.AltModifier)  # Finish now
    qtbot.waitUntil(dialog.card_view.isVisible, timeout=STEP)
    assert "Steps done                           2 of 2" in dialog.card_view.toPlainText()
    closed = []
    dialog.finished.connect(closed.append)
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: closed != [], timeout=5_000)  # over: closed without a question


def test_a_scenario_file_is_read_and_added_and_a_broken_one_said(qtbot, harness, tmp_path):
    from commsdesk.drill.scenario import SHIPPED

    mine = tmp_path / "my-drill.toml"
    mine.write_text((SHIPPED / "exchange-outage.toml").read_text().replace(
        'name = "Exchange outage"', 'name = "Our outage"'))  # fmt: skip
    (tmp_path / "exchange-outage-audience.csv").write_bytes(
        (SHIPPED / "exchange-outage-audience.csv").read_bytes())
    broken = tmp_path / "broken.toml"
    broken.write_text("[incident]\ntitle = \n", encoding="utf-8")
    dialog = opened(qtbot, harness)

    def choose(path) -> None:
        dialog.scenario.setCurrentIndex(dialog.scenario.count() - 1)  # Open a scenario file…
        files = next(f for f in dialog.findChildren(QFileDialog) if f.isVisible())
        assert dialog.scenario.currentText() == "Cold-wallet breach"  # until a file is read
        files.fileSelected.emit(str(path))  # as when a person picks it
        files.close()

    choose(broken)
    qtbot.waitUntil(lambda: "broken.toml is not valid TOML" in dialog.message.text())
    assert dialog.scenario.currentText() == "Cold-wallet breach"
    choose(mine)
    qtbot.waitUntil(lambda: dialog.scenario.currentText() == "Our outage (my-drill.toml)")
    assert dialog.scenario.path() == mine and not dialog.message.isVisible()
    assert dialog.start_button.isEnabled()
    dialog.close()


def test_an_empty_p1_chain_is_foreseen_when_the_drill_starts(qtbot, harness, lanes):
    CallChain(harness.desk).remove(ANA, "Mira Chen")
    dialog = opened(qtbot, harness, phone=lanes.phone, open_obs=lanes.no_obs)
    start(qtbot, dialog)
    said = dialog.message.text()
    assert said.startswith("Drill mode is on: “Cold-wallet breach” is running as ")
    assert "\nForeseen: The P-1 call chain is empty, so the P-1 step will fail" in said
    dialog.finish()
    qtbot.waitUntil(lambda: dialog.card is not None, timeout=20_000)


def test_a_window_opened_after_a_drill_was_killed_offers_to_put_the_desk_right(
    qtbot, isolated_dirs, memory_keyring, lanes  # noqa: F811
):
    from PySide6.QtWidgets import QMessageBox

    from commsdesk.app import open_services
    from commsdesk.drill.run import DrillParts, DrillRun
    from commsdesk.drill.scenario import load
    from commsdesk.settings import Settings

    isolated_dirs.mkdir(parents=True, exist_ok=True)
    services = open_services(isolated_dirs)
    try:
        CallChain(services.desk).add(ANA, "Mira Chen", "+15005550101")
        parts = DrillParts(services, ANA, isolated_dirs, Settings.load(isolated_dirs),
                           lanes.no_obs, phone=lanes.phone)  # fmt: skip
        killed = DrillRun(load("cold-wallet-breach"), parts)
        killed.begin()
        for _ in range(4):  # P-1, the incident, the statement, two approvals asked: then killed
            assert killed.run_step().ok
    finally:
        services.close()

    h = DeskHarness(qtbot, isolated_dirs, operator=ANA)
    try:
        qtbot.waitUntil(lambda: getattr(h.window, "put_right_box", None) is not None
                        and h.window.put_right_box.isVisible(), timeout=10_000)  # fmt: skip
        box = h.window.put_right_box
        assert box.text().startswith("The drill “Cold-wallet breach” began at ")
        assert box.defaultButton().text() == "&Leave as it is"  # Enter does not change a thing
        mend = next(b for b in box.buttons() if b.text() == "&Put right")
        mend.click()
        qtbot.waitUntil(lambda: drill_mode(h.desk) is False, timeout=10_000)
        h.idle()
        assert h.desk.approval_policy().required == 1
        assert h.desk.active_incident() is None
        qtbot.waitUntil(lambda: h.window.statusBar().currentMessage().startswith(
            "Drill put right: closed its incident 'DRILL: "), timeout=5_000)  # fmt: skip
        assert isinstance(box, QMessageBox)
    finally:
        h.close()
