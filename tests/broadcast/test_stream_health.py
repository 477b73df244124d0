"""Stream health from two readings: bitrate over time, frame shares, and the flags raised."""

from __future__ import annotations

import pytest

from commsdesk.broadcast.stream_health import HealthFlag, StreamSample, stream_health


def live(at: float, **fields) -> StreamSample:
    base = dict(
        active=True, duration_ms=int(at * 1000), bytes_sent=0, stream_frames=0,
        encoder_frames=0, render_frames=0, fps=30.0, target_fps=30.0, cpu_percent=12.0,
    )  # fmt: skip
    base.update(fields)
    return StreamSample(at=at, **base)


def test_bitrate_comes_from_bytes_over_time():
    before = live(10.0, bytes_sent=1_000_000, stream_frames=300)
    after = live(12.0, bytes_sent=1_750_000, stream_frames=360)
    health = stream_health(before, after)
    assert health.bitrate_kbps == pytest.approx(3000.0)  # 750 kB in 2 s
    assert health.live and health.live_seconds == pytest.approx(12.0)
    assert health.ok


def test_a_single_reading_has_no_bitrate_yet():
    health = stream_health(None, live(5.0, bytes_sent=500_000, stream_frames=150))
    assert health.bitrate_kbps is None
    assert health.ok


def test_dropped_share_is_taken_over_the_interval():
    # 10 dropped in the stream's first 1,000 frames, then 6 of the next 200: 3% now.
    before = live(10.0, bytes_sent=1, dropped_frames=10, stream_frames=1000)
    after = live(12.0, bytes_sent=2, dropped_frames=16, stream_frames=1200)
    health = stream_health(before, after)
    assert health.dropped_share == pytest.approx(0.03)
    assert HealthFlag.DROPPED_FRAMES in health.flags


def test_dropped_under_one_percent_is_not_flagged():
    before = live(10.0, bytes_sent=1, stream_frames=1000)
    after = live(12.0, bytes_sent=2, dropped_frames=1, stream_frames=1200)
    assert HealthFlag.DROPPED_FRAMES not in stream_health(before, after).flags


def test_congestion_above_half_is_flagged():
    health = stream_health(None, live(3.0, congestion=0.6))
    assert health.flags == (HealthFlag.CONGESTION,)
    assert not stream_health(None, live(3.0, congestion=0.5)).flags


def test_fps_below_target_and_high_cpu_are_flagged():
    health = stream_health(None, live(3.0, fps=24.0, cpu_percent=97.0))
    assert HealthFlag.LOW_FPS in health.flags
    assert HealthFlag.CPU_HIGH in health.flags


def test_encoder_skipping_and_render_lag_use_the_stats_counters():
    before = live(1.0, encoder_frames=100, render_frames=100)
    after = live(3.0, encoder_skipped=5, encoder_frames=160, render_missed=3, render_frames=160)
    health = stream_health(before, after)
    assert health.skipped_share == pytest.approx(5 / 60)
    assert health.missed_share == pytest.approx(3 / 60)
    assert {HealthFlag.ENCODER_SKIPPING, HealthFlag.RENDER_LAG} <= set(health.flags)


def test_live_with_no_bytes_since_the_last_reading_is_no_data():
    before = live(1.0, bytes_sent=5000, stream_frames=30)
    after = live(3.0, bytes_sent=5000, stream_frames=90)
    health = stream_health(before, after)
    assert health.bitrate_kbps == 0
    assert HealthFlag.NO_DATA in health.flags


def test_reconnecting_is_flagged_instead_of_no_data():
    before = live(1.0, bytes_sent=5000)
    after = live(3.0, bytes_sent=5000, reconnecting=True)
    flags = stream_health(before, after).flags
    assert HealthFlag.RECONNECTING in flags and HealthFlag.NO_DATA not in flags


def test_a_restarted_stream_does_not_give_a_negative_bitrate():
    before = live(100.0, bytes_sent=9_000_000, stream_frames=3000)
    after = live(102.0, bytes_sent=40_000, stream_frames=60)  # a new stream: counters reset
    health = stream_health(before, after)
    assert health.bitrate_kbps is None
    assert health.dropped_share == 0.0


def test_not_live_raises_no_stream_flags():
    idle = StreamSample(at=5.0, active=False, congestion=0.9, fps=30.0, target_fps=30.0)
    health = stream_health(None, idle)
    assert not health.live and health.live_seconds == 0.0
    assert health.flags == ()
