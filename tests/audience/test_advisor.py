"""The end-stream advisor on synthetic curves: when it speaks, what it says, and when it keeps
quiet. Curves are sampled every 5 s with seeded noise; times are seconds from the start."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np
import pytest

from commsdesk.audience.advisor import Advice, Advisor, AdvisorSettings
from commsdesk.audience.demo_curve import demo_total

STEP = 5.0
MIN = 60.0
SENTENCE = re.compile(
    r"^(?P<now>[\d,]+) watching = (?P<share>\d+)% of the (?P<peak>[\d,]+) peak at "
    r"(?P<when>\d\d:\d\d); under 10% for (?P<minutes>\d+) min; "
    r"(?P<trend>falling [\d,]+ per minute|holding steady)$"
)


def run(
    curve: Callable[[float], float | None],
    minutes: float,
    *,
    noise: float = 0.015,
    seed: int = 1,
    settings: AdvisorSettings | None = None,
) -> list[Advice]:
    times = np.arange(0, minutes * MIN + STEP / 2, STEP)
    wobble = np.random.default_rng(seed).normal(0, noise, len(times))  # the same at each t
    advisor = Advisor(settings)
    advice: list[Advice] = []
    for t, w in zip(times.tolist(), wobble.tolist(), strict=True):
        value = curve(t)
        if value is not None:
            value = max(0.0, value * (1 + w))
        advice += advisor.observe(t, value)
    return advice


def kinds(advice: list[Advice]) -> list[str]:
    return [str(a.kind) for a in advice]


def linear(a: float, b: float, t0: float, t1: float) -> Callable[[float], float]:
    return lambda t: a + (b - a) * min(max((t - t0) / (t1 - t0), 0.0), 1.0)


def test_the_case_40000_down_to_4000_after_1h45_is_advised_once_with_its_reason():
    advice = run(demo_total, 130)
    assert kinds(advice) == ["suggest_end"]
    end = advice[0]
    # Under 10% of ~40,000 from about 1 h 50, for 10 minutes: advice at 2 h or a little after.
    assert 115 * MIN <= end.at <= 125 * MIN
    match = SENTENCE.match(end.message)
    assert match, end.message
    assert int(match["share"]) <= 10 and int(match["minutes"]) >= 10
    assert 39_000 <= int(match["peak"].replace(",", "")) <= 41_500
    assert match["when"] == "00:00"  # the peak was at the start (epoch 0 in UTC)
    assert match["trend"].startswith("falling")
    assert end.slope_per_min < 0
    assert end.viewers == pytest.approx(int(match["now"].replace(",", "")), abs=1)


def test_a_spike_that_settles_at_60_percent_of_its_peak_is_not_advised():
    def spike(t: float) -> float:
        if t < 20 * MIN:
            return 10_000
        if t < 25 * MIN:
            return 50_000
        return 30_000

    assert run(spike, 180) == []


def test_a_brief_dip_below_the_threshold_that_recovers_within_3_minutes_is_not_advised():
    def dip(t: float) -> float:
        if t < 60 * MIN:
            return linear(40_000, 5_000, 0, 60 * MIN)(t)
        if t < 64 * MIN:  # a slide into the dip, about 3 min below 4,000, then back
            return linear(5_000, 3_000, 60 * MIN, 61 * MIN)(t)
        return linear(3_000, 9_000, 64 * MIN, 66 * MIN)(t)

    assert kinds(run(dip, 120)) == []


def test_a_slow_noisy_decline_to_8_percent_is_advised():
    decline = linear(40_000, 3_200, 0, 170 * MIN)
    advice = run(decline, 200, noise=0.04, seed=8)
    assert kinds(advice) == ["suggest_end"]
    assert SENTENCE.match(advice[0].message), advice[0].message


def halving_every(minutes: float, floor: float) -> Callable[[float], float]:
    return lambda t: max(40_000 * 0.5 ** (t / (minutes * MIN)), floor)


def test_a_low_audience_that_is_clearly_recovering_is_not_advised_but_a_flat_one_is():
    # Down to 1,250 by 25 min (halving every 5 min: never sudden), then either climbing back
    # 60 a minute, still under 10% of the peak until past 65 min, or staying flat. Advice may
    # come from 45 min on (the minimum runtime here), when the last 15 min are all recovery.
    settings = AdvisorSettings(min_runtime=45 * MIN)
    fall = halving_every(5, 1_250)

    def recovering(t: float) -> float:
        return fall(t) if t < 25 * MIN else 1_250 + 60 * (t - 25 * MIN) / MIN

    assert kinds(run(recovering, 64, settings=settings)) == []
    advice = run(fall, 64, settings=settings)
    assert kinds(advice) == ["suggest_end"]
    assert 45 * MIN <= advice[0].at <= 48 * MIN
    assert advice[0].message.endswith("holding steady")


def test_nothing_is_advised_before_the_minimum_runtime():
    early_drop = halving_every(4, 1_000)  # under 10% after 13 min

    advice = run(early_drop, 60)
    assert kinds(advice) == ["suggest_end"]
    assert advice[0].at >= 30 * MIN
    longer = AdvisorSettings(min_runtime=45 * MIN)
    assert run(early_drop, 60, settings=longer)[0].at >= 45 * MIN


def gapped(curve: Callable[[float], float], start: float, end: float):
    return lambda t: None if start <= t < end else curve(t)


LOW = linear(40_000, 2_000, 0, 60 * MIN)  # under 4,000 from about 57 min on


def test_a_short_gap_pauses_the_below_threshold_clock():
    plain = run(LOW, 120)[0].at
    assert 65 * MIN < plain < 70 * MIN
    paused = run(gapped(LOW, 62 * MIN, 66 * MIN), 120)
    assert kinds(paused) == ["suggest_end"]
    # The 4 minutes without a number are not counted as low: the advice comes 4 min later
    # (give or take the trend test on noise, which may hold it a little).
    assert paused[0].at - plain == pytest.approx(4 * MIN, abs=1 * MIN)


def test_a_long_gap_breaks_the_clock_and_gaps_never_count_as_low():
    advice = run(gapped(LOW, 64 * MIN, 80 * MIN), 120)
    assert kinds(advice) == ["suggest_end"]
    assert 90 * MIN <= advice[0].at <= 94 * MIN  # 10 min after the gap (and the trend test)

    def then_nothing(t: float) -> float | None:
        return LOW(t) if t < 50 * MIN else None  # above the threshold, then only gaps

    assert run(then_nothing, 180) == []


def test_a_sudden_drop_points_at_stream_health_once():
    def crash(t: float) -> float:
        if t < 50 * MIN:
            return 40_000
        return linear(40_000, 15_000, 50 * MIN, 50.5 * MIN)(t)

    advice = run(crash, 70)
    assert kinds(advice) == ["sudden_drop"]
    drop = advice[0]
    assert 50 * MIN <= drop.at <= 51 * MIN
    assert "likely a stream problem" in drop.message and "stream health" in drop.message
    assert re.match(r"^Sudden drop: [\d,]+ → [\d,]+ watching within \d+ (s|min) \(−\d+%\)",
                    drop.message), drop.message


def test_gradual_halving_over_ten_minutes_is_not_a_sudden_drop():
    halving = linear(40_000, 20_000, 30 * MIN, 40 * MIN)
    assert run(halving, 60) == []


def test_advice_is_withdrawn_on_recovery_and_re_arms():
    def comeback(t: float) -> float:
        if t < 80 * MIN:
            return LOW(t)
        if t < 100 * MIN:
            return linear(2_000, 12_000, 80 * MIN, 83 * MIN)(t)  # 30% of the peak
        return linear(12_000, 2_000, 100 * MIN, 115 * MIN)(t)

    advice = run(comeback, 140)
    assert kinds(advice) == ["suggest_end", "withdrawn", "suggest_end"]
    first, withdrawn, again = advice
    assert 80 * MIN < withdrawn.at < 84 * MIN
    assert withdrawn.message.startswith("Advice withdrawn: ")
    assert "back above 10%" in withdrawn.message
    assert first.at < 80 * MIN
    # Under 4,000 again from about 112 min: a fresh 10 min below, not the old clock.
    assert again.at >= 120 * MIN


def test_status_reports_share_of_peak_and_settings_are_checked():
    advisor = Advisor()
    advisor.observe(0, 10_000)
    advisor.observe(5, 10_000)
    advisor.observe(10, math.nan)
    status = advisor.status()
    assert status.peak == 10_000 and status.share_of_peak == pytest.approx(1.0)
    assert advisor.threshold == pytest.approx(1_000)
    with pytest.raises(ValueError):
        AdvisorSettings(share=1.5)


# --- partial totals and values that are not counts ----------------------------------------------


def test_advice_on_a_partial_total_says_so_and_a_platform_going_quiet_is_no_sudden_drop():
    from commsdesk.audience.live_total import LiveTotal

    settings = AdvisorSettings(below_for=5 * MIN, min_runtime=10 * MIN)
    advisor, total = Advisor(settings), LiveTotal()
    advice: list[Advice] = []
    for step in range(int(60 * MIN / STEP)):
        t = step * STEP
        youtube = None if t >= 20 * MIN else 9_000  # quota exceeded at 20 min, for good
        for name, viewers in (("YouTube", youtube), ("Kick", 400)):
            point = total.add(name, t, viewers)
            advice += advisor.observe(point.at, point.viewers, point.coverage)
    assert point.note() == "1 of 2 reading; no number from YouTube"
    # From 9,400 to 400 when YouTube stops reading: the count went, not the audience.
    assert kinds(advice) == ["suggest_end"]
    assert advice[0].partial == "1 of 2 platforms reading"
    assert advice[0].message.endswith("(partial total: 1 of 2 platforms reading)")


@pytest.mark.parametrize(
    "garbage",
    [math.nan, math.inf, -math.inf, -5, "2,410", True, None, 10**400, [1], np.float64("nan")],
)
def test_anything_but_a_count_is_a_gap_and_breaks_nothing(garbage):
    advisor = Advisor(AdvisorSettings(below_for=60, min_runtime=60))
    for t in range(0, 600, 10):
        assert advisor.observe(float(t), 1_000.0) == []
        assert advisor.observe(t + 5.0, garbage) == []
    for at in (math.nan, math.inf, "soon", 10**400):
        assert advisor.observe(at, 1_000.0) == []
    status = advisor.status()
    assert status.peak == 1_000 and status.smoothed == pytest.approx(1_000)
    assert advisor.threshold == pytest.approx(100.0)


def test_the_steady_peak_of_a_whole_series_is_the_advisor_s_own():
    import random

    from commsdesk.audience.advisor import steady_peak

    chance = random.Random(7)
    for _ in range(200):
        values = [math.nan if chance.random() < 0.1 else float(chance.randint(0, 50_000))
                  for _ in range(chance.randint(0, 40))]  # fmt: skip
        advisor = Advisor(AdvisorSettings())
        for n, value in enumerate(values):
            advisor.observe(float(n), value)
        assert steady_peak(values) == advisor.status().peak, values
    assert steady_peak([100.0, 200.0, 40_300.0, 100.0, 39_000.0, 39_557.0, 38_000.0]) == 39_000.0
