"""Viewer counts and times checked where they come in, so one absurd value reaches nothing.

Every way a number enters the desk (a CSV replayed, a number typed in the panel, the command
line's `audience add-count`, the platforms' APIs) passes these checks before it can touch a
series, the total, the peak or the advisor:

- a count is a whole number from 0 to its platform's bound (`PLATFORM_BOUNDS`, else
  `ANY_PLATFORM_MAX_VIEWERS`): bools, text, NaN, infinities, fractions, negatives and numbers no
  stream has ever had are refused;
- a time lies in its window: not before the incident (or the replayed recording) began, not
  later than this desk's clock plus `CLOCK_SKEW`.

A refusal is a `Rejected` (a ValueError) whose text is the sentence to show the person who typed
the value, or to note on the chip and in the log for a source that sent it.

Pure Python; no Qt.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from numbers import Integral, Real

# Plausible bounds on one stream's concurrent viewers, per platform: well above the largest
# audience each platform has had at the time of writing, so a real record is never refused, and
# far below the glitches (a counter overflow, a field holding an id or a timestamp) they catch.
YOUTUBE_MAX_VIEWERS = 20_000_000  # YouTube's busiest live streams have peaked under 10 M
TWITCH_MAX_VIEWERS = 10_000_000  # Twitch's busiest streams have peaked under 4 M
KICK_MAX_VIEWERS = 5_000_000  # Kick's busiest streams have peaked under 1 M
X_MAX_VIEWERS = 20_000_000  # X (Twitter) live broadcasts: like YouTube
# Any other source (a JSON URL, a replay without a platform): above the largest concurrent
# audience any stream has had (tens of millions, for a cricket final).
ANY_PLATFORM_MAX_VIEWERS = 100_000_000
PLATFORM_BOUNDS = {
    "youtube": YOUTUBE_MAX_VIEWERS,
    "twitch": TWITCH_MAX_VIEWERS,
    "kick": KICK_MAX_VIEWERS,
    "x": X_MAX_VIEWERS,
}
PLATFORM_NAMES = {"youtube": "YouTube", "twitch": "Twitch", "kick": "Kick", "x": "X"}

CLOCK_SKEW = 60.0  # seconds a time may run ahead of this desk's clock (another machine's clock)
EARLIEST_TIME = 1_104_537_600.0  # 2005-01-01 UTC: no viewer count on record is older
MAX_RECORDING = 7 * 86_400.0  # seconds one recorded curve may span

_TYPED = re.compile(r"[0-9]+")  # a count as typed, once its separators are gone
_SEPARATORS = str.maketrans("", "", ",_ \u00a0\u202f'")  # 2,410  2 410  2_410  2'410


class Rejected(ValueError):
    """A value refused at the edge; the text says what was wrong, for a person."""


def shown(value: object, limit: int = 24) -> str:
    """A value as it can be quoted in a sentence: short, whatever it is."""
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, Integral):
        value = int(value)
        digits = len(str(abs(value))) if abs(value) < 10**60 else 0
        if not 0 < digits <= 15:
            sign = "minus " if value < 0 else ""
            return f"{sign}a {digits}-digit number" if digits else f"{sign}an enormous number"
        return f"{value:,}"
    if isinstance(value, Real):
        number = float(value)
        if math.isfinite(number) and number == int(number) and abs(number) < 1e15:
            return f"{int(number):,}"
        return f"{number:g}"
    text = repr(value) if isinstance(value, str) else type(value).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _viewers(value: object) -> str:
    """"2,410 viewers", "a 20-digit number of viewers"."""
    text = shown(value)
    return f"{text} of viewers" if text.endswith("number") else f"{text} viewers"


def platform_key(*names: object) -> str:
    """The platform a source counts for ("youtube", "twitch", "kick", "x") from its kind, its
    platform setting or its label ("Kick (typed)" is Kick); "" when none says."""
    for name in names:
        words = re.findall(r"[a-z0-9]+", str(name or "").lower())
        if words and words[0] in PLATFORM_BOUNDS:
            return words[0]
    return ""


def viewer_bound(platform: str = "") -> int:
    return PLATFORM_BOUNDS.get(platform, ANY_PLATFORM_MAX_VIEWERS)


def check_count(value: object, platform: str = "") -> int:
    """The count as an int, or Rejected: a whole number from 0 to the platform's bound. Whole
    floats (2410.0) pass; bools, text, NaN, infinities, fractions and negatives do not."""
    bound = viewer_bound(platform)
    where = PLATFORM_NAMES.get(platform, "one stream")
    if isinstance(value, bool) or not isinstance(value, Real):
        raise Rejected(f"{shown(value)} is not a viewer count: a count is a whole number")
    if isinstance(value, Integral):
        count = int(value)
    else:
        number = float(value)
        if not math.isfinite(number):
            raise Rejected(f"{shown(value)} is not a viewer count: a count is a whole number")
        if number != int(number):
            raise Rejected(f"{shown(value)} is not a whole number of viewers")
        count = int(number)
    if count < 0:
        raise Rejected(f"{_viewers(value)} is below zero: a count is 0 or more")
    if count > bound:
        raise Rejected(
            f"{_viewers(value)} is more than {where} plausibly has (at most {bound:,}); "
            "check the number"
        )
    return count


def parse_count(text: object, platform: str = "") -> int:
    """A count as a person types it ("2410", "2,410", "2 410"), checked by `check_count`; text
    that reads as another number ("2410.5", "-5", "1e30") is refused for what it is."""
    if not isinstance(text, str):
        return check_count(text, platform)
    cleaned = text.strip().translate(_SEPARATORS)
    if _TYPED.fullmatch(cleaned):
        return check_count(int(cleaned), platform)
    try:
        number = float(cleaned)
    except ValueError:
        shown_text = shown(text.strip()) if text.strip() else "Nothing"
        raise Rejected(
            f"{shown_text} is not a viewer count: type a whole number, such as 2,410"
        ) from None
    return check_count(number, platform)


@dataclass(frozen=True)
class TimeWindow:
    """When a reading may be stamped: from `earliest` (the incident's or the recording's
    start) to `now` plus `skew`; seconds since the Unix epoch."""

    earliest: float
    now: float
    skew: float = CLOCK_SKEW

    def check(self, at: object) -> float:
        """The time as a float, or Rejected saying which way it is out."""
        try:
            moment = float(at) if isinstance(at, Real) and not isinstance(at, bool) else math.nan
        except OverflowError:  # an int beyond any float: centuries away either way
            moment = math.inf if at > 0 else -math.inf  # type: ignore[operator]
        if math.isnan(moment):
            raise Rejected(f"time {shown(at)} is not a moment")
        if moment > self.now + self.skew:
            ahead = moment - self.now
            raise Rejected(f"time {shown(at)} is {_span(ahead)} in the future")
        if moment < self.earliest - self.skew:
            raise Rejected(f"time {shown(at)} is {_span(self.earliest - moment)} before the start")
        return moment


def _span(seconds: float) -> str:
    if seconds >= 2 * 86_400 * 365:
        return "years"
    if seconds >= 2 * 86_400:
        return f"{seconds / 86_400:,.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} h"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"
