"""A phone provider in memory, with no network: the desk's drill when no test account is set, and
fast tests. Calls follow per-number scripts in Twilio's words (status, answered_by), read
against an injectable clock, and are judged by the same rule as on Twilio (`call_outcome`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from uuid import uuid4

from commsdesk.clock import utc_now
from commsdesk.p1.provider import CallStatus, ProviderError, Reply
from commsdesk.p1.twilio_provider import call_outcome

Step = tuple[float, str, "str | None"]  # (seconds after placing, Twilio status, answered_by)

ENDED = {"completed", "busy", "no-answer", "failed", "canceled"}
RING_START = 0.5  # seconds from queued to ringing
ANY = "*"  # scripts the calls to every number without a script of its own


@dataclass
class FakeCall:
    sid: str
    to: str
    say: str
    ring_seconds: int
    placed_at: datetime
    steps: list[Step]


@dataclass(frozen=True)
class FakeText:
    sid: str
    to: str
    body: str
    at: datetime


class FakeProvider:
    """`PhoneProvider` in memory; `calls_placed`, `messages_sent` and `hung_up` for inspection.
    A number with no script (and no script for `ANY`) rings for the call's ring seconds, then
    no-answer."""

    name = "fake"

    def __init__(
        self, *, clock: Callable[[], datetime] = utc_now, from_number: str = "+15005550006"
    ) -> None:
        self.clock = clock  # aware UTC
        self.from_number = from_number
        self.calls_placed: list[FakeCall] = []
        self.messages_sent: list[FakeText] = []
        self.hung_up: list[str] = []
        self._scripts: dict[str, list[Step]] = {}
        self._inbox: list[Reply] = []
        self._failures: list[tuple[str, float | None]] = []
        self._ids = count(1)
        # Sids are unique across stand-ins: a second drill on the same database (or another
        # desk's stand-in) must never give a call or text the sid of one already on the record.
        self._token = uuid4().hex[:8]

    @classmethod
    def for_drills(
        cls, *, clock: Callable[[], datetime] = utc_now, answer_after: float = 4.0
    ) -> FakeProvider:
        """Every number answered by a person after a short ring, who hears the message out."""
        fake = cls(clock=clock)
        fake.answer(ANY, "human", after=answer_after, talk=20.0)
        return fake

    # -- scripting ------------------------------------------------------------------------------

    def script(
        self, number: str, steps: Sequence[str | Step], *, step_seconds: float = 1.0
    ) -> None:
        """Calls to `number` go queued, then through `steps`: statuses `step_seconds` apart, or
        (seconds after placing, status, answered_by)."""
        built: list[Step] = [(0.0, "queued", None)]
        for i, step in enumerate(steps, 1):
            built.append((i * step_seconds, step, None) if isinstance(step, str) else tuple(step))
        self._scripts[number] = sorted(built, key=lambda step: step[0])

    def answer(
        self, number: str, answered_by: str = "human", after: float = 4.0, *,
        detect: float = 0.0, talk: float | None = None,
    ) -> None:
        """Answered after `after` s; machine detection's verdict `detect` s later; the call
        completes `talk` s after that (None: stays in progress)."""
        steps: list[Step] = [(RING_START, "ringing", None)]
        steps.append((after, "in-progress", None if detect else answered_by))
        if detect:
            steps.append((after + detect, "in-progress", answered_by))
        if talk is not None:
            steps.append((after + detect + talk, "completed", answered_by))
        self.script(number, steps)

    def busy(self, number: str, after: float = 1.0) -> None:
        self.script(number, [(after, "busy", None)])

    def no_answer(self, number: str, after: float = 10.0) -> None:
        self.script(number, [(RING_START, "ringing", None), (after, "no-answer", None)])

    def fail(self, number: str, after: float = 0.0) -> None:
        self.script(number, [(after, "failed", None)])

    def fail_next(self, kind: str, times: int = 1, retry_after: float | None = None) -> None:
        """The next `times` requests of any kind raise ProviderError(`kind`)."""
        self._failures.extend([(kind, retry_after)] * times)

    def receive_sms(self, from_number: str, body: str, *, at: datetime | None = None) -> str:
        """A text to the desk's number, received at `at` (the clock's now)."""
        reply = Reply(self._sid("sms"), from_number, body, at or self.clock())
        self._inbox.append(reply)
        return reply.sid

    # -- PhoneProvider --------------------------------------------------------------------------

    def place_call(self, to: str, say: str, ring_seconds: int) -> str:
        self._maybe_fail()
        ringing: list[Step] = [(0.0, "queued", None), (RING_START, "ringing", None)]
        steps = self._scripts.get(to) or self._scripts.get(ANY) or ringing
        outcome = next((step for step in steps if step[1] not in ("queued", "ringing")), None)
        if outcome is None or outcome[0] > ring_seconds:  # ringing stops at ring_seconds
            steps = [s for s in steps if s[0] < ring_seconds] + [(ring_seconds, "no-answer", None)]
        call = FakeCall(self._sid("call"), to, say, ring_seconds, self.clock(), list(steps))
        self.calls_placed.append(call)
        return call.sid

    def call_status(self, sid: str) -> CallStatus:
        self._maybe_fail()
        call = self._call(sid)
        reached = self._reached(call)
        _, status, answered_by = reached[-1]
        ringing = next((s for s in reached if s[1] != "queued"), None)
        ended = next((s for s in reached if s[1] in ENDED), None)
        return CallStatus(
            sid=sid,
            outcome=call_outcome(status, answered_by),
            started_at=call.placed_at + timedelta(seconds=ringing[0]) if ringing else None,
            ended_at=call.placed_at + timedelta(seconds=ended[0]) if ended else None,
            detail=f"{status}, answered_by={answered_by or 'none'}",
        )

    def hang_up(self, sid: str) -> None:
        """Cancel a queued or ringing call, end one answered, leave one ended as it is."""
        self._maybe_fail()
        call = self._call(sid)
        reached = self._reached(call)
        _, status, answered_by = reached[-1]
        if status in ENDED:
            return
        now = (self.clock() - call.placed_at).total_seconds()
        new = "completed" if status == "in-progress" else "canceled"
        call.steps = reached + [(now, new, answered_by)]
        self.hung_up.append(sid)

    def send_sms(self, to: str, body: str) -> str:
        self._maybe_fail()
        text = FakeText(self._sid("sms"), to, body, self.clock())
        self.messages_sent.append(text)
        return text.sid

    def replies(self, since: datetime) -> list[Reply]:
        self._maybe_fail()
        return sorted((r for r in self._inbox if r.at >= since), key=lambda reply: reply.at)

    # -- inside ---------------------------------------------------------------------------------

    def _sid(self, kind: str) -> str:
        return f"fake-{kind}-{self._token}-{next(self._ids)}"

    def knows(self, sid: str | None) -> bool:
        """In memory, a provider knows only the calls it placed itself: another desk's stand-in
        placed the others, and only that desk can follow them."""
        return any(call.sid == sid for call in self.calls_placed)

    def _call(self, sid: str) -> FakeCall:
        call = next((call for call in self.calls_placed if call.sid == sid), None)
        if call is None:
            raise ProviderError("refused", f"no call {sid}")
        return call

    def _reached(self, call: FakeCall) -> list[Step]:
        elapsed = (self.clock() - call.placed_at).total_seconds()
        return [step for step in call.steps if step[0] <= elapsed]

    def _maybe_fail(self) -> None:
        if self._failures:
            kind, retry_after = self._failures.pop(0)
            raise ProviderError(kind, f"drill failure: {kind}", retry_after)
