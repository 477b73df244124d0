"""The desk's tables. Portable SQL types only, so the same schema runs on SQLite and PostgreSQL.

Every datetime column holds naive UTC. The rows here never leave the store: `commsdesk.desk`
turns them into the frozen domain dataclasses.

A change here needs a new migration in `migrations/versions/`; a test compares the two.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAME = 120  # a person's name as typed at the desk
TITLE = 300

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_started_at", "started_at"),
        Index("ix_incidents_closed_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE))
    severity: Mapped[str] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(DateTime())
    closed_at: Mapped[datetime | None] = mapped_column(DateTime())
    summary: Mapped[str] = mapped_column(Text, default="")
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(NAME), default="")


class StatementRow(Base):
    __tablename__ = "statements"
    __table_args__ = (
        Index("ix_statements_incident_id_updated_at", "incident_id", "updated_at"),
        Index("ix_statements_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    title: Mapped[str] = mapped_column(String(TITLE))
    state: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(NAME))
    created_at: Mapped[datetime] = mapped_column(DateTime())
    updated_at: Mapped[datetime] = mapped_column(DateTime())
    # No foreign key: statement_versions already points here, and a cycle would need ALTERs.
    approved_version_id: Mapped[int | None] = mapped_column(Integer)
    approved_text: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")


class VersionRow(Base):
    __tablename__ = "statement_versions"
    __table_args__ = (
        UniqueConstraint(
            "statement_id", "number", name="uq_statement_versions_statement_id_number"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"))
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(NAME))
    created_at: Mapped[datetime] = mapped_column(DateTime())
    updated_at: Mapped[datetime] = mapped_column(DateTime())
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)


class ApprovalRow(Base):
    __tablename__ = "approvals"
    __table_args__ = (
        Index("ix_approvals_statement_id", "statement_id"),
        Index("ix_approvals_version_id", "version_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("statement_versions.id"))
    approver: Mapped[str] = mapped_column(String(NAME))
    at: Mapped[datetime] = mapped_column(DateTime())
    rendered_text: Mapped[str] = mapped_column(Text)
    # Set when the approval stops counting (the statement was withdrawn or edited); kept as record.
    voided_at: Mapped[datetime | None] = mapped_column(DateTime())


class EventRow(Base):
    """One timeline event. Ids are plain integers, not foreign keys: the log outlives rows.
    An id is never used twice (AUTOINCREMENT on SQLite; a sequence on PostgreSQL), so an event
    deleted from the end cannot be replaced by another under its id."""

    __tablename__ = "timeline_events"
    __table_args__ = (
        Index("ix_timeline_events_kind", "kind"),
        Index("ix_timeline_events_actor", "actor"),
        Index("ix_timeline_events_incident_id", "incident_id"),
        Index("ix_timeline_events_statement_id", "statement_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime())
    actor: Mapped[str] = mapped_column(String(NAME))
    kind: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    incident_id: Mapped[int | None] = mapped_column(Integer)
    statement_id: Mapped[int | None] = mapped_column(Integer)
    version_id: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class PolicyRow(Base):
    """Team-wide settings shared by every desk on this database, e.g. required approvals."""

    __tablename__ = "desk_policy"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))


class PublicationRow(Base):
    """One text going to X as a thread, exactly once. `key` makes it idempotent: a statement
    ("statement:42") or a text posted from the command line ("text:<sha256>") is published at
    most once per account, however often it is asked for."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id"))
    account: Mapped[str] = mapped_column(String(NAME))
    sandbox: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(NAME))
    created_at: Mapped[datetime] = mapped_column(DateTime())
    updated_at: Mapped[datetime] = mapped_column(DateTime())
    wait_until: Mapped[datetime | None] = mapped_column(DateTime())
    error: Mapped[str] = mapped_column(Text, default="")
    # When X refuses replies, parts from this position on go out as separate posts.
    standalone_from: Mapped[int | None] = mapped_column(Integer)
    # The run posting it now: taken before any part is sent, renewed with each part, released
    # when the run stops. Another run waits for the lease to end (or for its process to die).
    claim_token: Mapped[str | None] = mapped_column(String(64))
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime())


class OutboxPartRow(Base):
    """One post of a publication. `sent_at` is written before the network call (the intent);
    `post_id` after it (the outcome). A part with an intent and no outcome is reconciled
    against the account's recent posts before anything is sent again."""

    __tablename__ = "outbox_parts"
    __table_args__ = (UniqueConstraint("publication_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    media: Mapped[list[Any]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16))
    post_id: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime())
    posted_at: Mapped[datetime | None] = mapped_column(DateTime())


class SandboxPostRow(Base):
    """Where posts go in drill mode or with no X account: a local feed, marked SANDBOX."""

    __tablename__ = "sandbox_posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(NAME), index=True)
    text: Mapped[str] = mapped_column(Text)
    reply_to: Mapped[int | None] = mapped_column(Integer)
    media: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime())


class ScheduledPostRow(Base):
    """A statement to be posted at `due_at` (naive UTC). `zone` is the zone the person chose,
    kept to show the time as they meant it. The truth for `commsdesk.scheduling.scheduler`; the
    APScheduler jobs are derived from the waiting rows."""

    __tablename__ = "scheduled_posts"
    __table_args__ = (Index("ix_scheduled_posts_state_due_at", "state", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"), unique=True)
    account: Mapped[str] = mapped_column(String(NAME))
    sandbox: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime] = mapped_column(DateTime())
    zone: Mapped[str] = mapped_column(String(64))
    # waiting | posting | posted | missed | failed | cancelled
    state: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(NAME))
    created_at: Mapped[datetime] = mapped_column(DateTime())
    updated_at: Mapped[datetime] = mapped_column(DateTime())
    note: Mapped[str] = mapped_column(Text, default="")


class SchedulerJobRow(Base):
    """APScheduler 3.11's job store, laid out exactly as its SQLAlchemyJobStore creates it, so
    that the migrations own the table. Written by APScheduler only (pickled job state)."""

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(String(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)


class AudienceSourceRow(Base):
    """A place viewer counts come from: kind (youtube, twitch, kick, json_url, manual, replay),
    a label shown on the chart, and its non-secret settings (video id, channel login, URL and
    JSON pointer). Keys and secrets are in the keyring, never here."""

    __tablename__ = "audience_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(NAME), unique=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    interval: Mapped[float] = mapped_column(Float)  # seconds between polls
    created_at: Mapped[datetime] = mapped_column(DateTime())


class AudienceSampleRow(Base):
    """One viewer count. `at` is float seconds since the Unix epoch (UTC), as the series the
    chart draws, so a 12-hour stream reads back without parsing 130,000 datetimes. `viewers`
    NULL is a gap, and `gap_reason` says why (hidden, offline, quota exceeded...)."""

    __tablename__ = "audience_samples"
    __table_args__ = (
        Index("ix_audience_samples_source_id_at", "source_id", "at"),
        Index("ix_audience_samples_incident_id_at", "incident_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("audience_sources.id"))
    at: Mapped[float] = mapped_column(Float)
    viewers: Mapped[int | None] = mapped_column(Integer)
    gap_reason: Mapped[str] = mapped_column(String(32), default="")


class P1MemberRow(Base):
    """One person in the P-1 call chain, in calling order."""

    __tablename__ = "p1_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)
    phone: Mapped[str] = mapped_column(String(16))  # E.164
    ring_seconds: Mapped[int] = mapped_column(Integer)


class P1RunRow(Base):
    """One press of the P-1 button and the chain it started. `chain` is the chain as it stood at
    the press (names, phones, ring times): later edits do not change a running chain."""

    __tablename__ = "p1_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    reason: Mapped[str] = mapped_column(Text)
    pressed_by: Mapped[str] = mapped_column(String(NAME))
    pressed_at: Mapped[datetime] = mapped_column(DateTime())
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    provider: Mapped[str] = mapped_column(String(32))
    rounds: Mapped[int] = mapped_column(Integer)
    chain: Mapped[list[Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))  # running, answered, exhausted, cancelled
    answered_by: Mapped[str | None] = mapped_column(String(NAME))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime())
    replies_since: Mapped[datetime | None] = mapped_column(DateTime())  # texts read up to here


class P1CallRow(Base):
    """One call of a chain. The row is written before the provider is asked (its intent), so a
    desk killed mid-call never calls the same person twice in one round."""

    __tablename__ = "p1_calls"
    __table_args__ = (UniqueConstraint("run_id", "round", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("p1_runs.id"))
    round: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(NAME))
    phone: Mapped[str] = mapped_column(String(16))
    sid: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(300), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime())
    ended_at: Mapped[datetime | None] = mapped_column(DateTime())


class P1MessageRow(Base):
    """A text sent to the chain, a reply to it, or an acknowledgement pressed at a desk."""

    __tablename__ = "p1_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("p1_runs.id"))
    kind: Mapped[str] = mapped_column(String(16))  # sent, reply, acknowledged
    name: Mapped[str] = mapped_column(String(NAME))
    phone: Mapped[str] = mapped_column(String(16), default="")
    sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    body: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime())
