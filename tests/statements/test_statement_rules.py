"""The statement rules: every move of the transition table, the approval policy, incident labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commsdesk.incidents.incident import Incident, Severity, format_elapsed
from commsdesk.statements.statement import (
    TRANSITIONS,
    Action,
    ApprovalPolicy,
    StatementState,
    TransitionRefused,
    allowed,
    next_state,
    person_key,
)

S = StatementState
A = Action


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        (S.DRAFT, A.SUBMIT, S.IN_REVIEW),
        (S.IN_REVIEW, A.APPROVE, S.APPROVED),
        (S.IN_REVIEW, A.EDIT, S.DRAFT),
        (S.APPROVED, A.EDIT, S.DRAFT),
        (S.FAILED, A.EDIT, S.DRAFT),
        (S.APPROVED, A.SCHEDULE, S.SCHEDULED),
        (S.SCHEDULED, A.UNSCHEDULE, S.APPROVED),
        (S.SCHEDULED, A.POST, S.POSTED),
        (S.SCHEDULED, A.FAIL, S.FAILED),
        (S.FAILED, A.POST, S.POSTED),
        (S.WITHDRAWN, A.REOPEN, S.DRAFT),
    ],
)
def test_allowed_moves(state, action, expected):
    assert next_state(state, action) is expected


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (S.SCHEDULED, "Cannot edit this statement: it is scheduled; cancel the schedule first."),
        (S.POSTED, "Cannot edit this statement: it has been posted; posts are never changed"),
        (S.WITHDRAWN, "Cannot edit this statement: it was withdrawn; reopen it first."),
    ],
)
def test_edits_refused_with_the_reason(state, message):
    with pytest.raises(TransitionRefused) as refused:
        next_state(state, A.EDIT)
    assert str(refused.value).startswith(message)


def test_refusals_name_the_action_and_state():
    with pytest.raises(TransitionRefused, match=r"^Cannot approve this statement: it is draft\.$"):
        next_state(S.DRAFT, A.APPROVE)
    with pytest.raises(TransitionRefused, match="Cannot post this statement: it is in review"):
        next_state(S.IN_REVIEW, A.POST)


def test_nothing_leaves_posted_and_only_approved_text_gets_posted():
    assert not any(allowed(S.POSTED, action) for action in A)
    assert {s for (s, a) in TRANSITIONS if a is A.POST} == {S.APPROVED, S.SCHEDULED, S.FAILED}
    assert {s for (s, a) in TRANSITIONS if a is A.WITHDRAW} == set(S) - {S.POSTED, S.WITHDRAWN}


@given(st.sampled_from(list(S)), st.sampled_from(list(A)))
def test_allowed_agrees_with_next_state(state, action):
    if allowed(state, action):
        assert next_state(state, action) is TRANSITIONS[(state, action)]
    else:
        with pytest.raises(TransitionRefused):
            next_state(state, action)


@given(st.lists(st.sampled_from(list(A)), max_size=30))
def test_every_way_from_a_draft_to_posted_passes_approval(actions):
    state, approved_since_draft = S.DRAFT, False
    for action in actions:
        if not allowed(state, action):
            continue
        state = next_state(state, action)
        if state is S.DRAFT:
            approved_since_draft = False
        approved_since_draft = approved_since_draft or action is A.APPROVE
        if state is S.POSTED:
            assert approved_since_draft


def test_policy_ignores_the_author_in_any_case_and_spacing():
    policy = ApprovalPolicy(1)
    assert not policy.is_satisfied("Ana Ruiz", ["ana ruiz", " ANA RUIZ "])
    assert not policy.may_approve("Ana Ruiz", "ana ruiz ")
    assert policy.may_approve("Ana Ruiz", "Sam Okafor")
    assert policy.is_satisfied("Ana Ruiz", ["Sam Okafor"])


def test_policy_counts_each_approver_once():
    policy = ApprovalPolicy(2)
    assert policy.counted("Ana", ["Sam", "sam ", "SAM"]) == {"Sam"}
    assert not policy.is_satisfied("Ana", ["Sam", "sam "])
    assert policy.is_satisfied("Ana", ["Sam", "Ben"])
    assert policy.counted("Ana", ["", "  "]) == set()


def test_policy_names_differing_only_in_case_or_runs_of_whitespace_are_one_person():
    policy = ApprovalPolicy(2)
    assert not policy.may_approve("Mira Chen (founder)", "mira  chen\t(FOUNDER) ")
    assert policy.counted("Mira Chen", ["mira  chen", "Sam  Okafor", "sam okafor"]) == {
        "Sam Okafor"
    }
    assert not policy.is_satisfied("Mira Chen", ["Sam Okafor", "SAM\u00a0OKAFOR"])


def test_a_role_after_the_name_does_not_make_another_person():
    policy = ApprovalPolicy(2)
    assert not policy.may_approve("Mira Chen", "Mira Chen (founder)")  # the desk's name (role)
    assert not policy.may_approve("Mira Chen (founder)", "mira chen (CEO)")
    assert policy.may_approve("Mira Chen (founder)", "Sam Okafor (legal)")
    assert policy.counted("Ben Zhou", ["Sam Okafor (legal)", "Sam Okafor", "Ana (comms)"]) == {
        "Sam Okafor (legal)", "Ana (comms)"}
    assert person_key("(night shift)") == "(night shift)"  # all role: the name as it is
    assert person_key("Lee Park (on call) ") == "lee park"


def test_policy_with_no_approvals_required():
    policy = ApprovalPolicy(0)
    assert policy.is_satisfied("Ben", [])
    assert policy.may_approve("Ben", "ben")  # a solo founder approves their own words
    with pytest.raises(ValueError):
        ApprovalPolicy(-1)


@pytest.mark.parametrize(
    ("delta", "label"),
    [
        (timedelta(hours=3, minutes=12, seconds=59), "T+3h12m"),
        (timedelta(hours=1, minutes=5), "T+1h05m"),
        (timedelta(minutes=7), "T+7m"),
        (timedelta(days=1, hours=2, minutes=3), "T+1d2h03m"),
        (timedelta(minutes=-5), "T+0m"),
    ],
)
def test_format_elapsed(delta, label):
    assert format_elapsed(delta) == label


def test_header_label_counts_to_now_or_to_the_close():
    now = datetime(2026, 11, 24, 16, 42, tzinfo=UTC)
    incident = Incident(1, "Breach", Severity.P1, started_at=now - timedelta(hours=3, minutes=12))
    assert incident.header_label(now) == "P1 · T+3h12m"
    naive_start = datetime(2026, 11, 24, 13, 30)  # as the store keeps it
    assert Incident(2, "x", Severity.P3, started_at=naive_start).elapsed_label(now) == "T+3h12m"
    closed = Incident(
        3, "Old", Severity.P2, started_at=now - timedelta(days=2), closed_at=now - timedelta(days=1)
    )
    assert closed.header_label(now) == "P2 · T+1d0h00m"
    assert not closed.is_active and incident.is_active
