"""Audience numbers as a person reads them, on the chart, the chips and the wall view.

Counts with thousands separators up to ten million, then short ("12.4 M", "1.3 B"), so no
figure outgrows its place; durations as h:mm:ss, in days past 100 hours. A number the desk does
not have (None, NaN, infinity) is an em dash, never a zero.

Pure Python; no Qt.
"""

from __future__ import annotations

import math

DASH = "—"
SHORT_FROM = 10_000_000  # counts from here on are shown short


def _finite(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def viewers_text(value: object) -> str:
    """40150 -> "40,150"; 12_400_000 -> "12.4 M"; None or NaN -> "—"."""
    number = _finite(value)
    if number is None:
        return DASH
    sign, number = ("−", -number) if number < 0 else ("", number)
    if number < SHORT_FROM:
        return f"{sign}{round(number):,}"
    for size, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if number >= size:
            short = number / size
            if short >= 1000:
                return f"{sign}over 999 {unit}"
            return f"{sign}{short:.3g} {unit}"
    return f"{sign}{round(number):,}"  # pragma: no cover - SHORT_FROM is at least 1e6


def duration_text(seconds: object) -> str:
    """6312 -> "1:45:12"; 400,000 -> "4 d 15 h"; negative, None or NaN -> "—"."""
    number = _finite(seconds)
    if number is None or number < 0:
        return DASH
    whole = int(number)
    if whole >= 100 * 3600:
        days, rest = divmod(whole, 86_400)
        return f"{days:,} d {rest // 3600} h"
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
