"""Series the chart draws, smoothing, Sen's slope, the YouTube quota projection and replay CSV."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from commsdesk.audience.demo_curve import demo_audience_csv, demo_audience_rows
from commsdesk.audience.series import (
    Ewma,
    SeriesBuffer,
    next_youtube_reset,
    parse_audience_csv,
    secret_config_keys,
    theil_sen,
    youtube_quota,
)

T0 = 1_790_000_000.0


# --- SeriesBuffer -------------------------------------------------------------------------------


def test_buffer_grows_past_its_first_capacity_and_keeps_every_sample_in_order():
    buffer = SeriesBuffer()
    for i in range(5000):
        buffer.append("youtube", T0 + i, i if i % 100 else None)
    times, values = buffer.times("youtube"), buffer.values("youtube")
    assert len(times) == len(values) == 5000
    assert times[0] == T0 and times[-1] == T0 + 4999
    assert np.isnan(values[0]) and np.isnan(values[100]) and values[4999] == 4999
    assert not times.flags.writeable  # a view of the filled part, not for writing


def test_total_is_the_sum_of_the_sources_reading_and_says_when_it_is_partial():
    buffer = SeriesBuffer(fresh_for=30)
    buffer.append("youtube", T0, 1000)
    buffer.append("twitch", T0 + 1, 500)
    buffer.append("youtube", T0 + 10, 1100)
    buffer.append("twitch", T0 + 11, None, "offline")
    buffer.append("youtube", T0 + 20, 1200)
    buffer.append("twitch", T0 + 21, 600)
    buffer.append("youtube", T0 + 60, 1300)  # twitch's 600 is 39 s old here: stale
    times, values = buffer.total()
    assert times.tolist() == [T0 + s for s in (0, 1, 10, 11, 20, 21, 60)]
    # At T0 twitch had not started, so it does not count; at 11, 20 and 60 it is not reading:
    # the total is YouTube's alone, partial, never blank and never with a zero for Twitch.
    assert values.tolist() == [1000, 1500, 1600, 1100, 1200, 1800, 1300]
    reading, counting = buffer.coverage()
    assert reading.tolist() == [1, 2, 2, 1, 1, 2, 1]
    assert counting.tolist() == [1, 2, 2, 2, 2, 2, 2]
    assert buffer.gap_reasons("twitch") == [(T0 + 11, "offline")]


def test_total_is_a_gap_only_when_no_source_reads():
    buffer = SeriesBuffer(fresh_for=30)
    buffer.append("youtube", T0, 1000)
    buffer.append("twitch", T0, 500)
    buffer.append("youtube", T0 + 5, None, "quota_exceeded")
    buffer.append("twitch", T0 + 6, None, "offline")
    buffer.append("twitch", T0 + 7, 0)  # a real zero is a number
    _, values = buffer.total()
    assert values[0] == 1500 and values[1] == 500 and values[3] == 0
    assert math.isnan(values[2])  # nobody reading: a gap, never a zero
    assert buffer.coverage()[0].tolist() == [2, 1, 0, 1]


def test_a_retired_source_stops_counting_and_the_peak_is_of_the_total():
    buffer = SeriesBuffer()
    buffer.append("kick", T0, 300)
    buffer.append("youtube", T0, 9000)
    buffer.append("youtube", T0 + 5, 9100)
    buffer.retire("kick", T0 + 4)
    buffer.append("youtube", T0 + 10, 8000)
    assert buffer.values().tolist() == [9300, 9100, 8000]
    assert buffer.peak() == (T0, 9300)
    assert buffer.peak("youtube") == (T0 + 5, 9100)
    assert SeriesBuffer().peak() is None


def test_a_source_switched_off_and_on_again_counts_again_from_its_next_sample():
    buffer = SeriesBuffer(fresh_for=30)
    buffer.append("kick", T0, 300)
    buffer.append("youtube", T0, 9000)
    buffer.retire("kick", T0 + 4)
    buffer.append("youtube", T0 + 10, 8000)  # kick off: not counted, and not a gap
    buffer.reinstate("kick")
    buffer.append("youtube", T0 + 100, 7000)  # kick on, no new number yet: still not counted
    buffer.append("kick", T0 + 105, 500)  # its first new number: counted from here
    buffer.append("youtube", T0 + 110, 6000)
    assert buffer.times().tolist() == [T0, T0 + 10, T0 + 100, T0 + 105, T0 + 110]
    assert buffer.values().tolist() == [9300, 8000, 7000, 7500, 6500]


def test_switched_off_twice_before_a_new_number_is_one_off_period():
    buffer = SeriesBuffer(fresh_for=30)
    buffer.append("kick", T0, 300)
    buffer.append("youtube", T0, 9000)
    buffer.retire("kick", T0 + 4)
    buffer.reinstate("kick")
    buffer.retire("kick", T0 + 8)  # off again before kick said anything
    buffer.reinstate("kick")
    buffer.append("youtube", T0 + 50, 8000)
    buffer.append("kick", T0 + 60, 400)
    assert buffer.values().tolist() == [9300, 8000, 8400]


def test_off_periods_read_back_from_the_record_give_the_same_total():
    live = SeriesBuffer(fresh_for=30)
    stored = SeriesBuffer(fresh_for=30)
    samples = [("kick", T0, 300), ("youtube", T0, 9000), ("youtube", T0 + 10, 8000),
               ("youtube", T0 + 100, 7000), ("kick", T0 + 105, 500), ("youtube", T0 + 110, 6000)]
    for source, at, viewers in samples:
        if at == T0 + 10:
            live.retire("kick", T0 + 4)
        if at == T0 + 100:
            live.reinstate("kick")
        live.append(source, at, viewers)
        stored.append(source, at, viewers)
    stored.off_between("kick", T0 + 4, T0 + 105)
    assert stored.values().tolist() == live.values().tolist()


def test_late_samples_and_batches_land_in_time_order():
    buffer = SeriesBuffer()
    buffer.extend("youtube", [T0 + 2, T0, T0 + 4], [2, 0, 4])
    buffer.append("youtube", T0 + 3, 3)
    buffer.append("youtube", T0 + 1, 1)
    assert buffer.times("youtube").tolist() == [T0 + i for i in range(5)]
    assert buffer.values("youtube").tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError):
        buffer.append("total", T0, 1)


def test_twelve_hours_from_three_sources_fit_well_under_fifty_megabytes():
    buffer = SeriesBuffer()
    times = T0 + np.arange(12 * 3600, dtype=np.float64)
    for name in ("youtube", "twitch", "kick"):
        for t in times[:100].tolist():
            buffer.append(name, t, 100.0)
        buffer.extend(name, times[100:], np.full(len(times) - 100, 200.0))
    assert len(buffer.total()[0]) == 12 * 3600
    assert buffer.nbytes < 10 * 1024 * 1024


# --- smoothing and trend ------------------------------------------------------------------------


def test_ewma_weighs_a_sample_by_the_time_since_the_last():
    ewma = Ewma(tau=120)
    assert ewma.update(0, 1000) == 1000
    close = ewma.update(1, 0)  # one second later: barely moves
    assert 990 < close < 1000
    after_a_long_pause = ewma.update(3601, 500)
    assert after_a_long_pause == pytest.approx(500, abs=0.01)


def test_sen_slope_of_a_line_is_its_slope_and_ignores_gaps():
    t = np.arange(0, 900, 5.0)
    v = 5000 - 2.0 * t
    v[10] = math.nan
    trend = theil_sen(t, v)
    assert trend.slope == pytest.approx(-2.0)
    assert trend.per_minute == pytest.approx(-120.0)
    assert trend.clearly_falling and not trend.clearly_rising
    assert theil_sen([0, 1], [1, 2]) is None


def test_sen_slope_interval_of_flat_noise_contains_zero_and_an_outlier_barely_matters():
    rng = np.random.default_rng(3)
    t = np.arange(0, 900, 5.0)
    v = 4000 + rng.normal(0, 60, len(t))
    trend = theil_sen(t, v)
    assert trend.lower <= 0 <= trend.upper
    assert not trend.clearly_rising and not trend.clearly_falling
    v[50] = 400_000  # one glitched reading
    assert abs(theil_sen(t, v).slope - trend.slope) < 0.05


@given(
    slope=st.floats(-50, 50, allow_nan=False),
    noise=st.floats(0, 5),
    n=st.integers(5, 400),
)
def test_sen_interval_always_holds_the_slope(slope, noise, n):
    t = np.linspace(0, 900, n)
    v = 1000 + slope * t + noise * np.sin(t)
    trend = theil_sen(t, v)
    assert trend.lower <= trend.slope <= trend.upper


# --- YouTube quota ------------------------------------------------------------------------------


def test_quota_for_the_default_interval_lasts_the_day():
    now = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)  # 00:30 in Los Angeles
    projection = youtube_quota(15, now=now)
    assert projection.units_per_day == 5760
    assert projection.resets_at == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    assert projection.projected == 5640  # 23.5 h left at one unit per 15 s
    assert projection.runs_out_at is None and not projection.warn
    assert "5,760 of 10,000" in projection.sentence()


def test_quota_for_a_fast_interval_says_when_it_runs_out_and_warns():
    now = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)  # 12:00 in Los Angeles: 12 h to the reset
    projection = youtube_quota(5, now=now, used=3000)
    assert projection.projected == 3000 + 12 * 720
    assert projection.runs_out_at == datetime(2026, 11, 27, 5, 43, 20, tzinfo=UTC)
    assert projection.warn
    assert "runs out at 05:43 UTC" in projection.sentence()


def test_quota_resets_at_pacific_midnight_in_summer_time_too():
    assert next_youtube_reset(datetime(2026, 7, 1, 12, tzinfo=UTC)) == datetime(
        2026, 7, 2, 7, 0, tzinfo=UTC
    )


# --- replay CSV ---------------------------------------------------------------------------------


def test_csv_keeps_good_rows_and_reports_bad_ones_by_line():
    text = (
        "time,viewers,platform\n"
        "2026-11-26T14:00:00Z,40150,youtube\n"
        "2026-11-26T14:00:05+00:00,\"39,990\",youtube\n"
        "yesterday,100,youtube\n"
        "2026-11-26T14:00:10,abc,youtube\n"
        "2026-11-26T14:00:15,-4,youtube\n"
        "\n"
        "2026-11-26T14:00:20,,twitch\n"
        "2026-11-26T14:00:25,12\n"
        "1790000000,12,kick\n"
        "2026-11-26T14:00:30,1,2,3\n"
    )
    parsed = parse_audience_csv(text)
    assert [(row.line, row.viewers, row.platform) for row in parsed.rows] == [
        (2, 40150, "youtube"),
        (3, 39990, "youtube"),
        (8, None, "twitch"),  # an empty count is a recorded gap
        (9, 12, "replay"),
    ]
    assert parsed.rows[0].at == datetime(2026, 11, 26, 14, tzinfo=UTC).timestamp()
    assert [(p.line, p.reason) for p in parsed.problems] == [
        (4, "time 'yesterday' is neither ISO 8601 nor seconds"),
        (5, "'abc' is not a viewer count: type a whole number, such as 2,410"),
        (6, "-4 viewers is below zero: a count is 0 or more"),
        (10, "time '1790000000' mixes formats: earlier rows use ISO 8601"),
        (11, "expected time,viewers[,platform], found 4 fields"),
    ]
    assert not parsed.relative


def test_csv_without_header_in_seconds_from_the_start():
    parsed = parse_audience_csv("10,5\n0,7\n5,6\n")
    assert [(r.at, r.viewers) for r in parsed.rows] == [(0, 7), (5, 6), (10, 5)]
    assert parsed.relative and parsed.problems == []


def test_demo_curve_opens_at_forty_thousand_and_is_at_four_thousand_after_1h45():
    rows = demo_audience_rows()
    totals: dict[float, int] = {}
    for t, _platform, viewers in rows:
        totals[t] = totals.get(t, 0) + viewers
    assert 38_500 < totals[0.0] < 41_500
    assert 3_800 < totals[105 * 60.0] < 4_200
    assert parse_audience_csv(demo_audience_csv()).problems == []


def test_secret_looking_config_keys_are_named():
    assert secret_config_keys({"video_id": "x", "api_key": "y", "Client_Secret": "z"}) == [
        "Client_Secret",
        "api_key",
    ]
