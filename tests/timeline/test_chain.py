"""The timeline hash chain on its own: links, content, order, and how time is hashed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from commsdesk.timeline.chain import (
    GENESIS_HASH,
    EventKind,
    TimelineEvent,
    event_hash,
    hash_of,
    verify_chain,
)


def chain(count: int) -> list[TimelineEvent]:
    events, prev = [], GENESIS_HASH
    start = datetime(2026, 11, 24, 13, 30, 0, 500)
    for n in range(1, count + 1):
        event = TimelineEvent(
            id=n * 10,
            at=start + timedelta(minutes=n),
            actor="Ana",
            kind=EventKind.VERSION_SAVED.value,
            summary=f"v{n} saved",
            statement_id=7,
            version_id=n,
            data={"n": n},
            prev_hash=prev,
        )
        event = dataclasses.replace(event, hash=hash_of(event))
        events.append(event)
        prev = event.hash
    return events


def test_intact_chain():
    report = verify_chain(chain(5))
    assert report.intact and report.checked == 5
    assert verify_chain([]).intact and verify_chain([]).checked == 0


@given(st.integers(min_value=0, max_value=5), st.sampled_from(["actor", "summary", "kind"]))
def test_any_changed_field_is_found_at_its_position(index, field):
    events = chain(6)
    events[index] = dataclasses.replace(events[index], **{field: "changed"})
    report = verify_chain(events)
    assert report.first_break.position == index + 1
    assert report.first_break.event_id == events[index].id
    assert "no longer matches" in report.first_break.reason


def test_changed_data_or_time_is_found():
    events = chain(3)
    for change in ({"data": {"n": 99}}, {"at": events[1].at + timedelta(microseconds=1)}):
        altered = [events[0], dataclasses.replace(events[1], **change), events[2]]
        assert verify_chain(altered).first_break.event_id == events[1].id


def test_removed_or_swapped_events_break_the_links():
    events = chain(5)
    removed = verify_chain(events[:2] + events[3:])
    assert removed.first_break.event_id == events[3].id and removed.first_break.position == 3
    assert "link to the previous event is broken" in removed.first_break.reason
    swapped = verify_chain([events[0], events[2], events[1], *events[3:]])
    assert swapped.first_break.position == 2
    first_gone = verify_chain(events[1:])
    assert first_gone.first_break.event_id == events[1].id


def test_time_is_hashed_as_naive_utc_whatever_the_zone():
    naive = datetime(2026, 11, 24, 18, 30, 0, 123_456)
    args = ("Ana", "desk.opened", "Opened", None, None, None, {})
    expected = event_hash(GENESIS_HASH, naive, *args)
    assert event_hash(GENESIS_HASH, naive.replace(tzinfo=UTC), *args) == expected
    singapore = naive.replace(tzinfo=UTC).astimezone(timezone(timedelta(hours=8)))
    assert event_hash(GENESIS_HASH, singapore, *args) == expected
    assert event_hash(GENESIS_HASH, naive.replace(microsecond=0), *args) != expected


def test_kind_groups():
    assert EventKind.APPROVED.group == "statement"
    assert EventKind.POLICY_CHANGED.group == "desk"
    assert EventKind.PART_POSTED.group == "post"
    groups = {kind.group for kind in EventKind}
    assert groups == {
        "desk", "incident", "statement", "post", "account", "schedule", "audience", "broadcast",
        "p1", "timeline", "drill",
    }
