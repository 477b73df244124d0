"""Pressing P-1 and running the chain on a real SQLite desk, through the use cases every path
shares, with the in-memory provider: the order, the stop at a person, the texts, the replies,
cancelling, two runners at once, and the record."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from commsdesk.desk import Desk, DeskError
from commsdesk.incidents.incident import Severity
from commsdesk.p1.chain import RunState
from commsdesk.p1.fake_provider import FakeProvider
from commsdesk.p1.provider import CallOutcome
from commsdesk.p1.runner import ChainRunner
from commsdesk.p1.service import CallChain

BEN = "Ben Zhou (founder)"
PEOPLE = [("Mira Chen", "+15550100001"), ("Sam Okafor", "+15550100002"),
          ("Ada Park", "+15550100003")]  # fmt: skip


@pytest.fixture
def desk(tmp_path):
    desk = Desk.open(tmp_path / "desk")
    yield desk
    desk.close()


def chain_of(desk, rounds=2) -> CallChain:
    chain = CallChain(desk)
    for name, phone in PEOPLE:
        chain.add(BEN, name, phone, 10)
    chain.set_rounds(BEN, rounds)
    chain.set_room(BEN, "https://meet.example/p1")
    return chain


def run_out(runner: ChainRunner, pressed=None, timeout: float = 20.0):
    """Step until the chain has ended and its texts are out; `pressed`, the run this desk just
    pressed, has its first call placed first, as every path does after a press."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        run = runner.start(pressed) if pressed is not None else runner.step()
        pressed = None
        if not run.running and (run.texted_at is not None or run.state is RunState.CANCELLED):
            return run
        time.sleep(0.01)
    raise AssertionError("the chain did not end")


def test_called_in_order_until_a_person_answers_then_everyone_is_texted(desk):
    chain = chain_of(desk)
    fake = FakeProvider()
    fake.no_answer(PEOPLE[0][1], after=0.05)
    fake.answer(PEOPLE[1][1], "machine_start", after=0.05, talk=0.05)  # voicemail: not an answer
    fake.answer(PEOPLE[2][1], "human", after=0.05)
    run, started = chain.press(BEN, "Hot wallet drained", provider=fake.name)
    assert started and run.state is RunState.RUNNING

    run = run_out(ChainRunner(chain, fake), run)

    assert [(c.name, c.outcome) for c in run.calls] == [
        ("Mira Chen", CallOutcome.NO_ANSWER), ("Sam Okafor", CallOutcome.MACHINE),
        ("Ada Park", CallOutcome.HUMAN),
    ]
    assert run.state is RunState.ANSWERED and run.answered_by == "Ada Park"
    assert [c.to for c in fake.calls_placed] == [p for _n, p in PEOPLE]
    assert "Hot wallet drained" in fake.calls_placed[0].say
    assert sorted(t.to for t in fake.messages_sent) == sorted(p for _n, p in PEOPLE)
    text = fake.messages_sent[0].body
    assert "Ada Park answered" in text and "https://meet.example/p1" in text
    # A P1 incident was started by the press; everything is on the record, in order.
    incident = desk.active_incident()
    assert incident.severity is Severity.P1 and incident.title == "P-1: Hot wallet drained"
    kinds = [e.kind for e in reversed(desk.timeline(kinds=None, limit=100))
             if e.kind.startswith("p1.") and e.kind != "p1.chain_changed"]
    assert kinds == ["p1.pressed", "p1.call_placed", "p1.call_ended", "p1.call_placed",
                     "p1.call_ended", "p1.call_placed", "p1.call_ended", "p1.answered",
                     "p1.texted", "p1.texted", "p1.texted"]  # fmt: skip
    answered = desk.timeline(kinds=["p1.answered"])[0]
    assert answered.data["answered_by"] == "Ada Park" and answered.data["to_first_call_s"] < 5


def test_no_one_answering_after_every_round_is_said_and_the_incident_stays_open(desk):
    chain = chain_of(desk, rounds=2)
    fake = FakeProvider()
    for _name, phone in PEOPLE:
        fake.busy(phone, after=0.02)
    pressed, _ = chain.press(BEN, "Withdrawals down", provider=fake.name)
    run = run_out(ChainRunner(chain, fake), pressed)
    assert run.state is RunState.EXHAUSTED and run.answered_by is None
    assert [(c.round, c.position) for c in run.calls] == [
        (1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2)
    ]
    assert desk.active_incident() is not None
    [said] = desk.timeline(kinds=["p1.exhausted"])
    assert "NO ONE ANSWERED after 2 round(s)" in said.summary
    assert all("No one answered the calls" in t.body for t in fake.messages_sent)


def test_two_runners_stepping_one_chain_call_each_person_once(desk):
    chain = chain_of(desk, rounds=2)
    fake = FakeProvider()
    for _name, phone in PEOPLE:
        fake.no_answer(phone, after=0.02)
    pressed, _ = chain.press(BEN, "Hot wallet drained", provider=fake.name)
    first, second = ChainRunner(chain, fake), ChainRunner(CallChain(desk), fake)
    first.start(pressed)  # the desk that pressed places the first call
    end = time.monotonic() + 20
    while time.monotonic() < end:
        run = first.step()
        run = second.step()
        if run.texted_at is not None:
            break
        time.sleep(0.005)
    assert len(fake.calls_placed) == 6 and len(fake.messages_sent) == 3


def test_pressing_again_joins_the_running_chain_and_an_open_incident_is_joined(desk):
    incident = desk.start_incident(BEN, "Exchange hacked", Severity.P2)
    chain = chain_of(desk)
    run, started = chain.press(BEN, "Hot wallet drained", provider="fake")
    again, started_again = chain.press("Ana Ruiz", "same thing", provider="fake")
    assert started and not started_again and again.id == run.id
    assert run.incident_id == incident.id
    assert len(desk.timeline(kinds=["p1.pressed"])) == 2


def test_an_empty_chain_or_no_reason_is_refused_and_nothing_starts(desk):
    chain = CallChain(desk)
    with pytest.raises(DeskError, match="call chain is empty"):
        chain.press(BEN, "Hot wallet drained", provider="fake")
    chain.add(BEN, "Mira Chen", "+15550100001")
    with pytest.raises(DeskError, match="Say why"):
        chain.press(BEN, "   ", provider="fake")
    assert desk.active_incident() is None and chain.latest() is None
    with pytest.raises(DeskError, match="international form"):
        chain.add(BEN, "Sam", "555-0100")
    with pytest.raises(DeskError, match="in the chain already"):
        chain.add(BEN, "Mira  Chen", "+15550100009")


def test_cancelling_hangs_up_the_ringing_call_and_calls_no_one_else(desk):
    chain = chain_of(desk)
    fake = FakeProvider()  # no script: each number rings out at its ring time (10 s)
    pressed, _ = chain.press(BEN, "Hot wallet drained", provider=fake.name)
    runner = ChainRunner(chain, fake)
    run = runner.start(pressed)
    assert run.summary() == "calling Mira Chen (round 1)"
    chain.cancel(BEN)
    run = run_out(runner)
    assert run.state is RunState.CANCELLED
    assert [c.outcome for c in run.calls] == [CallOutcome.CANCELED]
    assert fake.hung_up == [run.calls[0].sid] and len(fake.calls_placed) == 1
    assert fake.messages_sent == []


def test_replies_and_acknowledgements_are_recorded_once(desk, monkeypatch):
    import commsdesk.p1.runner as runner_module

    monkeypatch.setattr(runner_module, "REPLIES_EVERY", 0.0)  # read at every step here
    chain = chain_of(desk)
    fake = FakeProvider()
    fake.answer(PEOPLE[0][1], "human", after=0.02)
    pressed, _ = chain.press(BEN, "Hot wallet drained", provider=fake.name)
    runner = ChainRunner(chain, fake)
    run_out(runner, pressed)
    fake.receive_sms(PEOPLE[1][1], "On my way")
    fake.receive_sms("+15559999999", "who is this?")  # not in the chain: not recorded
    for _ in range(3):
        runner.step()
    chain.acknowledge("Ana Ruiz")
    run = chain.latest()
    assert [(m.kind, m.name, m.body) for m in run.messages if m.kind != "sent"] == [
        ("reply", "Sam Okafor", "On my way"), ("acknowledged", "Ana Ruiz", ""),
    ]
    assert len(desk.timeline(kinds=["p1.reply"])) == 1


def test_a_drill_says_so_on_the_call_and_in_the_text(desk):
    chain = chain_of(desk)
    fake = FakeProvider()
    fake.answer(PEOPLE[0][1], "human", after=0.02)
    run, _ = chain.press(BEN, "Monthly drill", provider=fake.name, drill=True)
    assert run.drill
    run_out(ChainRunner(chain, fake), run)
    assert fake.calls_placed[0].say.startswith("This is a drill.")
    assert all(t.body.startswith("DRILL P-1:") for t in fake.messages_sent)
    assert desk.timeline(kinds=["p1.answered"])[0].summary.startswith("DRILL P-1 answered")


def test_a_desk_that_pressed_and_stopped_before_calling_holds_the_chain_back_only_briefly(
    desk, monkeypatch
):
    """The press wrote the first call's row; the desk died before placing it. Another desk
    waits a little for it, then counts it failed and calls the next person."""
    import commsdesk.p1.runner as runner_module

    monkeypatch.setattr(runner_module, "UNCONFIRMED_AFTER", runner_module.timedelta(seconds=0.2))
    chain = chain_of(desk, rounds=1)
    fake = FakeProvider()
    fake.answer(PEOPLE[1][1], "human", after=0.02)
    chain.press(BEN, "Hot wallet drained", provider=fake.name)
    other = ChainRunner(CallChain(desk), fake)
    assert other.step().calls[0].sid is None and fake.calls_placed == []  # waits for it
    run = run_out(other)
    assert [(c.name, c.outcome) for c in run.calls] == [
        ("Mira Chen", CallOutcome.FAILED), ("Sam Okafor", CallOutcome.HUMAN)
    ]
    assert "stopped before the provider confirmed it" in run.calls[0].detail
    assert [c.to for c in fake.calls_placed] == [PEOPLE[1][1]]


def test_a_call_the_provider_does_not_know_ends_and_the_chain_goes_on(desk):
    """As after a restart in a drill: the stand-in that placed the call is gone."""
    chain = chain_of(desk, rounds=1)
    placing = FakeProvider()
    pressed, _ = chain.press(BEN, "Hot wallet drained", provider=placing.name, drill=True)
    ChainRunner(chain, placing).start(pressed)  # rings; then this desk stops
    with desk.engine.begin() as connection:  # ... long enough ago for its ring and the wait
        connection.execute(text("UPDATE p1_calls SET started_at = :then"),
                           {"then": desk.now() - timedelta(seconds=200)})  # fmt: skip
    later = FakeProvider()
    later.answer(PEOPLE[1][1], "human", after=0.02)
    run = run_out(ChainRunner(chain, later))
    assert [(c.name, c.outcome) for c in run.calls] == [
        ("Mira Chen", CallOutcome.FAILED), ("Sam Okafor", CallOutcome.HUMAN)
    ]
    assert "cannot say how it ended" in run.calls[0].detail


def test_a_drill_on_two_desks_is_called_by_the_desk_that_pressed_it(desk):
    """Each desk's stand-in knows only its own calls: the other desk leaves them to it, and
    the drill is answered, not given up as NO ONE ANSWERED."""
    chain = chain_of(desk, rounds=1)
    pressing, other = FakeProvider(), FakeProvider()
    for fake in (pressing, other):
        fake.no_answer(PEOPLE[0][1], after=0.1)
        fake.answer(PEOPLE[1][1], "human", after=0.1)
    pressed, _ = chain.press(BEN, "Monthly drill", provider=pressing.name, drill=True)
    mine, theirs = ChainRunner(chain, pressing), ChainRunner(CallChain(desk), other)
    mine.start(pressed)
    end = time.monotonic() + 20
    while time.monotonic() < end:
        theirs.step()
        run = mine.step()
        if run.texted_at is not None:
            break
        time.sleep(0.01)
    assert run.state is RunState.ANSWERED and run.answered_by == "Sam Okafor"
    assert [c.to for c in pressing.calls_placed] == [PEOPLE[0][1], PEOPLE[1][1]]
    assert other.calls_placed == []
