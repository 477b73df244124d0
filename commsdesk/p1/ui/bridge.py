"""The window's way to the P-1 chain: every use case and every step of the chain runs on the P-1
lane (`commsdesk.p1.ui.desk_chain`), never on the UI thread; results come back as signals.

A timer steps the chain every second while it has something to do (calling, hanging up,
texting, reading replies) and every ten seconds otherwise, to notice a press on another desk or
the command line; on a team, a change another desk commits to the chain steps it at once. A
chain a stopped desk left running is carried on from the first step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from commsdesk.ui.desk_bridge import DeskBridge
from commsdesk.ui.lanes import Lane

BUSY_EVERY_MS = 1_000
IDLE_EVERY_MS = 10_000
P1_TABLES = ("*", "p1_runs", "p1_calls", "p1_messages")
NO_ONE_AT_THE_DESK = ("Say who is at the desk first (Desk → Who is at the desk…): every action "
                      "goes on the record under a name.")  # fmt: skip


def choose_provider(*, drill: bool):
    """The phone provider for a chain (`commsdesk.p1.runner.choose_provider`, looked up when
    called)."""
    from commsdesk.p1 import runner

    return runner.choose_provider(drill=drill)


class P1Bridge(QObject):
    changed = Signal(object)  # RunView | None: the latest chain as it stands now
    ended = Signal(object)  # RunView: a chain seen running was answered, or no one answered
    refused = Signal(str)  # an act refused, in one line for the person
    note = Signal(str)  # for the status bar: this desk follows a chain it cannot call for

    def __init__(
        self,
        lane: Lane,
        desk_bridge: DeskBridge,
        parent: QObject | None = None,
        *,
        provider_factory: Callable[..., Any] = choose_provider,
        clock: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.lane = lane
        self.desk_bridge = desk_bridge
        self.provider_factory = provider_factory  # (drill=...) → PhoneProvider; tests set it
        self.clock = clock
        self.busy_every_ms, self.idle_every_ms = BUSY_EVERY_MS, IDLE_EVERY_MS
        self.run = None  # RunView | None, as last read
        self._work = None  # the DeskChain: made and used on the lane only
        self._seen_ended: set[int] | None = None  # None until the first read
        self._started = False
        self._failure = ""  # the last step's failure, said once
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.step)
        desk_bridge.remote_change.connect(self._remote)

    # --- stepping ----------------------------------------------------------------------------
    def start(self) -> None:
        """Follow the chain from now on (once the desk is open and its first listing shown)."""
        if not self._started:
            self._started = True
            self.step()

    def stop(self) -> None:
        self._started = False
        self._timer.stop()

    def step(self) -> None:
        """Do what is due now, on the lane."""
        self.lane.submit(lambda: self._chain().step(), on_done=self._stepped,
                         on_error=self._step_failed, key="p1-step")  # fmt: skip

    def _stepped(self, step) -> None:
        self._failure = ""
        self._show(step.run)
        if step.problem:
            self.note.emit(step.problem)
        self._again(self.busy_every_ms if step.due else self.idle_every_ms)

    def _step_failed(self, exc: BaseException) -> None:
        """Tried again at the next step (the database or the provider away); said once."""
        why = one_line(exc)
        if why != self._failure:
            self._failure = why
            import logging

            logging.getLogger(__name__).warning("P-1 chain not moved on: %s", why)
            self.note.emit(f"P-1: the chain could not be moved on ({why}); trying again.")
        running = self.run is not None and self.run.running
        self._again(self.busy_every_ms if running else self.idle_every_ms)

    def _again(self, ms: int) -> None:
        if self._started:
            self._timer.start(ms)

    def _remote(self, change) -> None:
        """Another desk of the team pressed, called, texted or acknowledged."""
        if self._started and change.table in P1_TABLES:
            self.step()

    def _show(self, run) -> None:
        from commsdesk.p1.chain import RunState

        if self._seen_ended is None:  # what ended before this desk looked is no news
            self._seen_ended = {run.id} if run is not None and not run.running else set()
        elif (run is not None and run.state in (RunState.ANSWERED, RunState.EXHAUSTED)
              and run.id not in self._seen_ended):  # fmt: skip
            self._seen_ended.add(run.id)
            self.ended.emit(run)
        if run != self.run:
            self.run = run
            self.changed.emit(run)
            self.desk_bridge.timeline_changed.emit()

    def _chain(self):
        """The desk's chain and runner (on the lane)."""
        if self._work is None:
            from commsdesk.clock import utc_now
            from commsdesk.desk import DeskError
            from commsdesk.p1.ui.desk_chain import DeskChain

            if self.desk_bridge.desk is None:
                raise DeskError("The desk is still opening; try again in a moment.")
            self._work = DeskChain(self.desk_bridge.desk,
                                   lambda drill: self.provider_factory(drill=drill),
                                   self.clock or utc_now)  # fmt: skip
        return self._work

    # --- a person's acts ---------------------------------------------------------------------
    def plan(self, on_done: Callable[[Any], None], on_error=None) -> None:
        """What a press would do (`PressPlan`), for the confirmation."""
        self._submit(lambda: self._chain().plan(), on_done, on_error, key="p1-plan")

    def press(self, reason: str, drill: bool, on_done=None, on_error=None) -> None:
        """Press P-1: `on_done((run, started))` once the chain is on the record; the first call
        is placed by the step that follows at once."""

        def pressed(result) -> None:
            from commsdesk.desk import Desk

            self._show(result[0])
            self.step()
            self.desk_bridge.query(Desk.active_incident, key="active-incident",
                                   on_done=self.desk_bridge.incident_changed.emit)  # fmt: skip
            if alive(on_done):
                on_done(result)

        self._as_actor(lambda actor: self._chain().press(actor, reason, drill), pressed,
                       on_error)  # fmt: skip

    def cancel(self, on_done=None, on_error=None) -> None:
        """Stop the running chain; the call ringing now is hung up."""
        def cancelled(step) -> None:
            self._stepped(step)
            if alive(on_done):
                on_done(step.run)

        self._as_actor(lambda actor: self._chain().cancel(actor), cancelled, on_error)

    def acknowledge(self, on_done=None, on_error=None) -> None:
        self._as_actor(lambda actor: self._chain().acknowledge(actor),
                       self._then(self._show, on_done), on_error)  # fmt: skip

    def call_me_now(self, phone: str, on_done=None, on_error=None) -> None:
        """One test call to `phone` saying "This is a test call from CommsDesk"; on the record.
        `on_done(number)`."""
        self._as_actor(lambda actor: self._chain().call_me_now(actor, phone),
                       self._then(lambda _n: self.desk_bridge.timeline_changed.emit(), on_done),
                       on_error)  # fmt: skip

    # --- the chain and the account (each `on_done` gets a ChainView or an AccountView) --------
    def chain_view(self, on_done, on_error=None) -> None:
        self._submit(lambda: self._chain().chain_view(), on_done, on_error, key="p1-chain")

    def add(self, name: str, phone: str, ring_seconds: int, on_done=None, on_error=None) -> None:
        self._edit(lambda w, actor: w.add(actor, name, phone, ring_seconds), on_done, on_error)

    def remove(self, name: str, on_done=None, on_error=None) -> None:
        self._edit(lambda w, actor: w.remove(actor, name), on_done, on_error)

    def set_rounds(self, rounds: int, on_done=None, on_error=None) -> None:
        self._edit(lambda w, actor: w.set_rounds(actor, rounds), on_done, on_error)

    def set_room(self, link: str, on_done=None, on_error=None) -> None:
        self._edit(lambda w, actor: w.set_room(actor, link), on_done, on_error)

    def account_view(self, on_done, on_error=None) -> None:
        self._submit(lambda: self._chain().account_view(), on_done, on_error, key="p1-account")

    def save_account(self, account_sid: str, auth_token: str, from_number: str,
                     on_done=None, on_error=None) -> None:  # fmt: skip
        """Keep the Twilio account in the keyring (an empty token keeps the one stored)."""
        self._submit(lambda: self._chain().save_account(account_sid, auth_token, from_number),
                     on_done, on_error)  # fmt: skip

    # --- inside ------------------------------------------------------------------------------
    def _edit(self, change, on_done, on_error) -> None:
        self._as_actor(lambda actor: change(self._chain(), actor),
                       self._then(lambda _v: self.desk_bridge.timeline_changed.emit(), on_done),
                       on_error)  # fmt: skip

    def _as_actor(self, work, on_done, on_error) -> None:
        actor = self.desk_bridge.actor
        if not actor:
            self._fail(on_error, PermissionError(NO_ONE_AT_THE_DESK))
            return
        self._submit(lambda: work(actor), on_done, on_error)

    def _submit(self, work, on_done, on_error, key: str | None = None) -> None:
        self.lane.submit(work, on_done=on_done,
                         on_error=lambda exc: self._fail(on_error, exc), key=key)  # fmt: skip

    def _fail(self, on_error, exc: BaseException) -> None:
        if on_error is None:
            self.refused.emit(one_line(exc))
        elif alive(on_error):
            on_error(exc)

    @staticmethod
    def _then(first, then):
        def both(result) -> None:
            first(result)
            if alive(then):
                then(result)

        return both


def alive(callback) -> bool:
    """False for nothing, or for a method of a dialog Qt has deleted meanwhile (closed while
    its answer was on the way)."""
    import shiboken6

    if callback is None:
        return False
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


def one_line(exc: BaseException) -> str:
    """A refusal as the person reads it: the message's first line, or what went wrong."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
