"""What a viewer source answers: one `Reading`, a number or a gap with its state; and
`checked`, the edge every reading passes before the desk counts it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from commsdesk.audience.series import Sample
from commsdesk.audience.validation import Rejected, TimeWindow, check_count


class SourceState(StrEnum):
    OK = "ok"
    OFFLINE = "offline"  # the channel is not live (or the stream ended, or the replay did)
    HIDDEN = "hidden"  # the platform does not show the count
    NOT_FOUND = "not_found"  # no such video or channel
    QUOTA_EXCEEDED = "quota_exceeded"
    TOKEN_EXPIRED = "token_expired"  # refused even with a fresh token
    CREDENTIALS_REFUSED = "credentials_refused"  # key or client secret refused
    RATE_LIMITED = "rate_limited"
    MALFORMED = "malformed"  # an answer without the number where it should be
    UNREACHABLE = "unreachable"  # no connection, or the server's own error
    SLOW = "slow"  # no answer within the timeout
    REJECTED = "rejected"  # an answer with a count or time refused at the edge
    FAILED = "failed"  # anything else; the detail says what

    @property
    def is_error(self) -> bool:
        return self not in (SourceState.OK, SourceState.OFFLINE, SourceState.HIDDEN)

    @property
    def words(self) -> str:
        """What a source's chip says in this state."""
        return STATE_WORDS.get(self, self.value)


STATE_WORDS = {
    SourceState.OFFLINE: "offline",
    SourceState.HIDDEN: "count hidden",
    SourceState.NOT_FOUND: "not found",
    SourceState.QUOTA_EXCEEDED: "quota exceeded",
    SourceState.TOKEN_EXPIRED: "token expired",
    SourceState.CREDENTIALS_REFUSED: "key refused",
    SourceState.RATE_LIMITED: "rate limited",
    SourceState.MALFORMED: "malformed answer",
    SourceState.UNREACHABLE: "unreachable",
    SourceState.SLOW: "not answering",
    SourceState.REJECTED: "number refused",
    SourceState.FAILED: "failed",
}


@dataclass(frozen=True)
class Reading:
    source: str  # the source's label
    at: float  # seconds since the epoch (UTC); replay time for a replay
    viewers: float | None
    state: SourceState = SourceState.OK
    detail: str = ""  # one sentence for the person, for anything but OK
    retry_at: float | None = None  # epoch seconds before which the source must not be asked

    def sample(self) -> Sample:
        return Sample(self.at, self.source, self.viewers, "" if self.viewers is not None
                      else str(self.state))


def gap(source: str, state: SourceState, detail: str, *, at: float | None = None,
        retry_at: float | None = None) -> Reading:
    return Reading(source, time.time() if at is None else at, None, state, detail, retry_at)


def checked(reading: Reading, platform: str, window: TimeWindow) -> Reading:
    """The reading if its time is in the window and its count within the platform's bound;
    else a REJECTED gap saying why (stamped now when the time itself was refused)."""
    try:
        at = window.check(reading.at)
    except Rejected as exc:
        return gap(reading.source, SourceState.REJECTED, f"{reading.source} sent {exc}",
                   at=window.now, retry_at=reading.retry_at)
    if reading.viewers is None:
        return reading
    try:
        check_count(reading.viewers, platform)
    except Rejected as exc:
        return gap(reading.source, SourceState.REJECTED, f"{reading.source} sent {exc}", at=at,
                   retry_at=reading.retry_at)
    return reading


class ViewerSource(Protocol):
    label: str
    interval: float  # seconds between fetches (wall clock)

    def fetch(self) -> Reading:
        """Ask once; never raises for what the platform answers (that is a gap reading)."""
        ...

    def close(self) -> None: ...
