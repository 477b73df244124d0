"""One moment as each of the team's time zones reads it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def in_zones(moment: datetime, zones: list[str]) -> str:
    """'24 Nov 13:47 UTC · 21:47 +08 · 08:47 EST'. The date is UTC's; unknown zones are skipped
    (UTC is shown if none is known)."""
    shown = []
    for name in zones:
        try:
            local = moment.astimezone(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            continue
        shown.append(f"{local:%H:%M} {local.tzname()}")
    utc = moment.astimezone(UTC)
    return f"{utc:%d %b} " + (" · ".join(shown) if shown else f"{utc:%H:%M} UTC")
