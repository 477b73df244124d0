"""Opening onto an incident with many statements: the newest rows show first, then all of them,
and the statement the person had open stays open however far down the list it sits."""

from __future__ import annotations

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.statements.ui.panel import FIRST_ROWS

ANA = "Ana Ruiz (comms)"


def test_the_newest_rows_show_first_then_the_whole_list(harness):
    h = harness
    incident = h.desk.start_incident(ANA, "Hot wallet drained", Severity.P1)
    made = [
        h.desk.create_statement(ANA, incident.id, f"Update {n}", f"Update {n}: paused.")
        for n in range(FIRST_ROWS + 50)
    ]
    oldest = made[0]  # listed last: newest updated first
    h.settings.set("last_statement_id", oldest.id)
    panel = h.window.statements
    seen: list[tuple[str, int, int | None]] = []

    def noted(moment: str):
        def note(count: int) -> None:
            shown = panel.editor.statement
            seen.append((moment, count, panel.model.rowCount(), shown and shown.id))

        return note

    panel.first_listed.connect(noted("first"))
    panel.loaded.connect(noted("all"))
    h.bridge.query(Desk.active_incident, on_done=h.window._incident_changed)
    h.qtbot.waitUntil(lambda: any(s[0] == "all" for s in seen), timeout=20_000)
    h.idle()

    first, whole = seen[0], seen[-1]
    assert first[:3] == ("first", FIRST_ROWS, FIRST_ROWS)
    # The statement left open is not among the newest: nothing is shown in its place meanwhile.
    assert first[3] is None
    assert whole[:3] == ("all", FIRST_ROWS + 50, FIRST_ROWS + 50)
    assert whole[3] == oldest.id
    assert panel.editor.statement.id == oldest.id
    assert panel.table.currentIndex().row() == panel.model.row_of(oldest.id)


def test_a_statement_among_the_newest_opens_at_once_and_stays_selected(harness):
    h = harness
    incident = h.desk.start_incident(ANA, "Hot wallet drained", Severity.P1)
    made = [
        h.desk.create_statement(ANA, incident.id, f"Update {n}", f"Update {n}: paused.")
        for n in range(FIRST_ROWS + 50)
    ]
    h.settings.set("last_statement_id", made[-3].id)
    panel = h.window.statements
    opened_at_first = []
    panel.first_listed.connect(
        lambda _n: opened_at_first.append(panel.editor.statement and panel.editor.statement.id)
    )
    with h.qtbot.waitSignal(panel.loaded, timeout=20_000):
        h.bridge.query(Desk.active_incident, on_done=h.window._incident_changed)
    h.idle()
    assert opened_at_first == [made[-3].id]
    assert panel.editor.statement.id == made[-3].id
    assert panel.table.currentIndex().row() == panel.model.row_of(made[-3].id)
