"""Slides in the domain: time entry, the zones line, countdown text, building slides from text."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commsdesk.scheduling.policy import AmbiguousTime, ScheduleRefused
from commsdesk.slides.slide_kinds import (
    HEIGHT,
    LAYOUTS,
    WIDTH,
    BackAt,
    SlideKind,
    SlideProblem,
    SlideRequest,
    StatementSlide,
    TimeEntryProblem,
    UnknownField,
    build_slide,
    countdown_text,
    parse_time_entry,
    resolve_time_entry,
)
from commsdesk.team_time import clock_in_zones, zone_label

NY = "America/New_York"
LONDON = "Europe/London"
TEAM = ["UTC", "Asia/Singapore", NY]


def at(zone_name: str, *args: int, fold: int = 0) -> datetime:
    """An instant given as a wall time in a zone, in UTC."""
    return datetime(*args, tzinfo=ZoneInfo(zone_name), fold=fold).astimezone(UTC)


def local(resolved) -> tuple[int, int, int, int, int]:
    moment = resolved.local
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute)


# --- time entry -----------------------------------------------------------------------------------


def test_a_bare_clock_face_time_is_the_next_one_morning_or_evening():
    now = at(NY, 2026, 11, 24, 17, 50)  # a producer at 17:50 says "back at 6:30"
    assert local(resolve_time_entry("6:30", now, NY)) == (2026, 11, 24, 18, 30)
    morning = at(NY, 2026, 11, 24, 5, 10)
    assert local(resolve_time_entry("6:30", morning, NY)) == (2026, 11, 24, 6, 30)
    late = at(NY, 2026, 11, 24, 19, 0)  # both passed today: tomorrow morning comes first
    assert local(resolve_time_entry("6:30", late, NY)) == (2026, 11, 25, 6, 30)


def test_24_hour_times_are_taken_as_written():
    now = at(NY, 2026, 11, 24, 17, 50)
    assert local(resolve_time_entry("18:30", now, NY)) == (2026, 11, 24, 18, 30)
    assert local(resolve_time_entry("06:30", now, NY)) == (2026, 11, 25, 6, 30)  # leading zero
    assert local(resolve_time_entry("0:15", now, NY)) == (2026, 11, 25, 0, 15)
    assert local(resolve_time_entry("17:45", now, NY)) == (2026, 11, 25, 17, 45)  # just passed


def test_am_and_pm_are_as_said():
    now = at(LONDON, 2026, 11, 24, 17, 50)
    assert local(resolve_time_entry("6:30pm", now, LONDON)) == (2026, 11, 24, 18, 30)
    assert local(resolve_time_entry("6:30 am", now, LONDON)) == (2026, 11, 25, 6, 30)
    assert local(resolve_time_entry("6 p.m.", now, LONDON)) == (2026, 11, 24, 18, 0)
    assert local(resolve_time_entry("12am", now, LONDON)) == (2026, 11, 25, 0, 0)
    assert local(resolve_time_entry("12:05 PM", now, LONDON)) == (2026, 11, 25, 12, 5)


def test_twelve_on_the_clock_face_is_midnight_or_noon():
    assert parse_time_entry("12:15").hours == (0, 12)
    assert parse_time_entry("6:30").hours == (6, 18)
    assert parse_time_entry("18:30").hours == (18,)


def test_delays_count_from_now_across_midnight():
    now = at("UTC", 2026, 11, 24, 23, 50)
    for typed, minutes in (("+15m", 15), ("+1h", 60), ("+1h30m", 90), ("90m", 90),
                           ("+45 min", 45)):
        resolved = resolve_time_entry(typed, now, "UTC")
        assert resolved.at - now == timedelta(minutes=minutes), typed
    assert local(resolve_time_entry("+15m", now, "UTC")) == (2026, 11, 25, 0, 5)
    assert local(resolve_time_entry("0:30", now, "UTC")) == (2026, 11, 25, 0, 30)


def test_the_producer_sees_the_day_and_how_long_until():
    now = at(NY, 2026, 11, 24, 17, 48)
    assert resolve_time_entry("18:30", now, NY).describe(now) == "18:30 today, in 42 min"
    assert resolve_time_entry("6:30am", now, NY).describe(now) == "06:30 tomorrow, in 12 h 42 min"
    assert resolve_time_entry("+1h", now, NY).describe(now) == "18:48 today, in 1 h"


def test_the_zone_decides_which_day_it_is():
    now = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)  # already the 25th in Singapore
    resolved = resolve_time_entry("9:00", now, "Asia/Singapore")
    assert resolved.at == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    assert resolved.describe(now) == "09:00 today, in 2 h"


def test_a_time_the_clocks_skip_is_refused_like_a_schedule():
    # New York springs forward at 02:00 on 8 March 2026: 02:30 never happens.
    now = at(NY, 2026, 3, 8, 1, 0)
    for typed in ("2:30", "02:30", "2:30am"):
        with pytest.raises(ScheduleRefused, match="does not exist in America/New_York"):
            resolve_time_entry(typed, now, NY)
    # Once the gap is behind us, "2:30" is simply the afternoon.
    after = at(NY, 2026, 3, 8, 4, 0)
    assert local(resolve_time_entry("2:30", after, NY)) == (2026, 3, 8, 14, 30)
    # London springs forward at 01:00 on 29 March 2026.
    with pytest.raises(ScheduleRefused, match="Europe/London"):
        resolve_time_entry("01:30", at(LONDON, 2026, 3, 29, 0, 15), LONDON)


def test_a_time_the_clocks_show_twice_asks_which_while_both_are_ahead():
    # London falls back at 02:00 on 25 October 2026: 01:30 happens in BST, then in GMT.
    now = at(LONDON, 2026, 10, 25, 0, 45)
    with pytest.raises(AmbiguousTime) as twice:
        resolve_time_entry("1:30", now, LONDON)
    early, late = twice.value.choices
    assert late - early == timedelta(hours=1)
    assert resolve_time_entry("1:30", now, LONDON, fold=0).at == early
    chosen = resolve_time_entry("1:30", now, LONDON, fold=1)
    assert chosen.at == late
    assert chosen.describe(now) == "01:30 GMT today, in 1 h 45 min"


def test_when_the_first_of_twice_has_passed_the_second_is_the_next():
    # New York falls back at 02:00 on 1 November 2026; at 01:45 EDT, 01:30 EDT is past.
    now = at(NY, 2026, 11, 1, 1, 45)
    resolved = resolve_time_entry("01:30", now, NY)
    assert resolved.at == at(NY, 2026, 11, 1, 1, 30, fold=1)
    assert resolved.describe(now) == "01:30 EST today, in 45 min"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "No time given"),
        ("soon", "'soon' is not a time"),
        ("15", "Add m for minutes"),
        ("+15", "Add m for minutes"),
        ("25:00", "hours go up to 23"),
        ("6:75", "minutes go up to 59"),
        ("13pm", "with am or pm the hour is 1 to 12"),
        ("+0m", "no time from now"),
        ("+25h", "more than 24 hours away"),
    ],
)
def test_bad_text_says_what_is_accepted(typed, says):
    with pytest.raises(TimeEntryProblem) as problem:
        resolve_time_entry(typed, datetime(2026, 11, 24, 12, tzinfo=UTC), "UTC")
    message = str(problem.value)
    assert says in message
    assert "18:30 (24-hour)" in message and "+15m" in message and "6:30pm" in message


def test_an_unknown_zone_is_refused():
    with pytest.raises(ScheduleRefused, match="not a time zone"):
        resolve_time_entry("18:30", datetime(2026, 11, 24, tzinfo=UTC), "Mars/Olympus")


NOWS = st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))


@given(hour=st.sampled_from([*range(10), *range(13, 24)]), minute=st.integers(0, 59), now=NOWS)
def test_a_24_hour_time_resolves_to_the_next_time_that_wall_clock_shows_it(hour, minute, now):
    try:
        resolved = resolve_time_entry(f"{hour:02d}:{minute:02d}", now, LONDON)
    except (ScheduleRefused, AmbiguousTime):
        return  # the clocks change around it: covered above
    assert now < resolved.at <= now + timedelta(hours=25)
    assert (resolved.local.hour, resolved.local.minute) == (hour, minute)


@given(hour=st.integers(1, 12), minute=st.integers(0, 59), now=NOWS)
def test_a_clock_face_time_is_never_more_than_half_a_day_away(hour, minute, now):
    try:
        resolved = resolve_time_entry(f"{hour}:{minute:02d}", now, LONDON)
    except (ScheduleRefused, AmbiguousTime):
        return
    assert now < resolved.at <= now + timedelta(hours=13)
    assert (resolved.local.hour % 12, resolved.local.minute) == (hour % 12, minute)


# --- zones and countdown --------------------------------------------------------------------------


def test_the_zones_line_uses_short_labels():
    moment = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    assert clock_in_zones(moment, TEAM) == "18:30 UTC · 02:30 SGT · 13:30 ET"
    assert clock_in_zones(moment, ["Europe/London", "Asia/Tokyo", "Asia/Dubai"]) == (
        "18:30 GMT · 03:30 JST · 22:30 GST"
    )
    assert clock_in_zones(moment, ["Mars/Olympus"]) == "18:30 UTC"
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert zone_label(LONDON, summer) == "BST"
    assert zone_label("America/Argentina/Buenos_Aires", summer) == "Buenos Aires"  # "-03"


def test_countdown_text():
    target = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    assert countdown_text(target, target - timedelta(minutes=12, seconds=4)) == "back in 12:04"
    assert countdown_text(target, target - timedelta(hours=1, minutes=2, seconds=4)) == (
        "back in 1:02:04"
    )
    assert countdown_text(target, target - timedelta(seconds=59.2)) == "back in 1:00"
    assert countdown_text(target, target - timedelta(seconds=0.4)) == "back in 0:01"
    assert countdown_text(target, target) == "back any moment"
    assert countdown_text(target, target + timedelta(minutes=3)) == "back any moment"


# --- slides ---------------------------------------------------------------------------------------


def test_back_at_gives_its_template_the_times_and_the_countdown():
    now = datetime(2026, 11, 24, 18, 17, 56, tzinfo=UTC)
    slide = BackAt(at=datetime(2026, 11, 24, 18, 30, tzinfo=UTC), zones=tuple(TEAM),
                   message="Questions live", brand="Northwind")
    variables = slide.variables(now)
    assert variables["time"] == "18:30" and variables["time_zone"] == "UTC"
    assert variables["zones_line"] == "18:30 UTC · 02:30 SGT · 13:30 ET"
    assert variables["other_zones"] == "02:30 SGT · 13:30 ET"
    assert variables["countdown"] == "back in 12:04"
    assert variables["target_iso"] == "2026-11-24T18:30:00Z"
    assert (variables["message"], variables["brand"]) == ("Questions live", "Northwind")


def test_the_back_at_frame_leaves_a_countdown_box_inside_the_frame_below_the_text():
    layout = LAYOUTS[SlideKind.BACK_AT]
    x, y, w, h = layout.countdown
    cx, cy, cw, ch = layout.content
    assert x >= 0 and x + w <= WIDTH and y + h <= HEIGHT
    assert y >= cy + ch  # below the text, never under it
    assert layout.countdown_px > 0 and layout.countdown_px <= h
    assert all(LAYOUTS[k].countdown is None for k in SlideKind if k is not SlideKind.BACK_AT)


def test_statement_paragraphs_split_at_blank_lines_and_thread_breaks():
    slide = StatementSlide(text="First line\njoined.\n\nSecond.\n---\nThird.\n\n\n")
    assert slide.paragraphs == ["First line joined.", "Second.", "Third."]


def test_build_slide_from_typed_values():
    now = at(NY, 2026, 11, 24, 17, 50)
    request = SlideRequest(SlideKind.BACK_AT, {"at": "6:30", "message": "Soon"}, zone=NY,
                           zones=tuple(TEAM))
    slide = build_slide(request, now)
    assert isinstance(slide, BackAt)
    assert slide.at == at(NY, 2026, 11, 24, 18, 30) and slide.message == "Soon"
    statement = build_slide(
        SlideRequest(SlideKind.STATEMENT, {"text": "Hi", "posted_at": "17:45"}, zone=NY), now
    )
    assert statement.posted_at == at(NY, 2026, 11, 24, 17, 45)
    yesterday = build_slide(
        SlideRequest(SlideKind.STATEMENT, {"text": "Hi", "posted_at": "18:00"}, zone=NY), now
    )
    assert yesterday.posted_at == at(NY, 2026, 11, 23, 18, 0)


def test_build_slide_names_the_fields_it_takes():
    now = datetime(2026, 11, 24, tzinfo=UTC)
    with pytest.raises(UnknownField) as unknown:
        build_slide(SlideRequest(SlideKind.LOWER_THIRD, {"name": "A", "role": "B"}), now)
    assert unknown.value.fields == ("name", "title", "brand")
    assert "'role'" in str(unknown.value) and "it takes: name, title, brand" in str(unknown.value)
    with pytest.raises(SlideProblem, match=r"^Back at needs at \(.+\)\.$"):
        build_slide(SlideRequest(SlideKind.BACK_AT, {}), now)
    with pytest.raises(SlideProblem, match="the slides are back_at, standby"):
        SlideKind.named("intermission")
    assert SlideKind.named("Back-At") is SlideKind.BACK_AT
