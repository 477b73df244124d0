"""FakeProvider: the same outcomes as on Twilio, in memory, against a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commsdesk.p1.fake_provider import ANY, FakeProvider
from commsdesk.p1.provider import CallOutcome, ProviderError

MANAGER = "+15551230001"
DEPUTY = "+15551230002"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> FakeProvider:
    return FakeProvider(clock=clock)


def test_a_person_answering_is_human_as_soon_as_known(fake, clock):
    fake.answer(MANAGER, "human", after=5)
    sid = fake.place_call(MANAGER, "P-1: call the desk", 30)

    assert fake.call_status(sid).outcome is CallOutcome.PENDING
    clock.advance(1)
    ringing = fake.call_status(sid)
    assert (ringing.outcome, ringing.detail) == (CallOutcome.PENDING, "ringing, answered_by=none")
    assert ringing.started_at == T0 + timedelta(seconds=0.5)
    clock.advance(4)
    answered = fake.call_status(sid)
    assert answered.outcome is CallOutcome.HUMAN
    assert answered.detail == "in-progress, answered_by=human"
    assert answered.ended_at is None
    assert fake.name == "fake"


def test_an_answered_call_stays_pending_until_machine_detection_decides(fake, clock):
    fake.answer(MANAGER, "human", after=5, detect=3)
    sid = fake.place_call(MANAGER, "P-1", 30)

    clock.advance(6)
    assert fake.call_status(sid).detail == "in-progress, answered_by=none"
    assert fake.call_status(sid).outcome is CallOutcome.PENDING
    clock.advance(2)
    assert fake.call_status(sid).outcome is CallOutcome.HUMAN


@pytest.mark.parametrize("answered_by", ["machine_start", "machine_end_beep", "fax"])
def test_an_answering_machine_is_a_machine(fake, clock, answered_by):
    fake.answer(MANAGER, answered_by, after=5, talk=20)
    sid = fake.place_call(MANAGER, "P-1", 30)

    clock.advance(30)
    status = fake.call_status(sid)

    assert status.outcome is CallOutcome.MACHINE
    assert status.detail == f"completed, answered_by={answered_by}"
    assert status.ended_at == T0 + timedelta(seconds=25)


def test_a_completed_call_detection_could_not_judge_counts_as_a_person(fake, clock):
    fake.script(MANAGER, [(1, "ringing", None), (4, "in-progress", "unknown"),
                          (20, "completed", "unknown")])
    sid = fake.place_call(MANAGER, "P-1", 30)

    clock.advance(10)
    assert fake.call_status(sid).outcome is CallOutcome.PENDING
    clock.advance(10)
    assert fake.call_status(sid).outcome is CallOutcome.HUMAN


def test_no_answer(fake, clock):
    fake.no_answer(MANAGER, after=12)
    sid = fake.place_call(MANAGER, "P-1", 30)

    clock.advance(11)
    assert fake.call_status(sid).outcome is CallOutcome.PENDING
    clock.advance(1)
    status = fake.call_status(sid)
    assert status.outcome is CallOutcome.NO_ANSWER
    assert status.ended_at == T0 + timedelta(seconds=12)


def test_an_unscripted_number_rings_for_the_ring_seconds(fake, clock):
    sid = fake.place_call(DEPUTY, "P-1", 20)

    clock.advance(19.9)
    assert fake.call_status(sid).detail == "ringing, answered_by=none"
    clock.advance(0.1)
    assert fake.call_status(sid).outcome is CallOutcome.NO_ANSWER


def test_an_answer_after_the_ring_seconds_is_no_answer(fake, clock):
    fake.answer(MANAGER, "human", after=40)
    sid = fake.place_call(MANAGER, "P-1", 25)

    clock.advance(60)

    assert fake.call_status(sid).outcome is CallOutcome.NO_ANSWER


def test_busy(fake, clock):
    fake.busy(MANAGER, after=2)
    sid = fake.place_call(MANAGER, "P-1", 30)

    clock.advance(2)

    assert fake.call_status(sid).outcome is CallOutcome.BUSY


def test_failed(fake):
    fake.fail(MANAGER)
    sid = fake.place_call(MANAGER, "P-1", 30)

    assert fake.call_status(sid).outcome is CallOutcome.FAILED


def test_a_script_of_statuses_steps_through_them(fake, clock):
    fake.script(MANAGER, ["ringing", "ringing", "busy"], step_seconds=2)
    sid = fake.place_call(MANAGER, "P-1", 30)

    details = []
    for _ in range(4):
        details.append(fake.call_status(sid).detail.split(",")[0])
        clock.advance(2)

    assert details == ["queued", "ringing", "ringing", "busy"]


def test_the_call_is_recorded_with_its_message(fake):
    sid = fake.place_call(MANAGER, "P-1 <now> & call", 25)

    [call] = fake.calls_placed
    assert (call.sid, call.to, call.ring_seconds) == (sid, MANAGER, 25)
    assert call.say == "P-1 <now> & call"


def test_hang_up_cancels_a_ringing_call(fake, clock):
    fake.answer(MANAGER, "human", after=10)
    sid = fake.place_call(MANAGER, "P-1", 30)
    clock.advance(3)

    fake.hang_up(sid)
    clock.advance(20)  # it would have been answered by now

    status = fake.call_status(sid)
    assert status.outcome is CallOutcome.CANCELED
    assert status.ended_at == T0 + timedelta(seconds=3)
    assert fake.hung_up == [sid]


def test_hang_up_ends_an_answered_call_and_leaves_an_ended_one(fake, clock):
    fake.answer(MANAGER, "machine_start", after=2)
    fake.busy(DEPUTY, after=1)
    answered = fake.place_call(MANAGER, "P-1", 30)
    busy = fake.place_call(DEPUTY, "P-1", 30)
    clock.advance(5)

    fake.hang_up(answered)
    fake.hang_up(busy)

    assert fake.call_status(answered).detail == "completed, answered_by=machine_start"
    assert fake.call_status(busy).outcome is CallOutcome.BUSY
    assert fake.hung_up == [answered]


def test_texts_are_recorded(fake, clock):
    sid = fake.send_sms(MANAGER, "P-1 declared")

    [text] = fake.messages_sent
    assert (text.sid, text.to, text.body, text.at) == (sid, MANAGER, "P-1 declared", T0)


def test_replies_since_a_time_oldest_first(fake, clock):
    fake.receive_sms(MANAGER, "old news", at=T0 - timedelta(hours=2))
    clock.advance(60)
    late = fake.receive_sms(DEPUTY, "on my way")
    early = fake.receive_sms(MANAGER, "ack", at=T0 + timedelta(seconds=30))
    fake.send_sms(MANAGER, "thanks")

    replies = fake.replies(T0)

    assert [(r.sid, r.from_number, r.body) for r in replies] == [
        (early, MANAGER, "ack"), (late, DEPUTY, "on my way")
    ]
    assert replies[1].at == T0 + timedelta(seconds=60)


@pytest.mark.parametrize("kind", ["auth", "rate_limited", "server", "unreachable", "refused"])
def test_injected_failures_raise_once(fake, kind):
    fake.fail_next(kind, retry_after=4 if kind == "rate_limited" else None)

    with pytest.raises(ProviderError) as caught:
        fake.send_sms(MANAGER, "P-1")

    assert caught.value.kind == kind
    assert caught.value.retry_after == (4 if kind == "rate_limited" else None)
    assert fake.messages_sent == []
    fake.send_sms(MANAGER, "P-1")
    assert len(fake.messages_sent) == 1


def test_an_unknown_call_is_refused(fake):
    with pytest.raises(ProviderError) as caught:
        fake.call_status("fake-call-99")

    assert caught.value.kind == "refused"


def test_two_stand_ins_never_give_the_same_sid(clock):
    first, second = FakeProvider(clock=clock), FakeProvider(clock=clock)
    sids = [first.place_call(MANAGER, "P-1", 30), second.place_call(MANAGER, "P-1", 30),
            first.send_sms(MANAGER, "P-1"), second.send_sms(MANAGER, "P-1")]  # fmt: skip
    assert len(set(sids)) == 4


def test_a_script_for_any_number_applies_to_numbers_without_their_own(fake, clock):
    fake.busy(ANY, after=1)
    fake.answer(MANAGER, "human", after=2)
    manager = fake.place_call(MANAGER, "P-1", 30)
    deputy = fake.place_call(DEPUTY, "P-1", 30)

    clock.advance(3)

    assert fake.call_status(manager).outcome is CallOutcome.HUMAN
    assert fake.call_status(deputy).outcome is CallOutcome.BUSY


def test_a_drill_provider_has_every_call_answered_by_a_person_after_a_short_ring(clock):
    drill = FakeProvider.for_drills(clock=clock, answer_after=4)
    sid = drill.place_call(DEPUTY, "P-1 drill", 30)

    clock.advance(3)
    assert drill.call_status(sid).outcome is CallOutcome.PENDING
    clock.advance(1)
    assert drill.call_status(sid).outcome is CallOutcome.HUMAN
    clock.advance(30)
    status = drill.call_status(sid)
    assert (status.outcome, status.detail) == (CallOutcome.HUMAN, "completed, answered_by=human")
