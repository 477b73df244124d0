"""What the window's P-1 lane does on one open desk: the chain's use cases (`CallChain`) and the
runner that moves a pressed chain on. No Qt: every method runs on the P-1 lane, one at a time,
never on the UI thread (each may wait on the database, the keyring or the phone provider).

The runner's provider is chosen for each chain: at the press on this desk, or the first time
this desk sees a chain with something left to do (pressed on another desk or the command line,
or left running by a desk that stopped).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from commsdesk.desk import Desk, DeskError
from commsdesk.p1.chain import ChainProblem, Member, RunState, phone_number
from commsdesk.p1.provider import PhoneProvider, ProviderError
from commsdesk.p1.runner import REPLIES_FOR, ChainRunner, NoProvider
from commsdesk.p1.service import CallChain, RunView
from commsdesk.timeline.chain import EventKind

TEST_CALL_SAYS = "This is a test call from CommsDesk"
TEST_CALL_RINGS = 30  # seconds
NO_KEYRING = (
    "There is no system keyring on this machine, so the Twilio account cannot be kept here. "
    "Set COMMSDESK_TWILIO_ACCOUNT_SID, COMMSDESK_TWILIO_AUTH_TOKEN and COMMSDESK_TWILIO_FROM "
    "in the environment the desk starts in instead."
)
ACCOUNT_NAMES = ("COMMSDESK_TWILIO_ACCOUNT_SID", "COMMSDESK_TWILIO_AUTH_TOKEN",
                 "COMMSDESK_TWILIO_FROM")  # fmt: skip


class FieldProblem(DeskError):
    """A refusal that belongs beside one field of a dialog: `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Step:
    run: RunView | None  # the latest chain as it stands
    due: bool  # something to do at the next step: step again soon
    problem: str = ""  # new: this desk cannot run the chain (no phone provider)


@dataclass(frozen=True)
class PressPlan:
    """What a press would do, for the confirmation."""

    members: tuple[Member, ...]
    rounds: int
    incident_title: str  # the open incident the press joins; "" starts a P1 incident
    drill_mode: bool
    provider_problem: str  # why no one can be called outside a drill; "" when a provider is set
    running: RunView | None  # a chain running now (a press joins it)


@dataclass(frozen=True)
class ChainView:
    members: tuple[Member, ...]
    rounds: int
    room: str


@dataclass(frozen=True)
class AccountView:
    account_sid: str
    from_number: str
    token_stored: bool
    keyring_problem: str  # "" when the keyring works
    from_environment: bool  # COMMSDESK_TWILIO_* are set: they win over the keyring


def due(run: RunView | None, now) -> bool:
    """A chain with something to do: calling, a call to hang up, texts to send, replies to
    read (until everyone texted has replied, for as long as the runner reads them)."""
    if run is None:
        return False
    if run.running or any(not call.outcome.ended for call in run.calls):
        return True
    if run.state in (RunState.ANSWERED, RunState.EXHAUSTED) and run.texted_at is None:
        return True
    if run.texted_at is None or now - run.texted_at >= REPLIES_FOR:
        return False
    replied = {m.name for m in run.messages if m.kind == "reply"}
    return not {person.name for person in run.chain} <= replied


def masked(phone: str) -> str:
    """A number on the record shows its last four digits only."""
    return f"…{phone[-4:]}" if len(phone) > 4 else phone


class DeskChain:
    def __init__(self, desk: Desk, choose: Callable[[bool], PhoneProvider], clock) -> None:
        """`choose(drill)`: the phone provider for a chain (raises NoProvider)."""
        self.desk = desk
        self.chain = CallChain(desk)
        self.choose = choose
        self.clock = clock
        self.runner: ChainRunner | None = None
        self.run_id: int | None = None  # the chain the runner's provider was chosen for
        self.cannot_run: dict[int, str] = {}  # chain id → why this desk cannot run it

    # --- moving the chain on -----------------------------------------------------------------
    def step(self) -> Step:
        latest = self.chain.latest()
        if not due(latest, self.clock()):
            return Step(latest, False)
        told = latest.id in self.cannot_run
        if not self._provide(latest):
            problem = "" if told else self.cannot_run[latest.id]
            return Step(latest, latest.running, problem)
        run = self.runner.step()
        return Step(run, due(run, self.clock()))

    def _provide(self, run: RunView) -> bool:
        """A runner with a provider for `run`; False when this desk has none."""
        if self.runner is not None and self.run_id == run.id:
            return True
        if run.id in self.cannot_run:
            return False
        try:
            provider = self.choose(run.drill)
        except NoProvider as exc:
            self.cannot_run[run.id] = (
                f"A P-1 chain is running that this desk cannot call for: {exc} This desk "
                "follows it; the desk or command line that has the account calls."
            )
            return False
        self._use(provider, run.id)
        return True

    def _use(self, provider: PhoneProvider, run_id: int) -> None:
        if self.runner is None:
            self.runner = ChainRunner(self.chain, provider, clock=self.clock)
        else:
            self.runner.provider = provider
        self.run_id = run_id

    # --- a person's acts ---------------------------------------------------------------------
    def plan(self) -> PressPlan:
        from commsdesk.publishing.holds import drill_mode

        latest = self.chain.latest()
        incident = self.desk.active_incident()
        try:
            self.choose(False)
            problem = ""
        except NoProvider as exc:
            problem = str(exc)
        return PressPlan(
            tuple(self.chain.members()), self.chain.rounds(),
            incident.title if incident is not None else "", drill_mode(self.desk), problem,
            latest if latest is not None and latest.running else None,
        )  # fmt: skip

    def press(self, actor: str, reason: str, drill: bool) -> tuple[RunView, bool]:
        """Press P-1; a press that starts the chain places its first call at once."""
        provider = self.choose(drill)
        run, started = self.chain.press(actor, reason, provider=provider.name, drill=drill)
        if started:
            self._use(provider, run.id)
            run = self.runner.start(run)
        elif run.drill == drill:
            if self.run_id != run.id:
                self._use(provider, run.id)
        else:
            self._provide(run)
        return run, started

    def cancel(self, actor: str) -> Step:
        """Stop the running chain and hang up the call ringing now."""
        self.chain.cancel(actor)
        return self.step()

    def acknowledge(self, actor: str) -> RunView:
        return self.chain.acknowledge(actor)

    def call_me_now(self, actor: str, phone: str) -> str:
        """One test call through the phone provider (never the drill's stand-in), on the
        record; the number called."""
        try:
            number = phone_number(phone)
        except ChainProblem as exc:
            raise FieldProblem("test", str(exc)) from None
        provider = self.choose(False)
        try:
            sid = provider.place_call(number, TEST_CALL_SAYS, TEST_CALL_RINGS)
        except ProviderError as exc:
            raise FieldProblem("test", f"The test call was not placed: {exc.message}") from None
        self.desk.record(
            actor, EventKind.P1_CALL_PLACED,
            f"P-1 test call to {masked(number)} (Call me now) through {provider.name}",
            data={"test": True, "sid": sid, "provider": provider.name},
        )  # fmt: skip
        return number

    # --- the chain and its settings ------------------------------------------------------------
    def chain_view(self) -> ChainView:
        return ChainView(tuple(self.chain.members()), self.chain.rounds(), self.chain.room())

    def add(self, actor: str, name: str, phone: str, ring_seconds: int) -> ChainView:
        try:
            self.chain.add(actor, name, phone, ring_seconds)
        except DeskError as exc:
            raise FieldProblem(_field_of(phone, str(exc)), str(exc)) from None
        return self.chain_view()

    def remove(self, actor: str, name: str) -> ChainView:
        self.chain.remove(actor, name)
        return self.chain_view()

    def set_rounds(self, actor: str, rounds: int) -> ChainView:
        try:
            self.chain.set_rounds(actor, rounds)
        except DeskError as exc:
            raise FieldProblem("rounds", str(exc)) from None
        return self.chain_view()

    def set_room(self, actor: str, link: str) -> ChainView:
        try:
            self.chain.set_room(actor, link)
        except DeskError as exc:
            raise FieldProblem("room", str(exc)) from None
        return self.chain_view()

    # --- the phone account, in the keyring ---------------------------------------------------
    def account_view(self) -> AccountView:
        from commsdesk.keyring_secrets import keyring_status, load_twilio

        problem = NO_KEYRING if keyring_status() is not None else ""
        stored = {} if problem else load_twilio()
        sid, token, from_number = (stored.get(name, "") for name in ACCOUNT_NAMES)
        in_env = all(os.environ.get(name) for name in ACCOUNT_NAMES)
        return AccountView(sid, from_number, bool(token), problem, in_env)

    def save_account(self, account_sid: str, auth_token: str, from_number: str) -> AccountView:
        """Keep the account in the keyring; an empty token keeps the one stored."""
        from commsdesk.keyring_secrets import keyring_status, load_twilio, store_twilio

        if keyring_status() is not None:
            raise FieldProblem("account", NO_KEYRING)
        account_sid = (account_sid or "").strip()
        if not account_sid.startswith("AC") or any(c.isspace() for c in account_sid):
            raise FieldProblem("sid", "The account SID is on the Twilio console's front page; "
                               "it starts AC.")  # fmt: skip
        token = (auth_token or "").strip() or load_twilio().get(ACCOUNT_NAMES[1], "")
        if not token:
            raise FieldProblem("token", "The auth token, from beside the account SID on the "
                               "Twilio console.")  # fmt: skip
        try:
            number = phone_number(from_number)
        except ChainProblem as exc:
            raise FieldProblem("from", f"The number calls come from: {exc}") from None
        store_twilio(account_sid, token, number)
        self.cannot_run.clear()  # a chain this desk could not call for, it can now
        return self.account_view()


def _field_of(phone: str, message: str) -> str:
    """Which field of the Add row a refusal of `CallChain.add` is about."""
    try:
        phone_number(phone)
    except ChainProblem:
        return "phone"
    return "ring" if message.startswith("Ring time") else "name"
