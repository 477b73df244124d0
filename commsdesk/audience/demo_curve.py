"""The demo incident's audience: a simulcast that opens at 40,000 and is down to 4,000 after
1 h 45 min, then stays flat and low, which is when the advisor should suggest ending.

`demo_audience_rows()` makes the curve (seeded noise, so the same every time);
`demo_audience_csv()` writes it as the replay CSV kept in assets/demo_audience.csv.
"""

from __future__ import annotations

import math
import random

# Share of the audience per platform for the simulcast.
PLATFORM_SHARES = (("youtube", 0.6), ("twitch", 0.3), ("kick", 0.1))
DURATION = 2 * 3600 + 10 * 60  # seconds: long enough for the advice after 1 h 45 min
STEP = 5.0  # seconds between samples
START = 40_000.0
AT_1H45 = 4_000.0
FLOOR = 3_000.0  # where the decline levels off


def demo_total(t: float) -> float:
    """The noiseless total at t seconds from the start: 40,000, then an exponential decline
    towards 3,000 that passes 4,000 at 1 h 45 min."""
    rate = math.log((START - FLOOR) / (AT_1H45 - FLOOR)) / (105 * 60)
    return FLOOR + (START - FLOOR) * math.exp(-rate * t)


def demo_audience_rows(
    seed: int = 5, duration: float = DURATION, step: float = STEP
) -> list[tuple[float, str, int]]:
    """(seconds from the start, platform, viewers), platforms interleaved at each step; 1.5%
    multiplicative noise per platform, plus a short bump when a statement goes out at 0:40."""
    rng = random.Random(seed)
    rows: list[tuple[float, str, int]] = []
    t = 0.0
    while t <= duration:
        total = demo_total(t)
        if 40 * 60 <= t < 46 * 60:  # a statement is posted: people come back for a while
            total *= 1 + 0.12 * math.sin(math.pi * (t - 40 * 60) / (6 * 60))
        for platform, share in PLATFORM_SHARES:
            noisy = total * share * (1 + rng.gauss(0, 0.015))
            rows.append((t, platform, max(0, round(noisy))))
        t += step
    return rows


def demo_audience_csv(seed: int = 5) -> str:
    lines = ["time,viewers,platform"]
    lines += [f"{t:g},{viewers},{platform}" for t, platform, viewers in demo_audience_rows(seed)]
    return "\n".join(lines) + "\n"
