from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commsdesk.scheduling.policy import (
    AmbiguousTime,
    Cadence,
    Due,
    ScheduleRefused,
    due_state,
    resolve_local,
)


def test_an_ordinary_time_is_converted_to_utc():
    assert resolve_local(date(2026, 11, 24), time(18, 30), "Asia/Singapore") == datetime(
        2026, 11, 24, 10, 30, tzinfo=UTC
    )


def test_a_time_the_clock_skips_is_refused():
    # New York springs forward at 02:00 on 8 March 2026: 02:30 never happens.
    with pytest.raises(ScheduleRefused, match="does not exist in America/New_York"):
        resolve_local(date(2026, 3, 8), time(2, 30), "America/New_York")


def test_a_time_that_happens_twice_needs_a_choice():
    # London falls back at 02:00 on 25 October 2026: 01:30 happens in BST, then in GMT.
    with pytest.raises(AmbiguousTime) as refused:
        resolve_local(date(2026, 10, 25), time(1, 30), "Europe/London")
    early, late = refused.value.choices
    assert (early, late) == (
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    )
    assert "Say which" in str(refused.value)
    assert resolve_local(date(2026, 10, 25), time(1, 30), "Europe/London", fold=1) == late


def test_an_unknown_zone_is_refused():
    with pytest.raises(ScheduleRefused, match="not a time zone"):
        resolve_local(date(2026, 11, 24), time(9, 0), "Mars/Olympus")


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)))
def test_every_existing_unambiguous_time_round_trips(moment):
    wall = moment.replace(second=0, microsecond=0)
    try:
        instant = resolve_local(wall.date(), wall.time(), "America/New_York")
    except (ScheduleRefused, AmbiguousTime):
        return
    from zoneinfo import ZoneInfo

    assert instant.astimezone(ZoneInfo("America/New_York")).replace(tzinfo=None) == wall


def test_missed_posts_beyond_the_grace_wait_for_review():
    due = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    assert due_state(due, due - timedelta(seconds=1)) is Due.WAIT
    assert due_state(due, due + timedelta(minutes=5)) is Due.POST
    assert due_state(due, due + timedelta(minutes=5, seconds=1)) is Due.MISSED
    assert due_state(due, due + timedelta(minutes=9), grace=timedelta(minutes=10)) is Due.POST


def test_cadence_says_when_the_next_update_is_due():
    cadence = Cadence(timedelta(minutes=30), datetime(2026, 11, 24, 18, 0, tzinfo=UTC))
    assert cadence.label(datetime(2026, 11, 24, 18, 18, tzinfo=UTC)) == "next update due in 12 min"
    assert cadence.label(datetime(2026, 11, 24, 18, 33, tzinfo=UTC)) == "update overdue by 3 min"
    assert cadence.is_due(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
