"""What `verify` found: the chain's links, its end against the anchored heads, and the approved
texts against the digests their approving events carry.

An approving event that satisfied the policy carries APPROVED_DIGEST, the SHA-256 of the text
fixed for posting (`commsdesk.statements.statement.approved_digest`); the event is in the chain,
so the statement row's `approved_text` is checked against it. Statements approved before digests
were recorded are listed as such: their text cannot be checked, and that is not a failure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from commsdesk.statements.statement import APPROVED_DIGEST, approved_digest
from commsdesk.timeline.anchor import TimelineHead
from commsdesk.timeline.chain import ChainBreak, ChainReport

LISTED = 5  # statements named in one note before "and N more"


@dataclass(frozen=True)
class Approval:
    """The newest approving event of one statement version."""

    event_id: int
    digest: str | None  # None: approved before digests were recorded


@dataclass(frozen=True)
class ApprovedText:
    statement_id: int
    title: str
    version_id: int | None
    text: str


@dataclass(frozen=True)
class TimelineReport:
    chain: ChainReport
    head: TimelineHead | None = None  # the newest stored event
    problems: tuple[str, ...] = ()  # each makes the record not intact; full sentences
    confirmed: tuple[str, ...] = ()  # what else was checked and holds
    notes: tuple[str, ...] = ()  # worth knowing, not a failure

    @property
    def checked(self) -> int:
        return self.chain.checked

    @property
    def first_break(self) -> ChainBreak | None:
        return self.chain.first_break

    @property
    def intact(self) -> bool:
        return self.chain.intact and not self.problems

    def lines(self) -> list[str]:
        """The verdict first, one finding a line."""
        lines = []
        if (brk := self.first_break) is not None:
            lines.append(
                f"Timeline altered at event #{brk.event_id} (position {brk.position:,} of the "
                f"chain): {brk.reason}."
            )
        lines += self.problems
        if self.intact:
            lines.append(f"Timeline intact: {self.checked:,} events, every hash matches.")
            lines += self.confirmed
        return lines + list(self.notes)


def approvals_by_version(events: Iterable[tuple[int, int, int, dict | None]]) -> dict:
    """(statement id, version id) → Approval, from approving events (id, statement id, version
    id, data) in id order. The newest event with a digest wins: it set the approved text."""
    found: dict[tuple[int, int], Approval] = {}
    for event_id, statement_id, version_id, data in events:
        digest = data.get(APPROVED_DIGEST) if isinstance(data, dict) else None
        key = (statement_id, version_id)
        if digest is not None or key not in found:
            found[key] = Approval(event_id, digest)
    return found


def approved_text_findings(
    texts: Iterable[ApprovedText], approvals: dict[tuple[int, int], Approval]
) -> tuple[list[str], list[str]]:
    """(problems, notes) for every statement holding an approved text."""
    problems, undigested = [], []
    for text in texts:
        name = f"statement #{text.statement_id} '{text.title}'"
        approval = approvals.get((text.statement_id, text.version_id))
        if approval is None:
            problems.append(
                f"Approved text without an approval: {name} holds an approved text, but the "
                "record holds no approval of that version."
            )
        elif approval.digest is None:
            undigested.append(name)
        elif approval.digest != approved_digest(text.text):
            problems.append(
                f"Approved text altered: {name} no longer holds the text approved at event "
                f"#{approval.event_id} (its SHA-256 differs from the one on the record)."
            )
    notes = []
    if undigested:
        named = ", ".join(undigested[:LISTED])
        more = f" and {len(undigested) - LISTED} more" if len(undigested) > LISTED else ""
        notes.append(
            f"Approved before digests were recorded, so their approved text cannot be checked: "
            f"{named}{more}."
        )
    return problems, notes
