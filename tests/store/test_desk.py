"""The Desk's use cases on a real SQLite file: statement flows, incidents, timeline queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commsdesk.demo.crisis import seed_demo
from commsdesk.desk import Desk, DeskError
from commsdesk.incidents.incident import Severity
from commsdesk.statements.statement import StatementState as S
from commsdesk.timeline.chain import EventKind

ANA = "Ana Ruiz"
BEN = "Ben Zhou"
SAM = "Sam Okafor"


class Clock:
    """A desk clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 14, 0, 0, 250_000, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(isolated_dirs, clock):
    desk = Desk.open(isolated_dirs, clock=clock)
    yield desk
    desk.close()


@pytest.fixture
def incident(desk, clock):
    started = desk.start_incident(
        BEN,
        "ETH cold wallet drained",
        Severity.P1,
        facts={"asset": "ETH", "next_update": "18:30"},
        started_at=clock.now - timedelta(hours=3, minutes=12),
    )
    clock.advance(minutes=1)
    return started


def kinds(desk: Desk, **filters) -> list[str]:
    return [event.kind for event in desk.timeline(**filters)]


HOLDING = (
    "We are investigating the {{ incident.asset }} incident. Next update by "
    "{{ next_update | time }}."
)


def draft(desk: Desk, incident, author: str = ANA):
    return desk.create_statement(author, incident.id, "Holding statement", HOLDING)


# --- statement flows ----------------------------------------------------------------------------


def test_draft_submit_approve_by_another_is_approved_with_rendered_text(desk, incident):
    statement = draft(desk, incident)
    assert statement.state is S.DRAFT and statement.version_number == 1

    submitted = desk.submit(ANA, statement.id)
    assert submitted.state is S.IN_REVIEW
    assert desk.versions(statement.id)[-1].sealed

    approved = desk.approve(SAM, statement.id)
    assert approved.state is S.APPROVED
    assert approved.approvals == (SAM,)
    assert approved.approved_version_id == approved.version_id
    assert approved.approved_text == (
        "We are investigating the ETH incident. Next update by 18:30 UTC."
    )
    assert kinds(desk)[:3] == [EventKind.APPROVED, EventKind.SUBMITTED, EventKind.STATEMENT_CREATED]
    assert desk.timeline(limit=1)[0].summary == "'Holding statement': approved v1 (1 of 1)"


def test_author_cannot_approve_their_own_version(desk, incident):
    statement = draft(desk, incident)
    desk.submit(ANA, statement.id)
    with pytest.raises(DeskError, match=r"You wrote v1; approval must come from someone else"):
        desk.approve(" ana ruiz", statement.id)  # the same person, typed differently
    assert desk.statement(statement.id).state is S.IN_REVIEW
    assert EventKind.APPROVED not in kinds(desk)


def test_author_retyping_their_name_with_other_case_or_spacing_cannot_approve(desk, incident):
    founder = "Mira Chen (founder)"
    statement = draft(desk, incident, author=founder)
    desk.submit(founder, statement.id)
    for retyped in ("mira chen (founder)", "mira  chen (founder)", "MIRA\tChen\u00a0(Founder) "):
        with pytest.raises(DeskError, match=r"You wrote v1; approval must come from someone else"):
            desk.approve(retyped, statement.id)
    assert desk.statement(statement.id).state is S.IN_REVIEW
    assert EventKind.APPROVED not in kinds(desk)


def test_the_self_approval_refusal_says_how_to_hand_over(desk, incident):
    statement = draft(desk, incident)
    desk.submit(ANA, statement.id)
    with pytest.raises(DeskError) as refused:
        desk.approve(ANA, statement.id)
    assert str(refused.value) == (
        "You wrote v1; approval must come from someone else (1 required); the approver signs "
        "in as themselves under Desk → Who is at the desk… (or `--as` on the command line)."
    )


def test_two_required_approvals_count_one_person_once_however_typed(desk, incident):
    desk.set_required_approvals(BEN, 2)
    statement = draft(desk, incident)
    desk.submit(ANA, statement.id)
    desk.approve(SAM, statement.id)
    with pytest.raises(DeskError, match="already approved v1"):
        desk.approve("sam   OKAFOR", statement.id)
    assert desk.statement(statement.id).state is S.IN_REVIEW
    assert desk.statement(statement.id).approvals == (SAM,)


def test_two_required_approvals_need_two_other_people(desk, incident):
    desk.set_required_approvals(BEN, 2)
    assert desk.approval_policy().required == 2
    statement = draft(desk, incident)
    desk.submit(ANA, statement.id)

    once = desk.approve(SAM, statement.id)
    assert once.state is S.IN_REVIEW and once.approvals == (SAM,)
    assert desk.timeline(limit=1)[0].summary.endswith("approved v1 (1 of 2)")
    with pytest.raises(DeskError, match="already approved v1"):
        desk.approve("SAM OKAFOR", statement.id)
    with pytest.raises(DeskError, match=r"\(2 required\)"):
        desk.approve(ANA, statement.id)

    twice = desk.approve(BEN, statement.id)
    assert twice.state is S.APPROVED and twice.approvals == (SAM, BEN)
    policy_event = desk.timeline(kinds=["desk.policy"])[0]
    assert policy_event.summary == "Required approvals 1 → 2"


def test_no_required_approvals_lets_a_solo_founder_approve_on_submit(desk, incident):
    desk.set_required_approvals(BEN, 0)
    statement = draft(desk, incident, author=BEN)
    done = desk.submit(BEN, statement.id)
    assert done.state is S.APPROVED
    assert done.approvals == (BEN,)
    assert done.approved_text.startswith("We are investigating the ETH incident.")
    latest = desk.timeline(limit=2)
    assert [e.kind for e in latest] == [EventKind.APPROVED, EventKind.SUBMITTED]
    assert latest[0].summary.endswith("approved (no approvals required)")


def test_edit_after_approval_voids_it_and_needs_approval_again(desk, incident):
    statement = draft(desk, incident)
    desk.submit(ANA, statement.id)
    desk.approve(SAM, statement.id)

    version = desk.autosave(ANA, statement.id, "We are investigating. Withdrawals are paused.")
    assert version.number == 2 and not version.sealed
    edited = desk.statement(statement.id)
    assert edited.state is S.DRAFT
    assert edited.approvals == () and edited.approved_text is None
    assert edited.approved_version_id is None
    voided = desk.timeline(kinds=[EventKind.APPROVAL_VOIDED])
    assert voided[0].summary == "'Holding statement': edited after approval; needs approval again"

    desk.submit(ANA, statement.id)
    again = desk.approve(SAM, statement.id)  # Sam's approval of v1 does not carry over to v2
    assert again.state is S.APPROVED and again.approvals == (SAM,)
    assert again.approved_text == "We are investigating. Withdrawals are paused."


def test_edit_during_review_returns_to_draft(desk, incident):
    desk.set_required_approvals(BEN, 2)
    statement = draft(desk, incident)
    desk.submit(ANA, statement.id)
    desk.approve(SAM, statement.id)
    desk.save_version(BEN, statement.id, "Shorter.")
    edited = desk.statement(statement.id)
    assert edited.state is S.DRAFT and edited.approvals == ()
    assert desk.timeline(kinds=["statement.approval_voided"])[0].summary.endswith(
        "edited during review"
    )


@pytest.mark.parametrize(
    ("prepare", "reason"),
    [
        (
            lambda d, sid: d.mark_scheduled(ANA, sid, datetime(2026, 11, 24, 18, 30, tzinfo=UTC)),
            "it is scheduled; cancel the schedule first",
        ),
        (lambda d, sid: d.mark_posted(ANA, sid, ["1861"]), "it has been posted"),
        (lambda d, sid: d.withdraw(ANA, sid, "wrong numbers"), "it was withdrawn; reopen it first"),
    ],
)
def test_edit_is_refused_when_scheduled_posted_or_withdrawn(desk, incident, prepare, reason):
    statement = desk.create_statement(ANA, incident.id, "Holding statement", "Old text")
    desk.save_version(ANA, statement.id, "Old text")
    desk.save_version(ANA, statement.id, HOLDING)
    desk.submit(ANA, statement.id)
    desk.approve(SAM, statement.id)
    prepare(desk, statement.id)
    before = desk.last_event_id()
    old = desk.versions(statement.id)[0]
    for edit in (
        lambda: desk.autosave(ANA, statement.id, "changed"),
        lambda: desk.save_version(SAM, statement.id, "changed"),
        lambda: desk.restore_version(ANA, statement.id, old.id),
    ):
        with pytest.raises(DeskError, match=f"Cannot edit this statement: {reason}"):
            edit()
    assert desk.last_event_id() == before  # nothing written
    assert desk.statement(statement.id).body == HOLDING
    assert len(desk.versions(statement.id)) == 2


def test_autosave_coalesces_for_the_author_and_starts_a_version_for_another(desk, incident):
    statement = desk.create_statement(ANA, incident.id, "Update", "One")
    events = desk.last_event_id()
    first = desk.autosave(ANA, statement.id, "One two")
    second = desk.autosave(ANA, statement.id, "One two three")
    assert first.id == second.id == statement.version_id and second.number == 1
    assert second.body == "One two three" and not second.sealed
    assert desk.last_event_id() == events  # typing writes no event
    assert desk.autosave(ANA, statement.id, "One two three") == second  # same text: no-op

    other = desk.autosave(SAM, statement.id, "One two three four")
    assert other.number == 2 and other.author == SAM and not other.sealed
    versions = desk.versions(statement.id)
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].sealed and versions[0].body == "One two three"
    started = desk.timeline(limit=1)[0]
    assert started.kind == EventKind.VERSION_STARTED
    assert started.summary == f"{SAM} started v2 of 'Update'"

    back = desk.autosave(ANA, statement.id, "One two three four five")
    assert back.number == 3 and back.author == ANA  # Sam's open version is not Ana's to change


def test_save_version_seals_and_is_a_no_op_when_nothing_changed(desk, incident):
    statement = desk.create_statement(ANA, incident.id, "Update", "Draft text")
    saved = desk.save_version(ANA, statement.id, "Draft text")
    assert saved.sealed and saved.number == 1
    assert desk.timeline(limit=1)[0].summary == "'Update': v1 saved"
    events = desk.last_event_id()
    assert desk.save_version(ANA, statement.id, "Draft text").id == saved.id
    assert desk.last_event_id() == events

    next_version = desk.save_version(ANA, statement.id, "Better text")
    assert next_version.number == 2 and next_version.sealed
    assert [e.kind for e in desk.timeline(limit=2)] == [
        EventKind.VERSION_SAVED,
        EventKind.VERSION_STARTED,
    ]


def test_restore_creates_a_sealed_version_with_the_old_text(desk, incident):
    statement = desk.create_statement(ANA, incident.id, "Update", "First words")
    desk.save_version(ANA, statement.id, "First words")
    desk.save_version(SAM, statement.id, "Second words")
    first = desk.versions(statement.id)[0]

    restored = desk.restore_version(BEN, statement.id, first.id)
    assert (restored.number, restored.body, restored.author, restored.sealed) == (
        3,
        "First words",
        BEN,
        True,
    )
    assert desk.statement(statement.id).body == "First words"
    assert desk.timeline(limit=1)[0].summary == "'Update': restored v1 as v3"
    other = desk.create_statement(ANA, incident.id, "Other", "x")
    with pytest.raises(DeskError, match="is not a version of 'Other'"):
        desk.restore_version(ANA, other.id, first.id)


def test_template_problem_blocks_submit_with_line_and_name(desk, incident):
    statement = desk.create_statement(
        ANA, incident.id, "Update", "We are on it.\nNext update by {{ incident.next_updat }}."
    )
    with pytest.raises(DeskError) as refused:
        desk.submit(ANA, statement.id)
    message = str(refused.value)
    assert message.startswith("Cannot submit: Line 2")
    assert "next_updat" in message
    assert desk.statement(statement.id).state is S.DRAFT


def test_template_problem_blocks_approve_when_a_fact_disappears(desk, incident):
    statement = draft(desk, incident)
    desk.submit(ANA, statement.id)
    desk.update_incident(BEN, incident.id, facts={"asset": "ETH"})  # next_update removed
    with pytest.raises(DeskError, match=r"^Cannot approve: Line 1: 'next_update' is not defined"):
        desk.approve(SAM, statement.id)
    assert desk.statement(statement.id).approvals == ()


def test_empty_statement_cannot_be_submitted(desk, incident):
    statement = desk.create_statement(ANA, incident.id, "Empty")
    with pytest.raises(DeskError, match="the statement is empty"):
        desk.submit(ANA, statement.id)


def test_withdraw_needs_a_reason_and_reopen_makes_a_draft_needing_new_approvals(desk, incident):
    statement = draft(desk, incident)
    desk.submit(ANA, statement.id)
    desk.approve(SAM, statement.id)
    with pytest.raises(DeskError, match="Say why"):
        desk.withdraw(ANA, statement.id, "  ")
    withdrawn = desk.withdraw(ANA, statement.id, "Numbers not confirmed")
    assert withdrawn.state is S.WITHDRAWN and withdrawn.note == "Numbers not confirmed"
    assert withdrawn.approved_text is None and withdrawn.approvals == ()

    reopened = desk.reopen(BEN, statement.id)
    assert reopened.state is S.DRAFT
    assert desk.submit(ANA, statement.id).approvals == ()  # the old approval does not count
    with pytest.raises(DeskError, match="Cannot reopen this statement"):
        desk.reopen(BEN, statement.id)


def test_publishing_moves_schedule_unschedule_fail_post(desk, incident):
    statement = draft(desk, incident)
    with pytest.raises(DeskError, match="Cannot schedule this statement: it is draft"):
        desk.mark_scheduled(ANA, statement.id, datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
    desk.submit(ANA, statement.id)
    desk.approve(SAM, statement.id)

    due = datetime(2026, 11, 25, 2, 30, tzinfo=UTC).astimezone()  # any zone; kept as UTC
    scheduled = desk.mark_scheduled(ANA, statement.id, due, "with the live stream")
    assert scheduled.state is S.SCHEDULED
    assert scheduled.note == "due 2026-11-25 02:30 UTC; with the live stream"
    assert desk.unschedule(ANA, statement.id).state is S.APPROVED
    failed = desk.mark_failed(ANA, statement.id, "503 from X")
    assert failed.state is S.FAILED and failed.note == "503 from X"
    posted = desk.mark_posted(ANA, statement.id, ["1861", "1862"])
    assert posted.state is S.POSTED and posted.note == "posted as 1861, 1862"
    assert kinds(desk, kinds=["statement"])[:4] == [
        EventKind.POSTED,
        EventKind.POST_FAILED,
        EventKind.UNSCHEDULED,
        EventKind.SCHEDULED,
    ]
    posted_event = desk.timeline(limit=1)[0]
    assert posted_event.data == {"post_ids": ["1861", "1862"]}
    assert posted_event.version_id == posted.approved_version_id


def test_rename_records_old_and_new_title(desk, incident):
    statement = draft(desk, incident)
    renamed = desk.rename_statement(BEN, statement.id, "First word")
    assert renamed.title == "First word"
    assert desk.timeline(limit=1)[0].summary == "Renamed 'Holding statement' to 'First word'"


def test_list_statements_newest_updated_first_and_by_incident(desk, incident, clock):
    first = desk.create_statement(ANA, incident.id, "First", "a")
    clock.advance(seconds=5)
    second = desk.create_statement(ANA, incident.id, "Second", "b")
    clock.advance(seconds=5)
    desk.autosave(ANA, first.id, "a, edited")
    listed = desk.list_statements(incident.id)
    assert [s.title for s in listed] == ["First", "Second"]
    assert listed[0].body == "a, edited" and listed[0].version_number == 1

    desk.close_incident(BEN, incident.id)
    clock.advance(minutes=1)
    later = desk.start_incident(BEN, "Another", Severity.P3)
    desk.create_statement(SAM, later.id, "Third", "c")
    assert [s.title for s in desk.list_statements(later.id)] == ["Third"]
    assert [s.title for s in desk.list_statements(None)] == ["Third", "First", "Second"]
    assert desk.statement(second.id) == desk.list_statements(incident.id)[1]


# --- incidents ----------------------------------------------------------------------------------


def test_start_incident_refuses_a_second_active_one(desk, incident):
    assert desk.active_incident() == incident
    assert incident.header_label(datetime(2026, 11, 24, 14, 0, 1, tzinfo=UTC)) == "P1 · T+3h12m"
    with pytest.raises(DeskError, match="'ETH cold wallet drained' is still active"):
        desk.start_incident(ANA, "Another", Severity.P2)
    with pytest.raises(DeskError, match="title is required"):
        desk.start_incident(ANA, "  ", Severity.P2)


def test_start_incident_checks_fact_names(desk):
    with pytest.raises(DeskError, match="must start with a lower-case letter"):
        desk.start_incident(ANA, "Outage", Severity.P2, facts={"Next Update": "18:30"})
    assert desk.active_incident() is None
    assert desk.last_event_id() == 0


def test_update_incident_summary_lists_what_changed(desk, incident):
    updated = desk.update_incident(
        ANA,
        incident.id,
        severity=Severity.P2,
        facts={"asset": "ETH", "next_update": "19:00", "amount": "4,213 ETH"},
    )
    assert updated.severity is Severity.P2
    assert updated.facts == {"asset": "ETH", "next_update": "19:00", "amount": "4,213 ETH"}
    event = desk.timeline(limit=1)[0]
    assert event.kind == EventKind.INCIDENT_EDITED
    assert event.summary == (
        "Severity P1 → P2; fact next_update set to 19:00; fact amount set to 4,213 ETH"
    )
    desk.update_incident(ANA, incident.id, facts={"asset": "ETH"}, summary="Contained.")
    assert desk.timeline(limit=1)[0].summary == (
        "Summary updated; fact next_update removed; fact amount removed"
    )
    events = desk.last_event_id()
    desk.update_incident(ANA, incident.id, severity="P2", facts={"asset": "ETH"})
    assert desk.last_event_id() == events  # nothing changed, nothing recorded


def test_close_incident_then_list_newest_first(desk, incident, clock):
    closed = desk.close_incident(BEN, incident.id, "Funds covered")
    assert not closed.is_active and closed.closed_at == clock.now
    assert desk.active_incident() is None
    assert desk.timeline(limit=1)[0].summary == "Closed 'ETH cold wallet drained': Funds covered"
    with pytest.raises(DeskError, match="already closed"):
        desk.close_incident(BEN, incident.id)
    newer = desk.start_incident(ANA, "Login codes delayed", "P3")
    assert [i.id for i in desk.list_incidents()] == [newer.id, incident.id]
    assert desk.incident(incident.id).closed_at == clock.now


# --- timeline queries ---------------------------------------------------------------------------


def test_timeline_filters_by_group_kind_actor_text_and_after_id(desk, incident):
    statement = draft(desk, incident)
    mark = desk.last_event_id()
    desk.submit(ANA, statement.id)
    desk.approve(SAM, statement.id)
    desk.record(BEN, EventKind.DESK_OPENED, "Desk opened on Ben's laptop")

    assert kinds(desk, kinds=["incident"]) == [EventKind.INCIDENT_STARTED]
    assert kinds(desk, kinds=["statement.approved", "desk"]) == [
        EventKind.DESK_OPENED,
        EventKind.APPROVED,
    ]
    assert kinds(desk, actor=SAM) == [EventKind.APPROVED]
    assert [e.summary for e in desk.timeline(text="LAPTOP")] == ["Desk opened on Ben's laptop"]
    assert desk.timeline(text="100%") == []  # % is matched literally
    assert kinds(desk, after_id=mark) == [
        EventKind.DESK_OPENED,
        EventKind.APPROVED,
        EventKind.SUBMITTED,
    ]
    newest = desk.timeline()
    assert [e.id for e in newest] == sorted((e.id for e in newest), reverse=True)
    assert desk.timeline(before_id=newest[0].id, limit=1)[0].id == newest[1].id
    assert len(desk.timeline(incident_id=incident.id)) == len(newest) - 1  # all but "desk opened"
    assert desk.timeline_actors() == [ANA, BEN, SAM]
    assert desk.last_event_id() == newest[0].id


def test_every_mutation_is_refused_without_an_operator_name(desk, incident):
    with pytest.raises(DeskError, match="operator's name is required"):
        desk.create_statement("  ", incident.id, "Nameless")


# --- the demo -----------------------------------------------------------------------------------


def test_demo_seeds_every_state_and_its_chain_verifies(desk, clock):
    seed_demo(desk)
    statements = desk.list_statements(None)
    assert {s.state for s in statements} == set(S)
    active = desk.active_incident()
    assert active is not None and active.severity is Severity.P1
    assert "ETH" in active.title and active.facts["amount"].startswith("401,347 ETH")
    assert len([i for i in desk.list_incidents() if not i.is_active]) >= 1
    assert desk.approval_policy().required == 2
    assert {s.version_author for s in statements} >= {
        "Ben Zhou (founder)",
        "Ana Ruiz (comms)",
        "Sam Okafor (legal)",
    }
    assert any(len(s.approved_text or "") > 280 for s in statements)  # a thread
    assert any("{{" in s.body for s in statements)
    for s in statements:  # approved text is always fully rendered
        assert s.approved_text is None or "{{" not in s.approved_text
    report = desk.verify_timeline()
    assert report.intact and report.checked == desk.last_event_id() > 50
    events = desk.timeline(incident_id=active.id)
    assert events[0].at - events[-1].at > timedelta(hours=2, minutes=30)  # spread over hours
    in_order = [e.at for e in reversed(desk.timeline(limit=1000))]
    assert in_order == sorted(in_order)
    assert desk.clock is clock  # the desk's own clock is back


def test_demo_leaves_a_desk_with_incidents_alone(desk, incident):
    events = desk.last_event_id()
    seed_demo(desk)
    assert desk.last_event_id() == events
    assert desk.list_incidents() == [incident]


def test_update_cadence_counts_from_the_last_post(isolated_dirs):
    from datetime import timedelta

    from commsdesk.desk import Desk
    from commsdesk.incidents.incident import Severity

    desk = Desk.open(isolated_dirs)
    incident = desk.start_incident("Ana", "Hot wallet drained", Severity.P1)
    assert desk.update_cadence(incident.id) is None
    desk.set_update_cadence("Ana", incident.id, 30)
    cadence = desk.update_cadence(incident.id)
    assert cadence.every == timedelta(minutes=30)
    assert cadence.last == incident.started_at  # nothing posted yet
    statement = desk.create_statement("Ana", incident.id, "Update", "Withdrawals are open.")
    desk.submit("Ana", statement.id)
    desk.approve("Sam", statement.id)
    posted = desk.mark_posted("Ana", statement.id, ["1850000000000000001"])
    assert desk.update_cadence(incident.id).last == posted.updated_at
    assert desk.timeline(limit=10, text="every 30 min")[0].incident_id == incident.id
    desk.set_update_cadence("Ana", incident.id, 0)
    assert desk.update_cadence(incident.id) is None
    desk.close()
