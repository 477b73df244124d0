"""The incident the desk is working on: what happened, how bad, since when, and its named facts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from commsdesk.clock import as_utc


class Severity(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def description(self) -> str:
        return {
            "P1": "Critical: funds, safety or the whole service at stake",
            "P2": "Major: a core service impaired for many users",
            "P3": "Minor: partial impact, workaround exists",
            "P4": "Low: cosmetic or informational",
        }[self.value]


FACT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class InvalidFact(ValueError):
    pass


def check_fact_name(name: str) -> str:
    """Fact names become template variables (`{{ incident.asset }}`): identifiers only."""
    if not FACT_NAME.match(name):
        raise InvalidFact(
            f"Fact name {name!r} must start with a lower-case letter and use only a-z, 0-9 and _"
        )
    return name


@dataclass(frozen=True)
class Incident:
    id: int
    title: str
    severity: Severity
    started_at: datetime
    summary: str = ""
    facts: dict[str, str] = field(default_factory=dict)
    closed_at: datetime | None = None
    created_by: str = ""

    @property
    def is_active(self) -> bool:
        return self.closed_at is None

    def elapsed_label(self, now: datetime) -> str:
        """'T+3h12m' from the start to now (or to the close, for a closed incident)."""
        end = self.closed_at or now
        return format_elapsed(as_utc(end) - as_utc(self.started_at))

    def header_label(self, now: datetime) -> str:
        return f"{self.severity.value} · {self.elapsed_label(now)}"


def format_elapsed(delta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    if days:
        return f"T+{days}d{hours}h{mins:02d}m"
    if hours:
        return f"T+{hours}h{mins:02d}m"
    return f"T+{mins}m"
