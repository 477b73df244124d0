"""The chain's rules alone: who is called next, when it stops, what is said and texted."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commsdesk.p1.chain import (
    Call,
    ChainProblem,
    RunState,
    member,
    next_call,
    phone_number,
    rounds_setting,
    spoken,
    state_after,
    text_message,
)
from commsdesk.p1.provider import CallOutcome

UNANSWERED = [CallOutcome.NO_ANSWER, CallOutcome.BUSY, CallOutcome.FAILED, CallOutcome.MACHINE]


def run_chain(size: int, rounds: int, outcomes: list[CallOutcome]) -> list[Call]:
    """Call as the runner does, each call ending with the next outcome given."""
    calls: list[Call] = []
    for outcome in outcomes:
        wanted = next_call(size, rounds, calls)
        if wanted is None:
            break
        calls.append(Call(*wanted, outcome))
    return calls


def test_one_at_a_time_in_order_round_after_round():
    calls = run_chain(3, 2, [CallOutcome.NO_ANSWER] * 10)
    assert [(c.round, c.position) for c in calls] == [
        (1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2)
    ]
    assert state_after(3, 2, calls) is RunState.EXHAUSTED
    assert next_call(3, 2, calls[:2] + [Call(1, 2, CallOutcome.PENDING)]) is None  # one at a time


def test_the_chain_stops_at_the_first_human_not_at_a_voicemail():
    calls = run_chain(4, 3, [CallOutcome.MACHINE, CallOutcome.BUSY, CallOutcome.HUMAN,
                             CallOutcome.NO_ANSWER])  # fmt: skip
    assert [c.position for c in calls] == [0, 1, 2]
    assert state_after(4, 3, calls) is RunState.ANSWERED
    assert next_call(4, 3, calls) is None


@given(
    size=st.integers(1, 6),
    rounds=st.integers(1, 4),
    outcomes=st.lists(st.sampled_from([*UNANSWERED, CallOutcome.HUMAN]), max_size=40),
)
def test_never_twice_in_a_round_never_short(size, rounds, outcomes):
    calls = run_chain(size, rounds, outcomes)
    pairs = [(c.round, c.position) for c in calls]
    assert len(pairs) == len(set(pairs))
    assert pairs == sorted(pairs)
    humans = [c for c in calls if c.outcome is CallOutcome.HUMAN]
    state = state_after(size, rounds, calls)
    if humans:
        assert calls[-1] is humans[0] and state is RunState.ANSWERED
    elif len(calls) == size * rounds:
        assert state is RunState.EXHAUSTED
    else:  # stopped only because the outcomes given ran out: it would go on
        assert len(calls) == len(outcomes) and state is RunState.RUNNING


def test_numbers_are_taken_in_international_form_and_others_said_why():
    assert phone_number("+44 20 7946 0000") == "+442079460000"
    assert phone_number("0044 (20) 7946-0000") == "+442079460000"
    for bad in ("020 7946 0000", "+0 123 456", "+1234", "call me", "+1" + "2" * 15):
        with pytest.raises(ChainProblem, match="international form"):
            phone_number(bad)
    assert member("  Ana   Ruiz ", "+15550100", None).name == "Ana Ruiz"
    with pytest.raises(ChainProblem, match="10 to 120 seconds"):
        member("Ana", "+15550100", 5)
    with pytest.raises(ChainProblem, match="1 to 10"):
        rounds_setting(0)


def test_a_drill_says_so_on_the_call_and_in_the_text():
    said = spoken("Hot wallet drained", "withdrawals halted", drill=True, pressed_by="Ben")
    assert said.startswith("This is a drill.") and "Hot wallet drained" in said
    text = text_message("Hot wallet drained", "withdrawals halted", "Mira", "https://meet/x",
                        drill=True)  # fmt: skip
    assert text.startswith("DRILL P-1: Hot wallet drained.") and "Mira answered" in text
    assert "Join: https://meet/x" in text
    assert "No one answered" in text_message("T", "R", None, "", drill=False)
