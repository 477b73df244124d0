"""What the producer puts on air, in words: the line the panel shows, the alt text a post gets
when it carries the slide on air, and the zone slide times are typed in.

Pure except `local_zone_name`, which reads this computer's zone once (TZ, then /etc/localtime).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from commsdesk.clock import as_utc
from commsdesk.slides.slide_kinds import (
    BackAt,
    LowerThird,
    Slide,
    Standby,
    StatementSlide,
    countdown_text,
)
from commsdesk.team_time import clock_in_zones

KIND_NAMES = {
    "back_at": "Back at",
    "standby": "Standby",
    "statement": "Statement",
    "lower_third": "Lower third",
}
ALT_LIMIT = 1000  # X accepts up to 1,000 characters of alt text


def local_zone_name() -> str:
    """This computer's IANA zone ("Europe/Berlin"), or "UTC" when it cannot be told."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz == "UTC" or "/" in tz:
        return tz
    try:
        target = Path("/etc/localtime").resolve()
    except OSError:
        return "UTC"
    parts = target.parts
    if "zoneinfo" in parts:
        name = "/".join(parts[parts.index("zoneinfo") + 1 :])
        plain_utc = ("Etc/UTC", "UCT", "Etc/UCT", "Universal", "Zulu", "")
        return "UTC" if name in plain_utc else name
    return "UTC"


def producer_zone(setting: str) -> str:
    """The zone slide times are typed in: the producer_zone setting, else this computer's."""
    return setting.strip() or local_zone_name()


def headline(slide: Slide) -> str:
    """A few words for the on-air line and the timeline: "Back at 18:30 UTC · 02:30 SGT"."""
    if isinstance(slide, BackAt):
        return f"Back at {clock_in_zones(as_utc(slide.at), list(slide.zones) or ['UTC'])}"
    if isinstance(slide, Standby):
        return f"Standby: {slide.headline}"
    if isinstance(slide, StatementSlide):
        first = slide.paragraphs[0] if slide.paragraphs else ""
        return f"Statement: {_clip(first, 60)}"
    if isinstance(slide, LowerThird):
        return f"Lower third: {slide.name}" + (f", {slide.title}" if slide.title else "")
    return "Slide"


def on_air_line(slide: Slide, now: datetime) -> str:
    """'ON AIR: Back at 18:30 UTC · 02:30 SGT · back in 12:04'."""
    line = f"ON AIR: {headline(slide)}"
    if isinstance(slide, BackAt):
        line += f" · {countdown_text(slide.at, now)}"
    return line


def alt_text(slide: Slide) -> str:
    """What a screen reader says for the slide's picture."""
    if isinstance(slide, BackAt):
        zones = clock_in_zones(as_utc(slide.at), list(slide.zones) or ["UTC"])
        text = f"Slide: {slide.headline.rstrip(':')} {zones}"
        if slide.message:
            text += f". {slide.message}"
    elif isinstance(slide, Standby):
        text = f"Slide: {slide.headline}. {slide.message}".rstrip(". ")
    elif isinstance(slide, StatementSlide):
        text = f"Slide: {slide.headline}: " + " ".join(slide.paragraphs)
        if slide.author:
            text += f" — {slide.author}"
    elif isinstance(slide, LowerThird):
        text = f"Slide: {slide.name}" + (f", {slide.title}" if slide.title else "")
    else:
        text = "Slide"
    if getattr(slide, "brand", ""):
        text += f" ({slide.brand})"
    return _clip(text, ALT_LIMIT)


def live_span(seconds: float) -> str:
    """'45 s', '12 min', '1 h 45 min', '2 h' (rounded down: how long it has run)."""
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole} s"
    hours, minutes = divmod(whole // 60, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def live_clock(seconds: float) -> str:
    """'1:45:12', '0:04:09'."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
