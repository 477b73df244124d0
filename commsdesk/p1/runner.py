"""Moves a pressed P-1 chain on: one call at a time, in order, until a person answers or every
round is done; then texts everyone in the chain and reads their replies.

`ChainRunner.step()` does what is due now and returns; it blocks on the provider, so it runs
off the UI thread (a lane in the window, a loop on the command line). Any number of runners may
step the same chain, on one desk or on every desk of a team: each call's row is written before
the provider is asked and the texts are claimed in the run's row (commsdesk.p1.service), so a
person is called once per round and texted once. A runner killed mid-chain leaves nothing that
the next step of any runner does not carry on from.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from commsdesk.clock import utc_now
from commsdesk.desk import DeskError
from commsdesk.p1.chain import next_call, spoken, text_message
from commsdesk.p1.provider import CallOutcome, CallStatus, PhoneProvider, ProviderError
from commsdesk.p1.service import CallChain, CallView, RunView

log = logging.getLogger(__name__)

STEP_EVERY = 1.0  # seconds between steps while a chain runs
# A call row with no provider id this long after it was written: the desk that wrote it stopped
# before the provider confirmed the call. It counts as failed and the chain goes on.
UNCONFIRMED_AFTER = timedelta(seconds=30)
# A call still not ended this long past its ring time is hung up and counts as unanswered.
CALL_AT_MOST = timedelta(seconds=150)
REPLIES_FOR = timedelta(hours=1)  # replies to the texts are read for this long
REPLIES_EVERY = 10.0  # seconds between reads of the replies


class NoProvider(DeskError):
    """No phone provider is set up and this is no drill."""


def choose_provider(*, drill: bool, environ=os.environ) -> PhoneProvider:
    """Twilio when an account is set (keyring or COMMSDESK_TWILIO_*); a drill without one uses
    the stand-in provider, whose calls are answered after a short ring. Refused otherwise."""
    from commsdesk.p1.twilio_provider import from_environment

    provider = from_environment(_with_keyring(environ))
    if provider is not None:
        return provider
    if drill:
        from commsdesk.p1.fake_provider import FakeProvider

        return FakeProvider.for_drills()
    raise NoProvider(
        "No phone provider is set up, so no one can be called: put the Twilio account in the "
        "keyring (Desk → P-1 call chain…) or set COMMSDESK_TWILIO_ACCOUNT_SID, "
        "COMMSDESK_TWILIO_AUTH_TOKEN and COMMSDESK_TWILIO_FROM. A drill (--drill) needs none."
    )


def _with_keyring(environ) -> dict[str, str]:
    from commsdesk.keyring_secrets import load_twilio

    env = dict(environ)
    for name, value in load_twilio().items():
        env.setdefault(name, value)
    return env


class ChainRunner:
    def __init__(
        self,
        chain: CallChain,
        provider: PhoneProvider,
        *,
        clock: Callable[[], datetime] = utc_now,
        on_change: Callable[[RunView], None] | None = None,
    ) -> None:
        self.chain = chain
        self.provider = provider
        self.clock = clock
        self.on_change = on_change
        self._replies_at = 0.0  # monotonic time of the next read of the replies
        self._adopted: set[int] = set()  # chains whose placing desk stopped: carried on here

    def start(self, run: RunView) -> RunView | None:
        """Right after this desk's press: place the first call, whose row the press wrote."""
        first = run.calls[0] if run.running and len(run.calls) == 1 else None
        if first is not None and first.sid is None and not first.outcome.ended:
            self._place(run, first)
        return self.step()

    def step(self) -> RunView | None:
        """Do what is due; the latest run as it stands after."""
        run = self.chain.latest()
        if run is None:
            return None
        if run.running:
            changed = self._call_step(run)
        else:
            changed = self._hang_up_if_cancelled(run) | self._text_everyone(run)
        if time.monotonic() >= self._replies_at:  # a request to the provider each time
            self._replies_at = time.monotonic() + REPLIES_EVERY
            for ended in self.chain.runs_taking_replies(REPLIES_FOR):
                changed |= self._read_replies(ended)
        if changed:
            run = self.chain.latest()
            if self.on_change is not None:
                self.on_change(run)
        return run

    # --- calls ---------------------------------------------------------------------------------
    def _knows(self, sid: str | None) -> bool:
        """Whether this desk's provider can follow the call `sid` (a real account can follow
        any of its calls; the drills' in-memory stand-in only its own)."""
        knows = getattr(self.provider, "knows", None)
        return knows is None or knows(sid)

    def _call_step(self, run: RunView) -> bool:
        pending = next((c for c in run.calls if not c.outcome.ended), None)
        if pending is not None:
            return self._follow(run, pending)
        placed = [c for c in run.calls if c.sid]
        if placed and not self._knows(placed[-1].sid) and run.id not in self._adopted:
            return False  # a drill on another desk's stand-in: that desk calls the next one
        wanted = next_call(len(run.chain), run.rounds, run.as_calls())
        if wanted is None:
            return False
        call = self.chain.begin_call(run.id, *wanted)
        if call is None:  # another runner got there first, or the chain stopped
            return True
        self._place(run, call)
        return True

    def _place(self, run: RunView, call: CallView) -> None:
        person = run.chain[call.position]
        say = spoken(run.incident_title, run.reason, drill=run.drill, pressed_by=run.pressed_by)
        try:
            sid = self.provider.place_call(person.phone, say, person.ring_seconds)
        except ProviderError as exc:
            log.warning("P-1 call to %s not placed: %s", person.name, exc.kind)
            self.chain.call_ended(call.id, CallStatus("", CallOutcome.FAILED,
                                                      detail=f"not placed: {exc.message}"))
            return
        self.chain.call_placed(call.id, sid, self.provider.name)

    def _follow(self, run: RunView, call: CallView) -> bool:
        now = self.clock()
        if call.sid is None:
            if now - call.started_at < UNCONFIRMED_AFTER:
                return False  # another runner is placing it now
            self.chain.call_ended(call.id, CallStatus(
                "", CallOutcome.FAILED,
                detail="the desk placing this call stopped before the provider confirmed it",
            ))  # fmt: skip
            self._adopted.add(run.id)
            return True
        if not self._knows(call.sid):
            ring = timedelta(seconds=run.chain[call.position].ring_seconds)
            if now - call.started_at < ring + CALL_AT_MOST:
                return False  # the desk whose stand-in placed it follows it
            self._adopted.add(run.id)  # that desk is gone: this one carries the chain on
        try:
            status = self.provider.call_status(call.sid)
        except ProviderError as exc:
            if exc.kind != "refused":
                log.info("P-1 call status not read: %s", exc.kind)
                return False  # asked again at the next step
            # The provider does not know the call (another account, or the drill's stand-in
            # of a desk that stopped): it cannot be followed, and the chain goes on.
            status = CallStatus(call.sid, CallOutcome.FAILED, ended_at=now,
                                detail=f"the provider cannot say how it ended: {exc.message}")
            self.chain.call_ended(call.id, status)
            return True
        if not status.outcome.ended:
            ring = timedelta(seconds=run.chain[call.position].ring_seconds)
            if now - call.started_at < ring + CALL_AT_MOST:
                return False
            self._hang_up(call.sid)
            status = CallStatus(call.sid, CallOutcome.NO_ANSWER, ended_at=now,
                                detail=f"{status.detail}; hung up by the desk, too long")
        self.chain.call_ended(call.id, status)
        return True

    def _hang_up_if_cancelled(self, run: RunView) -> bool:
        changed = False
        for call in run.calls:
            if call.outcome.ended:
                continue
            if call.sid is not None:
                self._hang_up(call.sid)
            self.chain.call_ended(call.id, CallStatus(call.sid or "", CallOutcome.CANCELED,
                                                      detail="the chain was cancelled"))
            changed = True
        return changed

    def _hang_up(self, sid: str) -> None:
        try:
            self.provider.hang_up(sid)
        except ProviderError as exc:
            log.info("P-1 call not hung up: %s", exc.kind)

    # --- texts ---------------------------------------------------------------------------------
    def _text_everyone(self, run: RunView) -> bool:
        if run.texted_at is not None or run.state.value not in ("answered", "exhausted"):
            return False
        claimed = self.chain.claim_texts(run.id)
        if claimed is None:
            return False
        room = self.chain.room()
        body = text_message(run.incident_title, run.reason, run.answered_by, room,
                            drill=run.drill)  # fmt: skip
        for person in run.chain:
            try:
                sid = self.provider.send_sms(person.phone, body)
            except ProviderError as exc:
                self.chain.texted(run.id, person.name, person.phone, None, body, exc.message)
                continue
            self.chain.texted(run.id, person.name, person.phone, sid, body)
        return True

    def _read_replies(self, run: RunView) -> bool:
        try:
            replies = self.provider.replies(run.texted_at)
        except ProviderError as exc:
            log.info("P-1 replies not read: %s", exc.kind)
            return False
        changed = False
        for reply in replies:
            changed |= self.chain.replied(run.id, reply)
        return changed


class Carrier:
    """Carries on whatever chain there is, for a desk that may not have pressed it (a window
    left open, a headless scheduler): a runner per chain, its provider made when first needed
    (the stand-in for a drill without an account). Blocking, like the runner."""

    def __init__(self, chain: CallChain, *, on_change: Callable[[RunView], None] | None = None):
        self.chain = chain
        self.on_change = on_change
        self.problem: str | None = None  # why the chain cannot be carried on here, if so
        self._runners: dict[int, ChainRunner] = {}

    def step(self, pressed: RunView | None = None) -> RunView | None:
        """Step the latest chain; `pressed`, a chain this desk just pressed, has its first
        call placed at once."""
        latest = pressed or self.chain.latest()
        if latest is None:
            return None
        runner = self._runners.get(latest.id)
        if runner is None:
            try:
                provider = choose_provider(drill=latest.drill)
            except NoProvider as exc:
                self.problem = str(exc)
                return latest
            self.problem = None
            runner = self._runners[latest.id] = ChainRunner(
                self.chain, provider, clock=utc_now, on_change=self.on_change
            )
        return runner.start(pressed) if pressed is not None else runner.step()
