"""The scorecard's arithmetic: seconds from the drill's start, the cadence, the failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from commsdesk.drill.scorecard import (
    Scorecard,
    StepResult,
    cadence_text,
    scores,
    seconds_text,
)

START = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_scores_count_from_the_drill_start_and_a_moment_that_never_came_is_null():
    got = scores(START, answered=START + timedelta(seconds=4.5), first_posted=None,
                 live=START + timedelta(minutes=2), late_by=[0.0, 90.0])  # fmt: skip
    assert got == {"time_to_p1_answer": 4.5, "time_to_first_statement": None,
                   "time_to_live": 120.0, "updates_late_by": 90.0}  # fmt: skip


def test_the_cadence_in_words():
    assert cadence_text([]) == "no update posted"
    assert cadence_text([None]) == "no cadence promised"
    assert cadence_text([0.0]) == "1 of 1 update kept"
    assert cadence_text([0.0, 30.0, 0.0]) == "2 of 3 updates kept"
    assert scores(START, answered=None, first_posted=None, live=None,
                  late_by=[None])["updates_late_by"] is None  # fmt: skip


def test_the_scorecard_lists_each_failed_step_with_its_reason():
    steps = (StepResult("p1", "Press P-1", True, 4.2),
             StepResult("go_live", "Go live on OBS", False, 5.0, "OBS is not running"))
    card = Scorecard("Test", START, steps, scores(START, answered=START, first_posted=None,
                     live=None, late_by=[]), "no update posted", report="/r.pdf")  # fmt: skip
    lines = card.lines()
    assert "  FAILED Go live on OBS: OBS is not running" in lines
    assert any(line.startswith("  Steps done") and line.endswith("1 of 2") for line in lines)
    data = card.as_json()
    assert data["steps"][1] == {"name": "go_live", "ok": False, "seconds": 5.0,
                                "error": "OBS is not running"}  # fmt: skip
    assert data["report"] == "/r.pdf"
    assert seconds_text(None) == "never" and seconds_text(75) == "1 min 15 s"


def test_a_failure_from_outside_is_said_in_one_line_of_its_own_words():
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from commsdesk.drill.run import _said

    locked = OperationalError("INSERT INTO timeline_events ...", {},
                              sqlite3.OperationalError("database is locked"))  # fmt: skip
    assert _said(locked) == "database is locked"
    assert _said(RuntimeError("\n  OBS went away\nmore")) == "OBS went away"
    assert _said(TimeoutError()) == "TimeoutError"
