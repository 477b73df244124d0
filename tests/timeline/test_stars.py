"""Stars on the timeline: each star and un-star is itself a chained event; the starred set is
the newest of them for each event; a star of a star, a second star and a missing event are
refused in words. The same through `commsdesk timeline star|unstar`."""

from __future__ import annotations

import re

import pytest

from commsdesk.desk import Desk, DeskError
from commsdesk.incidents.incident import Severity
from commsdesk.timeline.chain import EventKind
from tests.support.cli import commsdesk
from tests.support.desks import ANA, SAM


def incident_and_statement(desk: Desk):
    incident = desk.start_incident(ANA, "Hot wallet drained", Severity.P1)
    statement = desk.create_statement(ANA, incident.id, "Holding", "We are on it.")
    started = desk.timeline(kinds=["incident.started"])[0]
    return incident, statement, started


def test_a_star_is_a_chained_event_under_the_starred_events_incident(desk):
    incident, _, started = incident_and_statement(desk)
    star = desk.star_event(SAM, started.id)

    assert star.kind == EventKind.TIMELINE_STARRED == "timeline.starred"
    assert star.data == {"event_id": started.id}
    assert star.actor == SAM and star.incident_id == incident.id
    assert star.summary == f"Starred event #{started.id}: {started.summary}"
    assert desk.timeline(limit=1)[0] == star  # stored as returned, at the chain's end
    assert desk.starred_event_ids() == {started.id}
    assert desk.starred_event_ids(incident.id) == {started.id}
    assert desk.starred_event_ids(incident.id + 1) == set()
    assert desk.verify_timeline().intact


def test_the_newest_star_or_unstar_wins(desk):
    _, statement, started = incident_and_statement(desk)
    created = desk.timeline(kinds=["statement.created"])[0]
    desk.star_event(ANA, started.id)
    desk.star_event(ANA, created.id)
    first_two = desk.last_event_id()
    off = desk.unstar_event(SAM, started.id)
    assert off.kind == "timeline.unstarred" and off.data == {"event_id": started.id}
    assert off.summary.startswith(f"Star taken off event #{started.id}: ")
    assert desk.starred_event_ids() == {created.id}
    desk.star_event(SAM, started.id)
    assert desk.starred_event_ids() == {created.id, started.id}
    # As the record stood earlier: both starred, before the star came off and went back.
    assert desk.starred_event_ids(up_to=first_two) == {created.id, started.id}
    assert desk.starred_event_ids(up_to=first_two + 1) == {created.id}
    kinds = [e.kind for e in reversed(desk.timeline(kinds=["timeline"]))]
    assert kinds == ["timeline.starred"] * 2 + ["timeline.unstarred", "timeline.starred"]
    assert desk.verify_timeline().intact


def test_a_post_event_s_star_goes_under_its_statement_s_incident(desk):
    incident, statement, _ = incident_and_statement(desk)
    post = desk.record(ANA, EventKind.PUBLISH_STARTED, "Posting 'Holding'",
                       statement_id=statement.id)  # fmt: skip
    assert post.incident_id is None
    assert desk.star_event(ANA, post.id).incident_id == incident.id
    desk_wide = desk.record(ANA, EventKind.BROADCAST_SCENE, "Scene on air: Camera")
    assert desk.star_event(ANA, desk_wide.id).incident_id is None
    assert desk.starred_event_ids() == {post.id, desk_wide.id}
    assert desk.starred_event_ids(incident.id) == {post.id}


def test_starring_a_star_is_refused_in_words_and_nothing_is_written(desk):
    _, _, started = incident_and_statement(desk)
    star = desk.star_event(ANA, started.id)
    before = desk.last_event_id()
    with pytest.raises(DeskError) as refused:
        desk.star_event(ANA, star.id)
    assert str(refused.value) == (
        f"Event #{star.id} is itself a star, not something that happened: star the event it "
        f"marks (#{started.id}) instead."
    )
    off = desk.unstar_event(ANA, started.id)
    with pytest.raises(DeskError, match=rf"^Event #{off.id} is itself a star taken off, not "):
        desk.star_event(ANA, off.id)
    with pytest.raises(DeskError, match=rf"^Event #{off.id} is itself a star taken off"):
        desk.unstar_event(ANA, off.id)
    assert desk.last_event_id() == before + 1  # only the unstar
    assert desk.starred_event_ids() == set()


def test_a_second_star_an_unstar_of_nothing_and_a_missing_event_are_refused(desk):
    _, _, started = incident_and_statement(desk)
    with pytest.raises(DeskError, match=rf"^Event #{started.id} is not starred\.$"):
        desk.unstar_event(ANA, started.id)
    desk.star_event(SAM, started.id)
    already = (rf"^Event #{started.id} is already starred \(by {re.escape(SAM)} at "
               r"\d\d:\d\d:\d\d UTC\)\.$")  # fmt: skip
    with pytest.raises(DeskError, match=already):
        desk.star_event(ANA, started.id)
    with pytest.raises(DeskError, match=r"^There is no timeline event #999\.$"):
        desk.star_event(ANA, 999)
    assert len(desk.timeline(kinds=["timeline"])) == 1


def test_star_and_unstar_on_the_command_line(isolated_dirs):
    desk = Desk.open(isolated_dirs)
    try:
        _, _, started = incident_and_statement(desk)
    finally:
        desk.close()

    done = commsdesk("timeline", "star", str(started.id), data_dir=isolated_dirs, operator=SAM)
    assert done.returncode == 0, done.stderr
    said = re.fullmatch(rf"Starred event #{started.id}: {re.escape(started.summary)} "
                        rf"\(timeline event #(\d+), by {re.escape(SAM)}\)\n", done.stdout)
    assert said, done.stdout
    star_id = int(said.group(1))
    again = commsdesk("timeline", "star", str(started.id), data_dir=isolated_dirs, operator=ANA)
    assert again.returncode == 1
    assert again.stderr.startswith(f"commsdesk: Event #{started.id} is already starred (by {SAM}")
    star_of_star = commsdesk("timeline", "star", str(star_id), data_dir=isolated_dirs)
    assert star_of_star.returncode == 1
    assert "is itself a star, not something that happened" in star_of_star.stderr

    off = commsdesk("timeline", "unstar", f"#{started.id}", data_dir=isolated_dirs, operator=ANA)
    assert off.returncode == 0, off.stderr
    assert off.stdout.startswith(f"Star taken off event #{started.id}: ")
    desk = Desk.open(isolated_dirs)
    try:
        assert desk.starred_event_ids() == set()
        stars = desk.timeline(kinds=["timeline"])
        assert [(e.kind, e.actor) for e in stars] == [
            ("timeline.unstarred", ANA), ("timeline.starred", SAM)]
        assert stars[1].id == star_id
    finally:
        desk.close()
