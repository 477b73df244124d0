"""Two people saving the same draft: a save based on text someone else has changed since never
overwrites it. Both versions are kept and the saver is told who changed it."""

from __future__ import annotations

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity

MIRA, SAM = "Mira Chen (founder)", "Sam Okafor (legal)"


def test_a_save_from_older_text_keeps_both_and_names_who_changed_it(tmp_path):
    mine, theirs = Desk.open(tmp_path), Desk.open(tmp_path)  # two desks, one database
    incident = mine.start_incident(MIRA, "Hot wallet drained", Severity.P1)
    statement = mine.create_statement(MIRA, incident.id, "Holding", "We are investigating.")
    loaded = mine.statement(statement.id).body  # what Mira's editor shows

    sam = theirs.save_version(SAM, statement.id, "We are investigating with the police.",
                              based_on=loaded)
    assert sam.meanwhile == ""
    kept = mine.autosave(MIRA, statement.id, "We are investigating. More at 18:30.",
                         based_on=loaded)
    assert kept.number == sam.number + 1 and kept.author == MIRA
    assert SAM in kept.meanwhile and f"v{sam.number}" in kept.meanwhile
    bodies = {v.number: v.body for v in mine.versions(statement.id)}
    assert bodies[sam.number] == "We are investigating with the police."
    assert bodies[kept.number] == "We are investigating. More at 18:30."
    assert any("over a change by" in e.summary for e in mine.timeline(limit=5))

    # Typing on from her own saved text is no conflict: her version is updated in place.
    again = mine.autosave(MIRA, statement.id, "We are investigating. More at 18:45.",
                          based_on="We are investigating. More at 18:30.")
    assert (again.number, again.meanwhile) == (kept.number, "")
    mine.close()
    theirs.close()
