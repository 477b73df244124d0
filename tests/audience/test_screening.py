"""One reading that jumps too far is held back until the next confirms it; and the whole way a
number takes (the edge, the series, the total, the advisor) with absurd and glitched values in
it: the advisor never advises on a curve whose only drop is a refused or suspect reading."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commsdesk.audience.advisor import Advisor, AdvisorSettings
from commsdesk.audience.live_total import LiveTotal
from commsdesk.audience.screening import JUMP_FACTOR, JUMP_FLOOR, Flag, Screen
from commsdesk.audience.series import SeriesBuffer
from commsdesk.audience.sources.reading import Reading, checked
from commsdesk.audience.validation import (
    ANY_PLATFORM_MAX_VIEWERS,
    PLATFORM_BOUNDS,
    YOUTUBE_MAX_VIEWERS,
    TimeWindow,
)

T0 = 1_790_000_000.0
STEP = 10.0


def test_a_one_reading_spike_is_held_back_then_dismissed():
    buffer = SeriesBuffer()
    for i, viewers in enumerate([3_000, 3_050, 2_990_000, 3_020, 3_010]):
        buffer.append("YouTube", T0 + i * STEP, viewers)
    assert buffer.values("YouTube").tolist() == [3_000, 3_050, 3_020, 3_010]
    assert buffer.flags("YouTube") == [(T0 + 20, 2_990_000, Flag.OUTLIER)]
    assert buffer.peak() == (T0 + 10, 3_050)


def test_a_real_jump_is_counted_once_the_next_reading_confirms_it():
    buffer = SeriesBuffer()
    verdicts = [buffer.append("Twitch", T0 + i * STEP, v)
                for i, v in enumerate([800, 820, 12_000, 12_400, 12_600])]
    assert verdicts[2].suspect and not verdicts[2].counted
    assert verdicts[3].confirmed == (T0 + 20, 12_000) and verdicts[3].counted
    assert buffer.values("Twitch").tolist() == [800, 820, 12_000, 12_400, 12_600]
    assert buffer.flags("Twitch") == []


def test_a_zero_between_two_big_numbers_is_no_drop_and_small_audiences_move_freely():
    screen = Screen()
    assert screen.check(T0, 40_000).counted
    assert screen.check(T0 + 10, 0).suspect  # a glitched zero...
    after = screen.check(T0 + 20, 39_800)
    assert after.dismissed == (T0 + 10, 0) and after.counted  # ...never counted
    small = Screen()
    assert all(small.check(T0 + i, v).counted for i, v in enumerate([3, 40, 2, 49, 0, 45]))
    assert JUMP_FLOOR * JUMP_FACTOR == 500  # below 500 a fall to zero is not a jump


def test_a_gap_leaves_the_suspect_waiting_for_the_next_number():
    buffer = SeriesBuffer()
    buffer.append("Kick", T0, 1_000)
    buffer.append("Kick", T0 + 10, 50_000)
    buffer.append("Kick", T0 + 20, None, "offline")
    assert buffer.flags("Kick") == [(T0 + 10, 50_000, Flag.SUSPECT)]
    buffer.append("Kick", T0 + 30, 49_000)
    assert buffer.flags("Kick") == []
    values = buffer.values("Kick").tolist()  # in time order, the confirmed one in its place
    assert values[:2] == [1_000, 50_000] and math.isnan(values[2]) and values[3] == 49_000


@given(st.lists(st.one_of(st.none(), st.floats(0, 1e8), st.sampled_from([0.0, 1e8, 30.0])),
                max_size=60))
def test_screening_a_stored_series_at_once_judges_as_one_reading_at_a_time(values):
    values = [*values, 1_000.0]  # at least one reading
    times = T0 + STEP * np.arange(len(values))
    as_array = np.array([math.nan if v is None else v for v in values], dtype=float)
    one_by_one, at_once = SeriesBuffer(), SeriesBuffer()
    for t, v in zip(times.tolist(), values, strict=True):
        one_by_one.append("YouTube", t, v)
    at_once.extend("YouTube", times, as_array)
    assert one_by_one.times("YouTube").tolist() == at_once.times("YouTube").tolist()
    np.testing.assert_array_equal(one_by_one.values("YouTube"), at_once.values("YouTube"))
    held = [(t, f) for t, _v, f in one_by_one.flags("YouTube")]
    assert held == [(t, f) for t, _v, f in at_once.flags("YouTube")]


# --- the whole way, with garbage in it ----------------------------------------------------------

SETTINGS = AdvisorSettings(below_for=5 * 60.0, min_runtime=10 * 60.0)
ABSURD = st.one_of(
    st.integers(min_value=YOUTUBE_MAX_VIEWERS + 1, max_value=10**40),
    st.integers(max_value=-1),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e20, -0.5, 2.5, "lots", "", None, True]),
    st.text(max_size=8),
)
FAR_TIMES = st.one_of(
    st.floats(min_value=T0 + 7 * 86_400, max_value=1e300),
    st.floats(max_value=T0 - 400 * 86_400, min_value=-1e300),
    st.sampled_from([1e18, -1e18, math.nan, math.inf]),
)


def through_the_desk(readings, sources=("YouTube", "Twitch")) -> tuple[list, SeriesBuffer]:
    """Readings as the bridge takes them: the edge, the screen, the running total, the advisor
    (the bridge's own code path without Qt). Returns the advice and the series."""
    window_start = T0 - 60
    buffer, total, advisor = SeriesBuffer(), LiveTotal(), Advisor(SETTINGS)
    advice = []
    for reading in readings:
        now = reading[0] if isinstance(reading[0], float) and math.isfinite(reading[0]) else T0
        kept = checked(Reading(reading[1], reading[0], reading[2]), "youtube",
                       TimeWindow(window_start, max(now, T0)))
        verdict = buffer.append(kept.source, kept.at, kept.viewers, str(kept.state))
        if verdict.suspect:
            continue
        point = total.add(kept.source, kept.at, kept.viewers)
        advice += advisor.observe(point.at, point.viewers, point.coverage)
    assert sources
    return advice, buffer


def steady(level: float, minutes: int = 60):
    """(time, source, viewers) every 10 s for two platforms holding `level` between them."""
    return [(T0 + i * STEP, name, round(level * share))
            for i in range(int(minutes * 60 / STEP))
            for name, share in (("YouTube", 0.7), ("Twitch", 0.3))]


def test_a_real_fall_is_still_advised_on():
    readings = steady(40_000, 20) + [(t + 1200, n, v // 40) for t, n, v in steady(40_000, 40)]
    advice, _ = through_the_desk(readings)
    # Each platform's fall is held back for one reading, then confirmed: one sudden drop.
    assert [str(a.kind) for a in advice] == ["sudden_drop", "suggest_end"]
    assert advice[0].at == T0 + 1210 and "40,000 → " in advice[0].message


@given(
    level=st.floats(min_value=1_000, max_value=1_000_000),
    where=st.floats(min_value=0.05, max_value=0.95),
    bad=ABSURD,
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_advice_on_a_curve_whose_only_drop_is_a_refused_count(level, where, bad):
    readings = steady(level)
    i = int(where * len(readings))
    readings[i] = (readings[i][0], readings[i][1], bad)
    advice, buffer = through_the_desk(readings)
    assert advice == []
    _, totals = buffer.total()
    finite = totals[np.isfinite(totals)]
    assert finite.max() <= level + 1  # nothing absurd reached the total or the peak


@given(
    level=st.floats(min_value=1_000, max_value=1_000_000),
    where=st.floats(min_value=0.05, max_value=0.95),
    up=st.booleans(),
    factor=st.floats(min_value=10.5, max_value=10_000),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_advice_on_a_curve_whose_only_drop_is_a_suspect_reading(level, where, up, factor):
    """A spike up (whose fall back would look like a sudden drop) or a glitch down to a tenth
    or less, in one reading, on either platform."""
    readings = steady(level)
    i = int(where * len(readings))
    t, name, value = readings[i]
    if up or value < 1.05 * JUMP_FLOOR * JUMP_FACTOR:
        glitch = min(round(max(value, JUMP_FLOOR) * factor), PLATFORM_BOUNDS["youtube"])
    else:
        glitch = round(value / factor) if factor < 1_000 else 0
    readings[i] = (t, name, glitch)
    advice, buffer = through_the_desk(readings)
    assert advice == []
    assert buffer.flags(name) == [(t, glitch, Flag.OUTLIER)]


@given(st.lists(st.tuples(st.one_of(st.floats(T0, T0 + 3600), FAR_TIMES),
                          st.sampled_from(["YouTube", "Twitch"]),
                          st.one_of(st.floats(0, 50_000), ABSURD)), max_size=80))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_garbage_in_any_order_never_breaks_the_series_the_total_or_the_advisor(readings):
    advice, buffer = through_the_desk(sorted(readings, key=lambda r: repr(r[0])))
    times, totals = buffer.total()
    assert np.isfinite(times).all()
    finite = totals[np.isfinite(totals)]
    assert (finite >= 0).all() and (finite <= 2 * ANY_PLATFORM_MAX_VIEWERS).all()
    peak = buffer.peak()
    assert peak is None or math.isfinite(peak[1])
    for given_advice in advice:
        assert "nan" not in given_advice.message and "inf" not in given_advice.message
