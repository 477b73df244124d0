"""A realistic audience: two hours of a simulcast that peaks early and drifts away."""

from __future__ import annotations

import numpy as np
import pytest

from tests.audience.ui.audience_desk import audience_desk, memory_keyring  # noqa: F401

START = 1_795_525_200.0  # an afternoon in November 2026, in epoch seconds


def decline(seconds: int = 2 * 3600, step: float = 1.0):
    """Times and per-platform viewers: 30,000 rising to 40,000 at 10 min, then falling towards
    4,000; Kick has a five-minute gap (NaN)."""
    t = START + np.arange(0, seconds, step)
    minutes = (t - START) / 60
    base = np.where(minutes < 10, 30_000 + 1_000 * minutes, 40_000 * np.exp(-(minutes - 10) / 43))
    base = np.maximum(base, 3_800)
    platforms = {"YouTube": base * 0.6, "Twitch": base * 0.28, "Kick": base * 0.12}
    gap = (minutes >= 50) & (minutes < 55)
    platforms["Kick"] = np.where(gap, np.nan, platforms["Kick"])
    total = np.nansum(np.vstack(list(platforms.values())), axis=0)
    return t, platforms, total


@pytest.fixture
def chart(qtbot):
    from commsdesk.audience.ui.chart import AudienceChart

    widget = AudienceChart()
    qtbot.addWidget(widget)
    widget.resize(900, 420)
    widget.show()
    qtbot.waitExposed(widget)
    return widget
