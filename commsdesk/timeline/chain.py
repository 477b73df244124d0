"""The append-only timeline: every action the desk takes, chained by hashes.

Each event's hash covers its own fields and the previous event's hash, so any edit, deletion or
reordering of stored events shows up as the first event whose hash no longer matches.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from commsdesk.clock import as_utc

GENESIS_HASH = "0" * 64


class EventKind(StrEnum):
    DESK_OPENED = "desk.opened"
    OPERATOR_SET = "desk.operator"
    POLICY_CHANGED = "desk.policy"
    DRILL_MODE = "desk.drill_mode"
    INCIDENT_STARTED = "incident.started"
    INCIDENT_EDITED = "incident.edited"
    INCIDENT_CLOSED = "incident.closed"
    STATEMENT_CREATED = "statement.created"
    STATEMENT_RENAMED = "statement.renamed"
    VERSION_STARTED = "statement.version_started"
    VERSION_SAVED = "statement.version_saved"
    VERSION_RESTORED = "statement.version_restored"
    SUBMITTED = "statement.submitted"
    APPROVED = "statement.approved"
    APPROVAL_VOIDED = "statement.approval_voided"
    WITHDRAWN = "statement.withdrawn"
    REOPENED = "statement.reopened"
    SCHEDULED = "statement.scheduled"
    UNSCHEDULED = "statement.unscheduled"
    POSTED = "statement.posted"
    POST_FAILED = "statement.post_failed"
    PUBLISH_STARTED = "post.started"
    PART_POSTED = "post.part_posted"
    PART_RECONCILED = "post.reconciled"
    POST_RETRY = "post.retry"
    RATE_LIMITED = "post.rate_limited"
    REPLIES_REFUSED = "post.replies_refused"
    PUBLISH_FAILED = "post.failed"
    PUBLISHED = "post.published"
    POST_HELD = "post.held"  # stopped before a part by Pause all or Drill mode
    PAUSE_OVERRIDDEN = "post.despite_pause"
    ACCOUNT_NEEDS_CREDENTIALS = "account.needs_credentials"
    RESCHEDULED = "schedule.rescheduled"
    SCHEDULE_MISSED = "schedule.missed"
    SCHEDULE_FAILED = "schedule.failed"
    SCHEDULE_PAUSED = "schedule.paused"
    SCHEDULE_RESUMED = "schedule.resumed"
    SCHEDULE_LEADER = "schedule.leader"  # a desk took over running the team's scheduled posts
    SCHEDULE_TAKEN_OVER = "schedule.taken_over"  # a post another desk left mid-way, continued
    AUDIENCE_ADVICE = "audience.advice"
    AUDIENCE_ADVICE_WITHDRAWN = "audience.advice_withdrawn"
    AUDIENCE_SAMPLE_STRUCK = "audience.sample_struck"  # a person struck a reading from the record
    AUDIENCE_SUDDEN_DROP = "audience.sudden_drop"
    AUDIENCE_SOURCE_ADDED = "audience.source_added"
    AUDIENCE_SOURCE_CHANGED = "audience.source_changed"
    AUDIENCE_SOURCE_REMOVED = "audience.source_removed"
    BROADCAST_SCENE = "broadcast.scene"
    BROADCAST_SLIDE = "broadcast.slide"
    BROADCAST_LIVE = "broadcast.back_live"
    BROADCAST_STREAM_STARTED = "broadcast.stream_started"  # from OBS's own StreamStateChanged
    BROADCAST_STOPPED = "broadcast.stream_stopped"
    BROADCAST_RECORDING = "broadcast.recording_started"  # a drill's go-live, instead of a stream
    BROADCAST_RECORDING_STOPPED = "broadcast.recording_stopped"
    BROADCAST_CONNECTION = "broadcast.connection"
    BROADCAST_FAILED = "broadcast.failed"
    P1_CHAIN_CHANGED = "p1.chain_changed"  # a person added or removed, the rounds or the room set
    P1_PRESSED = "p1.pressed"
    P1_CALL_PLACED = "p1.call_placed"
    P1_CALL_ENDED = "p1.call_ended"
    P1_ANSWERED = "p1.answered"
    P1_EXHAUSTED = "p1.exhausted"  # every round called, no one answered
    P1_CANCELLED = "p1.cancelled"
    P1_TEXTED = "p1.texted"
    P1_REPLY = "p1.reply"
    P1_ACKNOWLEDGED = "p1.acknowledged"
    DRILL_STARTED = "drill.started"  # a scored drill (commsdesk.drill) began
    DRILL_STEP_FAILED = "drill.step_failed"
    DRILL_SCORED = "drill.scored"  # its scorecard
    DRILL_PROGRESS = "drill.progress"  # its scorecard so far, just before it writes its report
    # A person marked an event as worth reading (the report can list only these), or took the
    # mark off: data {"event_id": N}; the newest of the two for an event is its state.
    TIMELINE_STARRED = "timeline.starred"
    TIMELINE_UNSTARRED = "timeline.unstarred"

    @property
    def group(self) -> str:
        return self.value.split(".", 1)[0]


@dataclass(frozen=True)
class TimelineEvent:
    id: int
    at: datetime  # naive UTC, microsecond precision, as stored
    actor: str
    kind: str
    summary: str
    incident_id: int | None = None
    statement_id: int | None = None
    version_id: int | None = None
    data: dict = field(default_factory=dict)
    prev_hash: str = GENESIS_HASH
    hash: str = ""


def event_hash(
    prev_hash: str,
    at: datetime,
    actor: str,
    kind: str,
    summary: str,
    incident_id: int | None,
    statement_id: int | None,
    version_id: int | None,
    data: dict,
) -> str:
    """SHA-256 over a canonical JSON of the event's content and the previous hash."""
    payload = json.dumps(
        [
            prev_hash,
            as_utc(at).replace(tzinfo=None).isoformat(timespec="microseconds"),
            actor,
            kind,
            summary,
            incident_id,
            statement_id,
            version_id,
            data,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def hash_of(event: TimelineEvent) -> str:
    return event_hash(
        event.prev_hash,
        event.at,
        event.actor,
        event.kind,
        event.summary,
        event.incident_id,
        event.statement_id,
        event.version_id,
        event.data,
    )


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    position: int  # 1-based position in the chain
    reason: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify_chain(events: Iterable[TimelineEvent]) -> ChainReport:
    """Walk events in id order; report the first whose links or hash do not hold."""
    expected_prev = GENESIS_HASH
    count = 0
    for count, event in enumerate(events, start=1):
        if event.prev_hash != expected_prev:
            return ChainReport(
                count,
                ChainBreak(
                    event.id,
                    count,
                    "its link to the previous event is broken "
                    "(an event before it was removed, inserted or changed)",
                ),
            )
        if hash_of(event) != event.hash:
            return ChainReport(
                count, ChainBreak(event.id, count, "its content no longer matches its hash")
            )
        expected_prev = event.hash
    return ChainReport(count, None)
