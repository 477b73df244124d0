"""The edge every viewer count and time passes: plain cases, then any value hypothesis can make
(huge integers, NaN, infinities, negatives, text, times centuries away) through the checks,
the CSV parser and a reading's check, which either keep a plausible value or refuse it in
words, and never fail any other way."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commsdesk.audience.series import MAX_RECORDING, parse_audience_csv
from commsdesk.audience.sources.reading import Reading, SourceState, checked
from commsdesk.audience.validation import (
    ANY_PLATFORM_MAX_VIEWERS,
    CLOCK_SKEW,
    EARLIEST_TIME,
    KICK_MAX_VIEWERS,
    PLATFORM_BOUNDS,
    YOUTUBE_MAX_VIEWERS,
    Rejected,
    TimeWindow,
    check_count,
    parse_count,
    platform_key,
    viewer_bound,
)

NOW = 1_796_000_000.0  # December 2026
PLATFORMS = st.sampled_from(["", *PLATFORM_BOUNDS])

# Anything a source, a file or a person could hand over as a count or a time.
GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**18, max_value=10**400),
    st.integers(max_value=-1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e20, 1e308, -0.0, 0.5, 2410.5]),
    st.text(max_size=40),
    st.sampled_from(["99999999999999999999", "2,410", "-5", "nan", "inf", "1e18", " ", "٣٤"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def test_each_platform_has_its_own_plausible_bound():
    assert check_count(20_000_000, "youtube") == YOUTUBE_MAX_VIEWERS
    with pytest.raises(Rejected, match="more than YouTube plausibly has"):
        check_count(20_000_001, "youtube")
    assert check_count(KICK_MAX_VIEWERS, "kick") == KICK_MAX_VIEWERS
    with pytest.raises(Rejected, match=r"more than Kick plausibly has \(at most 5,000,000\)"):
        check_count(KICK_MAX_VIEWERS + 1, "kick")
    assert check_count(ANY_PLATFORM_MAX_VIEWERS) == ANY_PLATFORM_MAX_VIEWERS
    assert viewer_bound("rumble") == ANY_PLATFORM_MAX_VIEWERS


def test_the_issues_number_is_refused_in_words_a_person_can_read():
    with pytest.raises(Rejected) as refused:
        check_count(99999999999999999999, "youtube")
    assert str(refused.value) == (
        "a 20-digit number of viewers is more than YouTube plausibly has (at most 20,000,000); "
        "check the number"
    )
    assert len(str(refused.value)) < 120


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("-5", "-5 viewers is below zero"),
        ("2410.5", "2410.5 is not a whole number of viewers"),
        ("lots", "'lots' is not a viewer count: type a whole number, such as 2,410"),
        ("", "Nothing is not a viewer count"),
        ("nan", "nan is not a viewer count"),
        ("1e30", "1e+30 viewers is more than Kick plausibly has"),
    ],
)
def test_typed_counts_are_refused_for_what_they_are(typed, words):
    with pytest.raises(Rejected, match=words.replace("+", r"\+").replace("(", r"\(")):
        parse_count(typed, "kick")


@pytest.mark.parametrize("typed", ["2410", "2,410", "2 410", "2_410", " 2410 ", "2410.0"])
def test_counts_are_read_as_people_type_them(typed):
    assert parse_count(typed, "kick") == 2410


def test_the_platform_comes_from_the_kind_its_setting_or_its_label():
    assert platform_key("manual", None, "Kick (typed)") == "kick"
    assert platform_key("json_url", None, "X (JSON URL)") == "x"
    assert platform_key("replay", "youtube", "YouTube replay 2") == "youtube"
    assert platform_key("json_url", None, "Rumble") == ""


def test_times_must_lie_within_the_window():
    window = TimeWindow(NOW - 600, NOW)
    assert window.check(NOW - 300) == NOW - 300
    assert window.check(NOW + CLOCK_SKEW) == NOW + CLOCK_SKEW  # another machine's clock
    with pytest.raises(Rejected, match="time 1e\\+18 is years in the future"):
        window.check(1e18)
    with pytest.raises(Rejected, match="20 min before the start"):
        window.check(NOW - 1800)


@given(value=GARBAGE, platform=PLATFORMS)
def test_any_value_is_a_plausible_count_or_refused_in_words(value, platform):
    try:
        count = check_count(value, platform)
    except Rejected as refused:
        assert str(refused) and len(str(refused)) < 200
        return
    assert type(count) is int and 0 <= count <= viewer_bound(platform)
    assert count == value  # a kept count is the value given, never a rounded or clipped one


@given(text=st.one_of(st.text(max_size=40), GARBAGE), platform=PLATFORMS)
def test_any_text_typed_is_a_plausible_count_or_refused_in_words(text, platform):
    try:
        count = parse_count(text, platform)
    except Rejected as refused:
        assert str(refused) and len(str(refused)) < 200
        return
    assert 0 <= count <= viewer_bound(platform)


@given(at=GARBAGE)
def test_any_time_is_in_the_window_or_refused(at):
    window = TimeWindow(NOW - 3600, NOW)
    try:
        moment = window.check(at)
    except Rejected as refused:
        assert str(refused).startswith("time ")
        return
    assert NOW - 3600 - CLOCK_SKEW <= moment <= NOW + CLOCK_SKEW


@given(at=GARBAGE, viewers=GARBAGE, platform=PLATFORMS)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_a_reading_from_any_source_is_kept_or_becomes_a_refused_gap(at, viewers, platform):
    window = TimeWindow(NOW - 3600, NOW)
    reading = Reading("Kick", at, viewers)  # what a broken source could send
    result = checked(reading, platform, window)
    if result.state is SourceState.REJECTED:
        assert result.viewers is None and result.detail.startswith("Kick sent ")
        assert math.isfinite(result.at)
    elif result.viewers is not None:
        assert 0 <= result.viewers <= viewer_bound(platform)
        assert NOW - 3600 - CLOCK_SKEW <= result.at <= NOW + CLOCK_SKEW


ROW_FIELD = st.one_of(
    st.sampled_from(["0", "5", "60", "1e18", "-5", "nan", "inf", "1790000000", "99999999999",
                     "2026-11-26T14:00:00Z", "1970-01-01", "3026-01-01T00:00:00", "x", ""]),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet=",\"'\n 0123456789.-eE", max_size=12),
)


@given(rows=st.lists(st.tuples(ROW_FIELD, ROW_FIELD, st.sampled_from(["", "youtube", "kick"])),
                     max_size=25))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_a_csv_of_garbage_keeps_only_plausible_rows_and_says_why_for_the_rest(rows):
    text = "\n".join(",".join(f'"{f}"' if "," in f or "\n" in f else f for f in row)
                     for row in rows)
    parsed = parse_audience_csv(text, now=NOW)
    for row in parsed.rows:
        platform = platform_key(row.platform)
        assert row.viewers is None or 0 <= row.viewers <= viewer_bound(platform)
        if row.at < 1e9:
            assert 0 <= row.at <= MAX_RECORDING
        else:
            assert EARLIEST_TIME - CLOCK_SKEW <= row.at <= NOW + CLOCK_SKEW
    assert all(problem.reason for problem in parsed.problems)


def test_the_issues_csv_keeps_the_real_lines_and_names_the_absurd_ones():
    text = (
        "time,viewers,platform\n"
        "0,4100,youtube\n"
        "5,99999999999999999999,youtube\n"
        "10,4080,youtube\n"
        "1e18,4070,youtube\n"
        "15,4060,youtube\n"
    )
    parsed = parse_audience_csv(text, now=NOW)
    assert [row.viewers for row in parsed.rows] == [4100, 4080, 4060]
    assert [str(problem) for problem in parsed.problems] == [
        "line 3: a 20-digit number of viewers is more than YouTube plausibly has (at most "
        "20,000,000); check the number",
        "line 5: time '1e18' is years in the future",
    ]
