"""The P-1 button in the window: pressed from the header through its confirmation by keyboard
alone; the header's label follows the chain (calling, answered, NO ONE ANSWERED, loud until
acknowledged); the tray says how it ended; cancelling hangs up; acknowledging goes on the
record; a chain left running when a desk stopped is carried on."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from commsdesk.p1.chain import RunState
from commsdesk.p1.provider import CallOutcome
from commsdesk.p1.service import CallChain
from commsdesk.p1.ui.press_dialog import PressDialog
from commsdesk.store.changes import Change
from tests.p1.ui.conftest import ADA, ANA, MIRA, SAM, P1Window
from tests.support.desk_harness import DeskHarness

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def press_dialog(d: P1Window) -> PressDialog:
    """The confirmation Ctrl+Shift+1 opens, with the keyboard in its reason."""
    window = d.window
    d.h.qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_1, CTRL_SHIFT)
    d.h.qtbot.waitUntil(lambda: any(w.isVisible() for w in window.findChildren(PressDialog)))
    dialog = next(w for w in window.findChildren(PressDialog) if w.isVisible())
    dialog.activateWindow()
    d.h.qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason)
    return dialog


def test_pressed_by_keyboard_the_header_follows_the_chain_until_it_is_answered(p1_window):
    d = p1_window
    d.chain()
    d.fake.answer(MIRA, "human", after=1.5)
    window = d.shown()
    assert d.header.p1_button.text() == "P-1" and d.header.p1_button.isVisible()
    assert d.label() == ""  # no chain yet

    dialog = press_dialog(d)
    assert dialog.what.text() == (
        "This calls, one at a time: Mira Chen, Sam Okafor, Ada Park — up to 3 rounds — until "
        "one of them answers, then texts all of them. It starts a P1 incident."
    )
    assert dialog.cancel_button.isDefault() and not dialog.press_button.isDefault()
    assert not dialog.drill.isChecked()  # the desk is not in Drill mode
    d.h.qtbot.keyClicks(dialog.reason, "Hot wallet drained")
    assert dialog.press_button.isDefault()
    d.h.qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)

    d.wait_label("P-1: calling Mira Chen (round 1)")
    d.h.qtbot.waitUntil(lambda: window.header.title.full_text == "P-1: Hot wallet drained")
    assert window.header.severity.text() == "P1"
    d.wait_label("P-1 answered by Mira Chen")
    assert d.tray.shown[0][0] == "P-1 answered by Mira Chen"
    assert "Mira Chen answered the P-1 call" in d.tray.shown[0][1]
    d.h.qtbot.waitUntil(lambda: len(d.fake.messages_sent) == 3)  # then everyone is texted
    assert [c.to for c in d.fake.calls_placed] == [MIRA]
    assert "Hot wallet drained" in d.fake.calls_placed[0].say
    assert len(d.tray.shown) == 1  # said once
    assert d.refusals == []


def test_enter_with_no_reason_presses_nothing_and_says_why(p1_window):
    d = p1_window
    d.chain()
    d.shown()
    dialog = press_dialog(d)
    d.h.qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.problem.text() == "Say why first: the reason is read out on every call."
    d.h.qtbot.keyClick(dialog.reason, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    d.h.idle()
    assert d.latest() is None and d.fake.calls_placed == []


@pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen: a menu's popup
def test_no_one_answering_is_loud_in_the_header_until_acknowledged(p1_window):
    d = p1_window
    d.chain(rounds=1)
    for phone in (MIRA, SAM, ADA):
        d.fake.busy(phone, after=0.1)
    d.shown()
    dialog = press_dialog(d)
    d.h.qtbot.keyClicks(dialog.reason, "Exchange offline")
    d.h.qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)

    d.wait_label("P-1: NO ONE ANSWERED", timeout=15_000)
    chain = d.header.p1_chain
    assert chain.text() == "P-1: NO ONE ANSWERED"  # whole, not cut short
    assert "#c62828" in chain.styleSheet() and "800" in chain.styleSheet()
    assert d.tray.shown == [(
        "P-1: NO ONE ANSWERED",
        "No one answered after 1 round(s) of calls for 'P-1: Exchange offline'. Everyone in "
        "the chain gets a text; the incident stays open. Call someone yourself.",
    )]  # fmt: skip
    d.h.qtbot.wait(300)
    assert d.label() == "P-1: NO ONE ANSWERED"  # it stays

    d.h.qtbot.mouseClick(chain, Qt.MouseButton.LeftButton)  # offers what to do
    d.h.qtbot.waitUntil(d.header.p1_menu.isVisible)
    texts = [a.text() for a in d.header.p1_menu.actions()]
    assert texts == ["&Acknowledge", "&Cancel chain", "&Status…"]
    assert not d.header.p1_cancel.isEnabled()  # nothing running to cancel
    d.header.p1_menu.hide()
    d.header.p1_acknowledge.trigger()
    d.wait_label("")
    acknowledged = d.h.desk.timeline(kinds=["p1.acknowledged"])
    assert acknowledged[0].actor == ANA
    assert acknowledged[0].summary == f"P-1 acknowledged by {ANA} at the desk"


def test_cancelling_the_chain_hangs_up_the_call_ringing(p1_window, monkeypatch):
    d = p1_window
    d.chain()  # Mira's phone rings for its 10 s
    d.shown()
    dialog = press_dialog(d)
    d.h.qtbot.keyClicks(dialog.reason, "Hot wallet drained")
    d.h.qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    d.wait_label("P-1: calling Mira Chen (round 1)")
    d.h.qtbot.waitUntil(lambda: d.latest().calls and d.latest().calls[0].sid is not None)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    assert d.header.p1_cancel.isEnabled()
    d.header.p1_cancel.trigger()

    d.h.qtbot.waitUntil(lambda: d.fake.hung_up == [d.fake.calls_placed[0].sid])
    assert "Now: calling Mira Chen (round 1)" in asked[0]
    assert "The call ringing now is hung up" in asked[0]
    d.wait_label("")
    run = d.latest()
    assert run.state is RunState.CANCELLED
    assert [(c.name, c.outcome) for c in run.calls] == [("Mira Chen", CallOutcome.CANCELED)]
    assert len(d.fake.calls_placed) == 1 and d.fake.messages_sent == []
    assert d.tray.shown == []


def test_the_status_dialog_lists_each_call_and_the_replies(p1_window, monkeypatch):
    import commsdesk.p1.runner as runner_module

    monkeypatch.setattr(runner_module, "REPLIES_EVERY", 0.0)  # replies read at every step here
    d = p1_window
    d.chain()
    d.fake.no_answer(MIRA, after=0.6)
    d.fake.answer(SAM, "human", after=0.6)
    d.shown()
    d.p1.press("Hot wallet drained", False)
    d.wait_label("P-1 answered by Sam Okafor", timeout=15_000)
    d.h.qtbot.waitUntil(lambda: d.latest().texted_at is not None)
    d.fake.receive_sms(SAM, "On it, joining")
    d.h.qtbot.waitUntil(lambda: any(m.kind == "reply" for m in d.latest().messages))
    d.window.show_p1_status()
    from commsdesk.p1.ui.status_dialog import StatusDialog

    dialog = d.window.findChild(StatusDialog)
    d.h.qtbot.waitUntil(lambda: dialog.messages.count() == 2)
    calls = [dialog.calls.item(i).text() for i in range(dialog.calls.count())]
    assert calls[0].startswith("Round 1: Mira Chen (+15550100001) at ")
    assert calls[0].endswith(": no answer") and calls[1].endswith(": ANSWERED")
    assert dialog.state.text() == "Answered by Sam Okafor."
    messages = [dialog.messages.item(i).text() for i in range(dialog.messages.count())]
    assert messages[0] == "Texted 3 of 3."
    assert messages[1].startswith("Sam Okafor replied at ") and "On it, joining" in messages[1]
    assert not dialog.cancel_button.isEnabled()
    dialog.acknowledge_button.click()
    d.h.qtbot.waitUntil(lambda: dialog.messages.count() == 3)
    assert d.label() == ""  # acknowledged at the desk: the header is clear again


def test_a_chain_left_running_by_a_stopped_desk_is_carried_on(qtbot, isolated_dirs, phones):
    """A desk pressed P-1, placed the first call and was killed while it rang: the window
    opened next follows that call (on the same phone account) and carries the chain on."""
    from commsdesk.desk import Desk
    from commsdesk.p1.runner import ChainRunner

    isolated_dirs.mkdir(parents=True, exist_ok=True)
    phones.fake.no_answer(MIRA, after=0.8)
    phones.fake.answer(SAM, "human", after=0.3)
    desk = Desk.open(isolated_dirs)
    chain = CallChain(desk)
    chain.add(ANA, "Mira Chen", MIRA, 10)
    chain.add(ANA, "Sam Okafor", SAM, 10)
    run, _started = chain.press(ANA, "Hot wallet drained", provider="fake", drill=False)
    ChainRunner(chain, phones.fake).start(run)  # Mira's phone rings; then the desk is gone
    desk.close()

    h = DeskHarness(qtbot, isolated_dirs)
    try:
        d = P1Window(h, phones)
        d.wait_label("P-1 answered by Sam Okafor", timeout=15_000)
        assert [c.to for c in phones.fake.calls_placed] == [MIRA, SAM]  # Mira called once
        assert phones.asked == [False]  # a provider for the chain's kind: no drill
        assert d.tray.shown[0][0] == "P-1 answered by Sam Okafor"
    finally:
        h.close()


def test_a_press_on_another_desk_shows_at_once_on_a_team(p1_window):
    d = p1_window
    d.chain()
    d.shown()
    d.h.idle()
    CallChain(d.h.desk).press("Ben Zhou (founder)", "Hot wallet drained", provider="fake",
                              drill=False)  # fmt: skip
    d.p1.idle_every_ms = 60_000  # only the change feed can tell it now
    d.h.bridge.remote_change.emit(Change("p1_runs", "insert", "1"))
    d.wait_label("P-1: calling Mira Chen (round 1)", timeout=3_000)


@pytest.mark.parametrize("drill_mode", [False, True])
def test_without_a_phone_account_only_a_drill_can_be_pressed(p1_window, drill_mode):
    d = p1_window
    d.chain()
    d.phones.account = False
    if drill_mode:
        d.h.publishing.set_drill(True)
        d.h.idle()
    d.shown()
    dialog = press_dialog(d)
    assert dialog.drill.isChecked() is drill_mode
    if not drill_mode:
        assert dialog.problem.text().startswith("No phone provider is set up")
        assert not dialog.press_button.isEnabled() and dialog.account_button.isVisible()
        d.h.qtbot.keyClicks(dialog.reason, "Fire drill")
        assert not dialog.press_button.isDefault()
        dialog.drill.click()  # a drill: the calls are pretend, no account needed
    assert dialog.problem.text() == "" and dialog.press_button.isEnabled()
    if drill_mode:
        d.h.qtbot.keyClicks(dialog.reason, "Fire drill")
    d.h.qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    d.wait_label("DRILL P-1: calling Mira Chen (round 1)")
    assert d.fake.calls_placed[0].say.startswith("This is a drill.")


def test_an_empty_chain_says_so_and_offers_the_chain_instead(p1_window):
    from commsdesk.p1.ui.chain_dialog import ChainDialog

    d = p1_window
    d.shown()
    dialog = press_dialog_when_empty(d)
    assert dialog.what.text().startswith("The P-1 call chain is empty: no one would be called.")
    assert dialog.press_button.text() == "Set up the call chain…"
    dialog.press_button.click()
    d.h.qtbot.waitUntil(lambda: any(w.isVisible() for w in d.window.findChildren(ChainDialog)))
    assert not dialog.isVisible()


def press_dialog_when_empty(d: P1Window) -> PressDialog:
    d.window.press_p1()
    d.h.qtbot.waitUntil(lambda: any(w.isVisible() for w in d.window.findChildren(PressDialog)))
    return next(w for w in d.window.findChildren(PressDialog) if w.isVisible())


def test_f1_lists_the_p1_key(p1_window):
    rows = dict(p1_window.window.menus.shortcut_rows())
    assert rows["Ctrl+Shift+1"] == "Incident: Press P-1"


def test_a_refusal_is_said_in_one_line(p1_window):
    d = p1_window
    d.shown()
    d.window.p1_controls.acknowledge()  # nothing pressed yet
    d.h.qtbot.waitUntil(lambda: d.refusals != [])
    assert d.refusals == ["No P-1 has been pressed on this desk."]
