"""What the P-1 chain needs of a phone provider: place a call that speaks a message, read how
it ended, send a text, read the texts that came back. Polled, never called back: the desk sits
behind NAT and needs no inbound webhook. No Qt here; calls block, so they run off the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class CallOutcome(StrEnum):
    PENDING = "pending"  # queued, ringing, or answered while the machine detection listens
    HUMAN = "human"  # a person answered: the chain stops here
    MACHINE = "machine"  # voicemail or an answering machine picked up
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"  # the number could not be called
    CANCELED = "canceled"  # hung up by the desk before it was answered

    @property
    def ended(self) -> bool:
        return self is not CallOutcome.PENDING


@dataclass(frozen=True)
class CallStatus:
    sid: str
    outcome: CallOutcome
    started_at: datetime | None = None  # aware UTC, when the provider says
    ended_at: datetime | None = None
    detail: str = ""  # the provider's own words (status, answered_by), for the record


@dataclass(frozen=True)
class Reply:
    sid: str
    from_number: str  # E.164
    body: str
    at: datetime  # aware UTC


class ProviderError(Exception):
    """`kind`: "auth" (credentials refused), "rate_limited", "server" (the provider's own
    error), "unreachable" (no answer), or "refused" (a request it will not take, such as a bad
    number). `retry_after` in seconds when the provider says."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after


class PhoneProvider(Protocol):
    name: str  # "twilio", "fake": for the record

    def place_call(self, to: str, say: str, ring_seconds: int) -> str:
        """Start a call to `to` (E.164) that rings for `ring_seconds`, detects an answering
        machine, and speaks `say` by text-to-speech to whoever answers; the call's id."""

    def call_status(self, sid: str) -> CallStatus: ...

    def hang_up(self, sid: str) -> None:
        """End a call still queued or ringing (the chain was cancelled)."""

    def send_sms(self, to: str, body: str) -> str:
        """Send a text; its id."""

    def replies(self, since: datetime) -> list[Reply]:
        """Texts received on the desk's number since `since`, oldest first."""
