"""One moment as each of the team's time zones reads it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def in_zones(moment: datetime, zones: list[str]) -> str:
    """'24 Nov 13:47 UTC · 21:47 SGT · 08:47 EST'. The date is UTC's; unknown zones are skipped
    (UTC is shown if none is known)."""
    # The zones' own abbreviations (EST, EDT): around a clock change the season is the point;
    # a zone whose abbreviation is only an offset ("+08") by the label the report gives it.
    def label(name: str, local: datetime) -> str:
        own = local.tzname() or name
        return zone_label(name, moment) if own[:1] in "+-" else own

    return f"{moment.astimezone(UTC):%d %b} " + _clocks(moment, zones, label)


def _clocks(moment: datetime, zones: list[str], label) -> str:
    """'HH:MM label' in each known zone, joined; UTC when no zone is known."""
    return " · ".join(_clock_list(moment, zones, label))


def _clock_list(moment: datetime, zones: list[str], label) -> list[str]:
    shown = []
    for name in zones:
        try:
            local = moment.astimezone(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            continue
        shown.append(f"{local:%H:%M} {label(name, local)}")
    return shown or [f"{moment.astimezone(UTC):%H:%M} UTC"]


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


# Names that are UTC itself: a team that lists only these has no zone of its own to show.
UTC_NAMES = frozenset({
    "UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu",
    "GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "GMT+0", "Etc/GMT+0", "GMT-0", "Etc/GMT-0",
    "Greenwich", "Etc/Greenwich",
})  # fmt: skip


def zones_besides_utc(zones: list[str] | tuple[str, ...]) -> list[str]:
    """The known zones of `zones` other than UTC, in their order, each once."""
    kept: list[str] = []
    for name in zones:
        if name in UTC_NAMES or name in kept:
            continue
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        kept.append(name)
    return kept


def clock_beside_utc(moment: datetime, zones: list[str] | tuple[str, ...]) -> str:
    """'14:05 UTC · 09:05 ET · 01:05 SGT (25 Nov)': UTC first, then each of the team's other
    zones, with the day where it is not UTC's; 'HH:MM UTC' alone when there is no other."""
    return " · ".join(clocks_beside_utc(moment, zones))


def clocks_beside_utc(moment: datetime, zones: list[str] | tuple[str, ...]) -> list[str]:
    """The clocks of clock_beside_utc, one by one (to lay out without breaking one)."""
    day = moment.astimezone(UTC).date()

    def label(name: str, local: datetime) -> str:
        shown = zone_label(name, moment)
        return shown if local.date() == day else f"{shown} ({local:%d %b})"

    return _clock_list(moment, ["UTC", *zones_besides_utc(zones)], label)
