"""A time of day as a person types it for a schedule: "18:30", "6:30", "18.30" or "1830".

Pure Python (no Qt), so the rule is tested on its own. Nothing is guessed: "25:99" is refused
with the reason, never wrapped round to another time; four digits are read as HHMM ("0335" is
03:35), the one reading they have; three digits or an hour alone are refused, asking for the
form that says it plainly.
"""

from __future__ import annotations

import re
from datetime import time

from commsdesk.scheduling.policy import ScheduleRefused

_WITH_SEPARATOR = re.compile(r"^(\d{1,2})[:.h](\d{2})$", re.IGNORECASE)
_FOUR_DIGITS = re.compile(r"^(\d{2})(\d{2})$")
FORMS = "on the 24-hour clock, as 18:30 or 1830"


def parse_clock(text: str) -> time:
    """The time typed; raises ScheduleRefused saying what is wrong and how to type it."""
    typed = "".join(text.split())
    if not typed:
        raise ScheduleRefused(f"Type the time {FORMS}.")
    found = _WITH_SEPARATOR.match(typed) or _FOUR_DIGITS.match(typed)
    if found is None:
        if typed.isdigit() and len(typed) <= 3:
            raise ScheduleRefused(
                f"“{text.strip()}” could be read more than one way: type the hours and minutes "
                f"{FORMS}."
            )
        raise ScheduleRefused(f"“{text.strip()}” is not a time: type it {FORMS}.")
    hour, minute = int(found[1]), int(found[2])
    if hour > 23 or minute > 59:
        raise ScheduleRefused(
            f"“{text.strip()}” is not a time of day: hours run from 00 to 23 and minutes from "
            "00 to 59."
        )
    return time(hour, minute)
