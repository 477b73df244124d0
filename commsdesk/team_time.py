"""One moment as each of the team's time zones reads it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def in_zones(moment: datetime, zones: list[str]) -> str:
    """'24 Nov 13:47 UTC · 21:47 +08 · 08:47 EST'. The date is UTC's; unknown zones are skipped
    (UTC is shown if none is known)."""
    # The zones' own abbreviations (EST, EDT): around a clock change the season is the point.
    return f"{moment.astimezone(UTC):%d %b} " + _clocks(moment, zones, lambda name, local: (
        local.tzname() or name
    ))


def _clocks(moment: datetime, zones: list[str], label) -> str:
    """'HH:MM label' in each known zone, joined; UTC when no zone is known."""
    shown = []
    for name in zones:
        try:
            local = moment.astimezone(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            continue
        shown.append(f"{local:%H:%M} {label(name, local)}")
    return " · ".join(shown) if shown else f"{moment.astimezone(UTC):%H:%M} UTC"


# Season-free names people read on screen; zones not listed use their own abbreviation (EST,
# BST, JST), or the city when the zone has only a number (+04).
ZONE_LABELS = {
    "America/New_York": "ET",
    "America/Toronto": "ET",
    "America/Chicago": "CT",
    "America/Denver": "MT",
    "America/Los_Angeles": "PT",
    "America/Sao_Paulo": "BRT",
    "Asia/Singapore": "SGT",
    "Asia/Kuala_Lumpur": "MYT",
    "Asia/Shanghai": "Beijing",
    "Asia/Taipei": "Taipei",
    "Asia/Manila": "Manila",
    "Asia/Dubai": "GST",
    "Asia/Bangkok": "ICT",
    "Asia/Ho_Chi_Minh": "ICT",
    "Asia/Jakarta": "WIB",
    "Europe/Istanbul": "TRT",
    "Etc/UTC": "UTC",
}


def zone_label(name: str, moment: datetime) -> str:
    """A short label for the zone at that moment: 'SGT', 'ET', 'BST', 'UTC', 'Dubai'."""
    if name in ZONE_LABELS:
        return ZONE_LABELS[name]
    try:
        abbreviation = moment.astimezone(ZoneInfo(name)).tzname() or ""
    except (ZoneInfoNotFoundError, ValueError):
        return name
    if abbreviation[:1] in "+-":
        return name.rsplit("/", 1)[-1].replace("_", " ")
    return abbreviation


def clock_in_zones(moment: datetime, zones: list[str]) -> str:
    """'18:30 UTC · 02:30 SGT · 13:30 ET': the clock only, short labels, unknown zones skipped
    (UTC is shown if none is known)."""
    return _clocks(moment, zones, lambda name, _local: zone_label(name, moment))
