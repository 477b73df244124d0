"""Desk → P-1 call chain…: the list in calling order, adding and removing people, the rounds
and the conference room, the phone account in the keyring, and a test call. A refusal is said
beside its field and what was typed stays."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMenu, QMessageBox

from commsdesk.p1.ui.chain_dialog import ChainDialog
from commsdesk.p1.ui.desk_chain import NO_KEYRING
from tests.p1.ui.conftest import ANA, MIRA, P1Window
from tests.support.memory_keyring import memory_keyring  # noqa: F401


def chain_dialog(d: P1Window) -> ChainDialog:
    """Opened from the Desk menu, as a person does."""
    desk = next(m for m in d.window.menuBar().findChildren(QMenu) if m.title() == "&Desk")
    item = next(a for a in desk.actions() if a.text() == "P-1 &call chain…")
    item.trigger()
    d.h.qtbot.waitUntil(lambda: any(w.isVisible() for w in d.window.findChildren(ChainDialog)))
    dialog = next(w for w in d.window.findChildren(ChainDialog) if w.isVisible())
    d.h.idle()
    return dialog


def rows(dialog: ChainDialog) -> list[tuple[str, ...]]:
    table = dialog.table
    return [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]


def test_a_number_not_in_international_form_is_refused_beside_it_and_kept(p1_window):
    d = p1_window
    d.shown()
    dialog = chain_dialog(d)
    assert rows(dialog) == []
    d.h.qtbot.keyClicks(dialog.name, "Mira Chen")
    d.h.qtbot.keyClicks(dialog.phone, "020 7946 0000")
    d.h.qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    d.h.qtbot.waitUntil(lambda: dialog.phone_problem.text() != "")
    assert dialog.phone_problem.text() == (
        "'020 7946 0000' is not a phone number in international form: a + then the country "
        "code and number, up to 15 digits, such as +44 20 7946 0000."
    )
    assert dialog.phone_problem.isVisible() and dialog.name_problem.text() == ""
    assert dialog.name.text() == "Mira Chen" and dialog.phone.text() == "020 7946 0000"
    assert dialog.phone.hasFocus()
    assert rows(dialog) == [] and d.latest() is None

    dialog.phone.selectAll()
    d.h.qtbot.keyClicks(dialog.phone, "+44 20 7946 0000")
    assert dialog.phone_problem.text() == ""  # typing clears it
    d.h.qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    d.h.qtbot.waitUntil(lambda: rows(dialog) == [("Mira Chen", "+442079460000", "30")])
    assert dialog.name.text() == "" and dialog.phone.text() == ""


def test_a_name_in_the_chain_already_is_refused_beside_the_name(p1_window):
    d = p1_window
    d.chain()
    d.shown()
    dialog = chain_dialog(d)
    assert [r[0] for r in rows(dialog)] == ["Mira Chen", "Sam Okafor", "Ada Park"]
    assert dialog.rounds.value() == 3
    d.h.qtbot.keyClicks(dialog.name, "Mira  Chen")
    d.h.qtbot.keyClicks(dialog.phone, "+15550100009")
    dialog.add_button.click()
    d.h.qtbot.waitUntil(lambda: dialog.name_problem.text() != "")
    assert dialog.name_problem.text() == "Mira Chen is in the chain already; remove them first."
    assert dialog.name.text() == "Mira  Chen" and dialog.phone.text() == "+15550100009"


def test_removing_asks_first_and_goes_on_the_record(p1_window, monkeypatch):
    d = p1_window
    d.chain()
    d.shown()
    dialog = chain_dialog(d)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    dialog.table.selectRow(1)
    dialog.remove_button.click()
    d.h.qtbot.waitUntil(lambda: [r[0] for r in rows(dialog)] == ["Mira Chen", "Ada Park"])
    assert asked == ["Take Sam Okafor out of the P-1 call chain? A chain running now still "
                     "calls them."]  # fmt: skip
    removed = d.h.desk.timeline(kinds=["p1.chain_changed"])[0]
    assert removed.summary == "P-1 chain: Sam Okafor removed" and removed.actor == ANA


def test_rounds_and_the_conference_room_are_saved(p1_window):
    d = p1_window
    d.chain()
    d.shown()
    dialog = chain_dialog(d)
    dialog.rounds.setValue(2)
    dialog.room.setText("https://meet.example/p1")
    dialog.save_settings.click()
    d.h.qtbot.waitUntil(lambda: dialog.settings_problem.text().startswith("Saved"))
    assert dialog.settings_problem.text() == "Saved: 2 round(s), room https://meet.example/p1."
    from commsdesk.p1.service import CallChain

    assert CallChain(d.h.desk).rounds() == 2
    assert CallChain(d.h.desk).room() == "https://meet.example/p1"
    dialog.room.setText("two words")
    dialog.save_settings.click()
    d.h.qtbot.waitUntil(lambda: "one link" in dialog.settings_problem.text())
    assert dialog.room.text() == "two words"


def test_call_me_now_places_one_test_call_on_the_record(p1_window):
    d = p1_window
    d.shown()
    dialog = chain_dialog(d)
    d.h.qtbot.keyClicks(dialog.test_number, "+1 555 010 0001")
    dialog.test_button.click()
    d.h.qtbot.waitUntil(lambda: dialog.test_result.text().startswith("Calling"))
    assert dialog.test_result.text() == ("Calling +15550100001: answer to hear “This is a test "
                                         "call from CommsDesk”. The call is on the timeline.")
    assert [(c.to, c.say) for c in d.fake.calls_placed] == [
        (MIRA, "This is a test call from CommsDesk")]
    placed = d.h.desk.timeline(kinds=["p1.call_placed"])[0]
    assert placed.actor == ANA and "test call to …0001" in placed.summary
    assert d.latest() is None  # no chain was pressed


def test_call_me_now_without_an_account_says_so(p1_window):
    d = p1_window
    d.phones.account = False
    d.shown()
    dialog = chain_dialog(d)
    d.h.qtbot.keyClicks(dialog.test_number, "+15550100001")
    dialog.test_button.click()
    d.h.qtbot.waitUntil(lambda: dialog.test_result.text().startswith("No phone provider"))
    assert d.fake.calls_placed == []


def test_the_phone_account_is_kept_in_the_keyring(p1_window, memory_keyring):  # noqa: F811
    d = p1_window
    d.shown()
    dialog = chain_dialog(d)
    d.h.qtbot.waitUntil(lambda: "No account stored yet" in dialog.account_state.text())
    assert dialog.auth_token.echoMode() == QLineEdit.EchoMode.Password
    dialog.account_sid.setText("AC0123456789abcdef0123456789abcdef")
    dialog.auth_token.setText("secret-token")
    dialog.from_number.setText("555 0100")
    dialog.save_account_button.click()
    d.h.qtbot.waitUntil(lambda: dialog.account_problem.text() != "")
    assert dialog.account_problem.text().startswith("The number calls come from: '555 0100' "
                                                    "is not a phone number")  # fmt: skip
    assert dialog.from_number.text() == "555 0100" and memory_keyring.passwords == {}
    dialog.from_number.setText("+1 555 010 0000")
    dialog.save_account_button.click()
    d.h.qtbot.waitUntil(lambda: dialog.account_state.text().startswith("Stored in the keyring"))
    stored = {key: value for (_service, key), value in memory_keyring.passwords.items()}
    assert stored == {
        "twilio:COMMSDESK_TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
        "twilio:COMMSDESK_TWILIO_AUTH_TOKEN": "secret-token",
        "twilio:COMMSDESK_TWILIO_FROM": "+15550100000",
    }
    assert dialog.auth_token.text() == ""  # never shown again
    assert dialog.auth_token.placeholderText() == "stored: type to replace"


@pytest.fixture
def no_keyring():
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_without_a_keyring_the_dialog_says_so_plainly(p1_window, no_keyring):
    d = p1_window
    d.shown()
    dialog = chain_dialog(d)
    d.h.qtbot.waitUntil(lambda: dialog.account_state.text() == NO_KEYRING)
    assert dialog.account_state.text().startswith("There is no system keyring on this machine")
    assert not dialog.save_account_button.isEnabled()
