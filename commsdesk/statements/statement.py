"""Statements, their versions and the rules that move them from draft to posted.

The states and every allowed move live here; the store and the UI only ask.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class StatementState(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    POSTED = "posted"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "in_review": "In review",
            "approved": "Approved",
            "scheduled": "Scheduled",
            "posted": "Posted",
            "failed": "Failed",
            "withdrawn": "Withdrawn",
        }[self.value]


class Action(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"  # enough approvals collected
    SCHEDULE = "schedule"
    UNSCHEDULE = "unschedule"
    POST = "post"  # posted successfully
    FAIL = "fail"  # posting failed
    WITHDRAW = "withdraw"
    REOPEN = "reopen"


S = StatementState
A = Action

# (state, action) -> new state. Anything not listed is refused.
TRANSITIONS: dict[tuple[StatementState, Action], StatementState] = {
    (S.DRAFT, A.EDIT): S.DRAFT,
    (S.DRAFT, A.SUBMIT): S.IN_REVIEW,
    (S.IN_REVIEW, A.EDIT): S.DRAFT,
    (S.IN_REVIEW, A.APPROVE): S.APPROVED,
    (S.APPROVED, A.EDIT): S.DRAFT,
    (S.APPROVED, A.SCHEDULE): S.SCHEDULED,
    (S.APPROVED, A.POST): S.POSTED,
    (S.APPROVED, A.FAIL): S.FAILED,
    (S.SCHEDULED, A.UNSCHEDULE): S.APPROVED,
    (S.SCHEDULED, A.POST): S.POSTED,
    (S.SCHEDULED, A.FAIL): S.FAILED,
    (S.FAILED, A.EDIT): S.DRAFT,
    (S.FAILED, A.POST): S.POSTED,
    (S.FAILED, A.SCHEDULE): S.SCHEDULED,
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.IN_REVIEW, A.WITHDRAW): S.WITHDRAWN,
    (S.APPROVED, A.WITHDRAW): S.WITHDRAWN,
    (S.SCHEDULED, A.WITHDRAW): S.WITHDRAWN,
    (S.FAILED, A.WITHDRAW): S.WITHDRAWN,
    (S.WITHDRAWN, A.REOPEN): S.DRAFT,
}

WHY_NOT = {
    S.SCHEDULED: "it is scheduled; cancel the schedule first",
    S.POSTED: "it has been posted; posts are never changed, write a follow-up instead",
    S.WITHDRAWN: "it was withdrawn; reopen it first",
}


class TransitionRefused(Exception):
    """An action that the statement's state does not allow; the message says why."""


def next_state(state: StatementState, action: Action) -> StatementState:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        reason = WHY_NOT.get(state, f"it is {state.label.lower()}")
        raise TransitionRefused(f"Cannot {action.value} this statement: {reason}.") from None


def allowed(state: StatementState, action: Action) -> bool:
    return (state, action) in TRANSITIONS


# States whose approvals an edit voids: their text changes only after a person chooses to take
# the statement back to draft (`return_to_draft`), never by a stray keystroke.
EDIT_VOIDS_APPROVALS = (S.IN_REVIEW, S.APPROVED, S.FAILED)

# How a scheduled statement reads while its scheduled post is not simply waiting.
SCHEDULE_STATUS = {
    "posting": ("Posting…", "approved"),
    "missed": ("Missed: review", "failed"),
    "failed": ("Failed", "failed"),
}


@dataclass(frozen=True)
class ApprovalPolicy:
    """N approvals by people other than the author of the version (0 for a solo founder)."""

    required: int = 1

    def __post_init__(self) -> None:
        if self.required < 0:
            raise ValueError("required approvals cannot be negative")

    def counted(self, author: str, approvers: Iterable[str]) -> set[str]:
        """Approvers that count: distinct, and not the author (names compared as
        `person_key` compares them: without case or runs of whitespace)."""
        author_key = person_key(author)
        counted: dict[str, str] = {}
        for approver in approvers:
            key = person_key(approver)
            if key and key != author_key:
                counted.setdefault(key, " ".join(approver.split()))
        return set(counted.values())

    def is_satisfied(self, author: str, approvers: Iterable[str]) -> bool:
        return len(self.counted(author, approvers)) >= self.required

    def may_approve(self, author: str, approver: str) -> bool:
        if self.required == 0:
            return True
        return not same_person(approver, author)


def person_key(name: str) -> str:
    """A person's name as the approval rules compare it: "Mira  Chen (Founder)", "mira chen"
    and "Mira Chen (CEO)" are one person. Case, runs of whitespace (any kind, at either end
    too) and a role in brackets after the name (the desk's "name (role)") do not tell two
    people apart."""
    key = " ".join(name.split()).casefold()
    if key.endswith(")") and " (" in key:
        key = key[: key.rindex(" (")].strip() or key  # a name that is all role stays itself
    return key


def same_person(a: str, b: str) -> bool:
    """Whether two actors' names are one person for the approval rules (`person_key`)."""
    return person_key(a) == person_key(b)


@dataclass(frozen=True)
class StatementVersion:
    id: int
    statement_id: int
    number: int
    body: str
    author: str
    created_at: datetime
    updated_at: datetime
    sealed: bool
    # Set when someone changed the statement after the text saved here was loaded: both
    # versions are kept, and this says who and which.
    meanwhile: str = ""


@dataclass(frozen=True)
class Approval:
    id: int
    statement_id: int
    version_id: int
    approver: str
    at: datetime
    rendered_text: str


@dataclass(frozen=True)
class Statement:
    id: int
    incident_id: int
    title: str
    state: StatementState
    created_by: str
    created_at: datetime
    updated_at: datetime
    body: str  # the newest version's body (template source)
    version_number: int
    version_id: int
    version_author: str
    approved_version_id: int | None = None
    approved_text: str | None = None  # rendered text fixed at approval; what gets posted
    approvals: tuple[str, ...] = ()  # approvers of the newest version
    note: str = ""  # last failure reason, withdrawal reason, schedule time ...
    schedule: str | None = None  # while scheduled: its post's state (waiting, missed, ...)

    @property
    def status(self) -> tuple[str, str]:
        """(label, colour key) every panel shows: the state, or for a scheduled statement what
        its scheduled post is doing ("Missed: review" while it waits for a person)."""
        if self.state is S.SCHEDULED and self.schedule in SCHEDULE_STATUS:
            return SCHEDULE_STATUS[self.schedule]
        return self.state.label, self.state.value


APPROVED_DIGEST = "approved_sha256"  # the key of the digest in the approving event's data


def approved_digest(text: str) -> str:
    """The SHA-256 of an approved text, carried by the event that approved it: posting checks
    the text against it, and `timeline verify` checks every approved text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
