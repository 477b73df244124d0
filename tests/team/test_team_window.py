"""The desk window on a team database: it names who is signed in and where, and follows what
other desks do through the change feed, with the timeline's poll stopped."""

from __future__ import annotations

from commsdesk.incidents.incident import Severity
from tests.support.desk_harness import DeskHarness
from tests.team.test_identity import MIRA, SAM, Team

PAT = "Pat Lee (producer)"


def test_the_window_names_the_person_and_follows_another_desk_live(qtbot, pg_url, tmp_path):
    team = Team(pg_url, tmp_path)
    mira = team.desk(MIRA)
    incident = mira.start_incident(MIRA, "Hot wallet drained", Severity.P1)
    statement = mira.create_statement(MIRA, incident.id, "First", "We are on it.")
    mira.submit(MIRA, statement.id)
    (tmp_path / "window").mkdir()
    h = DeskHarness(qtbot, tmp_path / "window", operator=None, database=team.url(MIRA))
    try:
        header = h.window.header.operator_button.full_text
        assert header.startswith(f"{MIRA} · team ") and "NOT REACHABLE" not in header
        assert h.bridge.actor == MIRA
        h.window.timeline._poll.stop()  # only the change feed may bring the news
        qtbot.waitUntil(lambda: h.bridge.listener is not None
                        and h.bridge.listener.listening.is_set(), timeout=20_000)  # fmt: skip
        model = h.window.statements.model
        qtbot.waitUntil(lambda: model.knows(statement.id), timeout=10_000)

        team.desk(SAM).approve(SAM, statement.id)  # another desk, another person

        def listed() -> str:
            return model.index(model.row_of(statement.id), 0).data()

        qtbot.waitUntil(lambda: listed() == "Approved", timeout=10_000)
        later = h.window.timeline.model
        qtbot.waitUntil(lambda: any(e.actor == SAM for e in later.events), timeout=10_000)
    finally:
        h.close()
        h.bridge.stop_listening()
        team.close()


def test_text_typed_while_the_server_was_away_is_saved_when_it_is_back(
    qtbot, pg_url, tmp_path, monkeypatch
):
    from commsdesk.desk import Desk, DeskError

    team = Team(pg_url, tmp_path)
    mira = team.desk(MIRA)
    incident = mira.start_incident(MIRA, "Hot wallet drained", Severity.P1)
    statement = mira.create_statement(MIRA, incident.id, "First", "We are on it.")
    (tmp_path / "window").mkdir()
    h = DeskHarness(qtbot, tmp_path / "window", operator=None, database=team.url(MIRA))
    try:
        editor = h.window.statements.editor
        h.window.statements.select(statement.id)
        qtbot.waitUntil(lambda: editor.statement is not None, timeout=10_000)
        real = Desk.autosave

        def server_gone(*_args, **_kwargs):
            raise DeskError("connection to server lost")

        monkeypatch.setattr(Desk, "autosave", server_gone)
        h.bridge.connection_changed.emit(False, "connection to server lost")
        editor.body.setPlainText("We are on it. Withdrawals reopen at 18:30.")
        editor.flush()
        h.idle()
        assert editor.save_state.text() == "Not saved"
        monkeypatch.setattr(Desk, "autosave", real)
        h.bridge.connection_changed.emit(True, "")  # the change feed is back
        h.idle()
        assert mira.statement(statement.id).body == "We are on it. Withdrawals reopen at 18:30."
        # Saved into her draft as any save is: not kept apart as a clash with someone's edit.
        assert [v.body for v in mira.versions(statement.id)] == [
            "We are on it. Withdrawals reopen at 18:30."
        ]
        assert "while you were editing" not in editor.banner.text()
    finally:
        h.close()
        h.bridge.stop_listening()
        team.close()


def test_the_header_shows_who_else_is_at_a_desk_and_what_the_team_put_on_air(
    qtbot, pg_url, tmp_path
):
    from commsdesk.store.changes import ChangeListener
    from commsdesk.store.database import open_database
    from commsdesk.team.schema import add_person
    from commsdesk.timeline.chain import EventKind

    team = Team(pg_url, tmp_path)
    owner = open_database(pg_url)
    with owner.begin() as connection:  # the producer, who may drive the broadcast
        add_person(connection, f"{team.logins[SAM]}pat", PAT, ("broadcast",))
    owner.dispose()
    team.logins[PAT] = f"{team.logins[SAM]}pat"
    (tmp_path / "window").mkdir()
    h = DeskHarness(qtbot, tmp_path / "window", operator=None, database=team.url(MIRA))
    sam_desk = ChangeListener(team.url(SAM), lambda change: None)  # Sam's desk, listening
    try:
        header = h.window.header
        qtbot.waitUntil(lambda: h.bridge.listener is not None
                        and h.bridge.listener.listening.is_set(), timeout=20_000)  # fmt: skip
        qtbot.waitUntil(lambda: header.operator_button.full_text.endswith("· alone at a desk"),
                        timeout=10_000)  # fmt: skip
        assert header.team_on_air.isHidden()

        sam_desk.start()
        qtbot.waitUntil(lambda: header.operator_button.full_text.endswith("· 2 at desks"),
                        timeout=10_000)  # fmt: skip
        assert f"you and {SAM}" in header.operator_button.toolTip()

        # Pat's desk drives OBS: what it puts on air reaches this desk's header.
        pat = team.desk(PAT)
        pat.record(PAT, EventKind.BROADCAST_SLIDE, "Slide on air: Back at 18:30 (from Camera)")
        qtbot.waitUntil(lambda: not header.team_on_air.isHidden(), timeout=10_000)
        assert header.team_on_air.full_text == "On air: slide Back at 18:30 (from Camera)"
        assert f"by {PAT} at " in header.team_on_air.toolTip()
        pat.record(PAT, EventKind.BROADCAST_LIVE, "Back to live: Camera")
        qtbot.waitUntil(lambda: header.team_on_air.full_text == "On air: Camera",
                        timeout=10_000)  # fmt: skip

        sam_desk.stop()  # Sam closes the desk
        qtbot.waitUntil(lambda: header.operator_button.full_text.endswith("· alone at a desk"),
                        timeout=10_000)  # fmt: skip
    finally:
        sam_desk.stop()
        h.close()
        h.bridge.stop_listening()
        team.close()


def test_ctrl_n_on_a_team_desk_types_into_the_new_statement(qtbot, pg_url, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    team = Team(pg_url, tmp_path)
    mira = team.desk(MIRA)
    incident = mira.start_incident(MIRA, "Hot wallet drained", Severity.P1)
    earlier = mira.create_statement(MIRA, incident.id, "Earlier", "Keep this as it is.")
    (tmp_path / "window").mkdir()
    h = DeskHarness(qtbot, tmp_path / "window", operator=None, database=team.url(MIRA))
    try:
        window, editor = h.window, h.window.statements.editor
        qtbot.waitUntil(lambda: window.statements.model.knows(earlier.id), timeout=10_000)
        window.statements.select(earlier.id)
        qtbot.waitUntil(lambda: editor.statement is not None and editor.statement.id == earlier.id)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: editor.statement.id != earlier.id, timeout=10_000)
        qtbot.waitUntil(editor.body.hasFocus, timeout=10_000)
        new_id = editor.statement.id
        qtbot.keyClicks(QApplication.focusWidget(), "Withdrawals reopen at 18:30.")
        editor.flush()
        h.idle()
        qtbot.wait(1500)  # the change feed's news of the new statement has come and gone
        assert editor.statement.id == new_id
        assert mira.statement(new_id).body == "Withdrawals reopen at 18:30."
        assert mira.statement(earlier.id).body == "Keep this as it is."
    finally:
        h.close()
        h.bridge.stop_listening()
        team.close()


def test_a_lost_server_said_by_any_lane_is_shown_in_the_header_not_in_a_box(
    qtbot, pg_url, tmp_path
):
    """The scheduler, the audience and the other lanes meet the outage too: what they say goes
    to the header, where the desk says it reconnects, and no box takes the keyboard."""
    team = Team(pg_url, tmp_path)
    (tmp_path / "window").mkdir()
    h = DeskHarness(qtbot, tmp_path / "window", operator=None, database=team.url(MIRA))
    try:
        header = h.window.header
        h.window.schedule.refused.emit(
            "(psycopg.OperationalError) consuming input failed: server closed the connection "
            "unexpectedly\n\tThis probably means the server terminated abnormally"
        )
        assert "NOT REACHABLE" in header.operator_button.full_text
        assert h.window._refusal_box is None or not h.window._refusal_box.isVisible()
        h.bridge.connection_changed.emit(True, "")  # the change feed is back
        assert "NOT REACHABLE" not in header.operator_button.full_text
        h.window.schedule.refused.emit("Nothing is scheduled for that statement.")
        assert h.window._refusal_box.text() == "Nothing is scheduled for that statement."
    finally:
        h.close()
        h.bridge.stop_listening()
        team.close()


def test_each_person_is_offered_what_they_may_do(qtbot, pg_url, tmp_path):
    """Sam approves and nothing else; Mira drafts and posts but cannot approve what she wrote.
    The server refuses the same (tests/team/test_identity.py); here is what they are offered."""
    team = Team(pg_url, tmp_path)
    mira = team.desk(MIRA)
    incident = mira.start_incident(MIRA, "Hot wallet drained", Severity.P1)
    statement = mira.create_statement(MIRA, incident.id, "First", "We are on it.")
    mira.submit(MIRA, statement.id)
    shown = []
    try:
        for who in (SAM, MIRA):
            folder = tmp_path / f"window-{who.split()[0]}"
            folder.mkdir()
            h = DeskHarness(qtbot, folder, operator=None, database=team.url(who))
            shown.append(h)
            editor = h.window.statements.editor
            h.window.statements.select(statement.id)
            qtbot.waitUntil(lambda editor=editor: editor.statement is not None, timeout=10_000)
            if who == SAM:
                assert editor.approve_button.isEnabled()
                assert editor.body.isReadOnly() and not editor.submit_button.isEnabled()
                assert not editor.post_button.isEnabled()
            else:
                assert not editor.approve_button.isEnabled()
                assert editor.approve_button.toolTip().startswith("You wrote this version")
        team.desk(SAM).approve(SAM, statement.id)
        editor = shown[1].window.statements.editor
        qtbot.waitUntil(lambda: editor.post_button.isEnabled(), timeout=10_000)  # Mira posts
        sam_editor = shown[0].window.statements.editor
        qtbot.waitUntil(lambda: sam_editor.statement.state.value == "approved", timeout=10_000)
        assert not sam_editor.post_button.isEnabled()
        assert sam_editor.post_button.toolTip().startswith("Posting needs the post capability")
    finally:
        for h in shown:
            h.close()
            h.bridge.stop_listening()
        team.close()
