"""The timeline ledger: chaining events inside the use cases' transactions and reading them
back. The head of each committed append is anchored outside the database
(commsdesk.timeline.anchor); commsdesk.timeline.verify checks the chain."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, or_, select
from sqlalchemy.orm import Session

from commsdesk.clock import utc_now
from commsdesk.store.models import EventRow, StatementRow
from commsdesk.store.session import DeskError, Sessions, actor_name, required_text
from commsdesk.timeline.anchor import AnchorFile, TimelineHead, anchor_beside
from commsdesk.timeline.chain import GENESIS_HASH, EventKind, TimelineEvent, event_hash

# PostgreSQL advisory lock held by the transaction appending to the timeline (any constant
# works; advisory locks are per database).
CHAIN_LOCK_KEY = 0x436F6D6D7344
# session.info key: the TimelineHead appended last (count None: do not anchor it)
_CHAIN_HEAD = "commsdesk.chain_head"
_TAKE_CHAIN_LOCK = select(func.pg_advisory_xact_lock(CHAIN_LOCK_KEY))
_CHAIN_HEAD_QUERY = (
    select(EventRow.id, EventRow.hash).order_by(EventRow.id.desc()).limit(1).with_for_update()
)
_EMPTY_CHAIN = TimelineHead(GENESIS_HASH, 0, 0)
_EVENT_COLUMNS = tuple(c.key for c in EventRow.__table__.columns if c.key != "id")
_INSERT_EVENT = insert(EventRow.__table__).returning(EventRow.__table__.c.id)
_STAR_KINDS = (str(EventKind.TIMELINE_STARRED), str(EventKind.TIMELINE_UNSTARRED))
_STARRED_SUMMARY = 80  # characters of the starred event's summary repeated in the star's

log = logging.getLogger(__name__)


def event_from(row: Any) -> TimelineEvent:
    """From an EventRow or a row of the timeline_events table; `at` stays naive, as hashed."""
    return TimelineEvent(
        id=row.id,
        at=row.at,
        actor=row.actor,
        kind=row.kind,
        summary=row.summary,
        incident_id=row.incident_id,
        statement_id=row.statement_id,
        version_id=row.version_id,
        data=row.data if row.data is not None else {},
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


class Ledger(Sessions):
    """The hash-chained timeline of one database, and its anchored head."""

    def __init__(
        self,
        engine: Engine,
        *,
        path: Path | None = None,
        anchor: Path | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(engine, path=path, clock=clock)
        self._lock_chain = engine.dialect.name == "postgresql"
        # The timeline's end outside the database (commsdesk.timeline.anchor); none in memory.
        if anchor is None and path is not None:
            anchor = anchor_beside(path)
        self.anchor = AnchorFile(anchor) if anchor is not None else None
        self._warned_cut = False

    def append_event(
        self,
        session: Session,
        actor: str,
        kind: EventKind | str,
        summary: str,
        **refs: Any,
    ) -> TimelineEvent:
        """Chain an event inside the caller's transaction (refs: incident_id, statement_id,
        version_id, data)."""
        row = self._append(session, self._now(), actor_name(actor), str(kind), summary, **refs)
        return event_from(row)

    def newest_event(
        self, session: Session, kinds: Iterable[str], *, incident_id: int | None = None
    ) -> TimelineEvent | None:
        """The newest event of these kinds, inside the caller's transaction, with appenders
        held back until it ends (on SQLite its write transaction already does that): a check
        then an append in the same transaction cannot miss another desk's append."""
        if self._lock_chain:
            session.execute(_TAKE_CHAIN_LOCK)
        query = select(EventRow).where(EventRow.kind.in_([str(kind) for kind in kinds]))
        if incident_id is None:
            query = query.where(EventRow.incident_id.is_(None))
        else:
            query = query.where(EventRow.incident_id == incident_id)
        row = session.scalar(query.order_by(EventRow.id.desc()).limit(1))
        return None if row is None else event_from(row)

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """A write transaction (Sessions._write); once it has committed events, their head is
        anchored."""
        with super()._write() as session:
            yield session
            appended = session.info.get(_CHAIN_HEAD)
        if appended is not None and appended.count is not None and self.anchor is not None:
            self.anchor.advance(appended)

    def _append(
        self,
        session: Session,
        at: datetime,
        actor: str,
        kind: EventKind | str,
        summary: str,
        *,
        incident_id: int | None = None,
        statement_id: int | None = None,
        version_id: int | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> EventRow:
        """Chain a new event to the newest one, inside the caller's transaction.

        Appenders must queue, or two would chain to the same event. SQLite's write transactions
        already do (BEGIN IMMEDIATE). On PostgreSQL, FOR UPDATE on the newest row does not: under
        READ COMMITTED a waiter gets the row it locked, not the one committed meanwhile, so the
        transaction first takes an advisory lock, released at its commit or rollback."""
        # The newest event this transaction appended is the head: no need to ask again (the
        # lock taken for the first append holds until the transaction ends).
        head = session.info.get(_CHAIN_HEAD)
        if head is None:
            if self._lock_chain:
                session.execute(_TAKE_CHAIN_LOCK)
            head = self._stored_head(session)
        prev_hash = head.hash
        # Hash exactly what the JSON column will give back (tuples become lists, keys strings).
        payload = json.loads(json.dumps(dict(data or {}), ensure_ascii=False))
        kind = str(kind)
        row = EventRow(
            at=at,
            actor=actor,
            kind=kind,
            summary=summary,
            incident_id=incident_id,
            statement_id=statement_id,
            version_id=version_id,
            data=payload,
            prev_hash=prev_hash,
            hash=event_hash(
                prev_hash, at, actor, kind, summary, incident_id, statement_id, version_id, payload
            ),
        )
        # One INSERT, not the ORM's unit of work: the row is never changed after, and appends
        # happen on every OBS state change and push, while the UI thread wants the GIL.
        values = {column: getattr(row, column) for column in _EVENT_COLUMNS}
        row.id = session.execute(_INSERT_EVENT, values).scalar_one()
        count = head.count + 1 if head.count is not None else None
        session.info[_CHAIN_HEAD] = TimelineHead(row.hash, row.id, count, at)
        return row

    def _stored_head(self, session: Session) -> TimelineHead:
        """The newest stored event, under the appenders' lock, with the number of events up to
        it when the chain still holds the anchored head (else count None: the anchor stays as
        evidence). Cheap when this desk wrote the anchor: no query beyond the newest row."""
        # The file first: it never names an event that the query below cannot see.
        seen = self.anchor.seen() if self.anchor is not None else None
        newest = session.execute(_CHAIN_HEAD_QUERY).first()
        stored = TimelineHead(newest.hash, newest.id) if newest is not None else _EMPTY_CHAIN
        if self.anchor is None:
            return stored
        if seen is None:  # a new desk, or one from before anchoring: count once
            total = session.scalar(select(func.count()).select_from(EventRow)) or 0
            return TimelineHead(stored.hash, stored.event_id, total)
        if (stored.event_id, stored.hash) == (seen.event_id, seen.hash):
            return TimelineHead(stored.hash, stored.event_id, seen.count)
        if stored.event_id > seen.event_id and seen.hash == session.scalar(
            select(EventRow.hash).where(EventRow.id == seen.event_id)
        ):  # another desk appended since
            since = session.scalar(
                select(func.count()).select_from(EventRow).where(EventRow.id > seen.event_id)
            )
            return TimelineHead(stored.hash, stored.event_id, seen.count + since)
        if not self._warned_cut:
            self._warned_cut = True
            log.warning(
                "The timeline no longer holds %s, the head this desk last saw; the anchor is "
                "kept as it is. Run `commsdesk timeline verify`.",
                seen,
            )
        return TimelineHead(stored.hash, stored.event_id)

    def record(
        self,
        actor: str,
        kind: EventKind | str,
        summary: str,
        *,
        incident_id: int | None = None,
        statement_id: int | None = None,
        version_id: int | None = None,
        data: dict | None = None,
    ) -> TimelineEvent:
        """Append an event for something done outside the Desk (e.g. the desk was opened)."""
        actor = actor_name(actor)
        kind = required_text(str(kind), "An event's kind", 64)
        summary = required_text(summary, "An event's summary", 10_000)
        with self._write() as session:
            row = self._append(
                session,
                self._now(),
                actor,
                kind,
                summary,
                incident_id=incident_id,
                statement_id=statement_id,
                version_id=version_id,
                data=data,
            )
            return event_from(row)

    def record_stream_ended(self, actor: str, live_seconds: float | None) -> TimelineEvent:
        """The live stream was ended (after OBS confirmed it), with how long it ran."""
        return self.record_stream_state(actor, False, live_seconds=live_seconds)

    def record_stream_state(
        self, actor: str, live: bool, *, live_seconds: float | None = None, where: str = ""
    ) -> TimelineEvent | None:
        """The stream started or stopped, as OBS said. Recorded once per change whichever
        paths report it (the desk that pressed the button, every desk hearing OBS's event, the
        command line): None when the newest stream event already says so."""
        from commsdesk.broadcast.on_air import live_span

        kinds = [EventKind.BROADCAST_STREAM_STARTED, EventKind.BROADCAST_STOPPED]
        with self._write() as session:
            newest = self.newest_event(session, kinds, incident_id=None)
            if newest is not None and (newest.kind == EventKind.BROADCAST_STREAM_STARTED) == live:
                return None
            if live:
                summary = f"Live stream started{f' to {where}' if where else ''}"
                data = {"destination": where}
                kind = EventKind.BROADCAST_STREAM_STARTED
            else:
                ran = live_span(live_seconds) if live_seconds is not None else "an unknown time"
                summary, kind = f"Live stream ended after {ran}", EventKind.BROADCAST_STOPPED
                data = {"live_seconds": live_seconds}
            row = self._append(session, self._now(), actor_name(actor), str(kind), summary,
                               data=data)  # fmt: skip
            return event_from(row)

    # --- stars: events a person marked as worth reading ------------------------------------
    def star_event(self, actor: str, event_id: int) -> TimelineEvent:
        """Star event `event_id`: a timeline.starred event, chained like any other, under the
        starred event's incident (its statement's, for a post.* event). DeskError for an event
        that does not exist, is already starred, or is itself a star."""
        return self._set_star(actor, event_id, starred=True)

    def unstar_event(self, actor: str, event_id: int) -> TimelineEvent:
        """Take the star off event `event_id` (timeline.unstarred); DeskError when it has none."""
        return self._set_star(actor, event_id, starred=False)

    def starred_event_ids(
        self, incident_id: int | None = None, *, up_to: int | None = None
    ) -> set[int]:
        """The ids of the events starred now (the newest star or unstar of each wins); with
        `incident_id`, only stars recorded under that incident (a desk-wide event's star has
        none); with `up_to`, as the record stood at that event id."""
        query = select(EventRow.kind, EventRow.data).where(EventRow.kind.in_(_STAR_KINDS))
        if incident_id is not None:
            query = query.where(EventRow.incident_id == incident_id)
        if up_to is not None:
            query = query.where(EventRow.id <= up_to)
        starred: set[int] = set()
        with self._read() as session:
            for kind, data in session.execute(query.order_by(EventRow.id)):
                marked = (data or {}).get("event_id")
                if not isinstance(marked, int):
                    continue
                if kind == EventKind.TIMELINE_STARRED:
                    starred.add(marked)
                else:
                    starred.discard(marked)
        return starred

    def _set_star(self, actor: str, event_id: int, *, starred: bool) -> TimelineEvent:
        actor = actor_name(actor)
        with self._write() as session:
            if self._lock_chain:  # the check and the append see the same stars (see newest_event)
                session.execute(_TAKE_CHAIN_LOCK)
            target = session.get(EventRow, int(event_id))
            if target is None:
                raise DeskError(f"There is no timeline event #{event_id}.")
            if target.kind in _STAR_KINDS:
                marked = (target.data or {}).get("event_id")
                what = "a star" if target.kind == EventKind.TIMELINE_STARRED else "a star taken off"
                raise DeskError(
                    f"Event #{target.id} is itself {what}, not something that happened: star "
                    f"the event it marks (#{marked}) instead."
                )
            newest = self._newest_star(session, target.id)
            is_starred = newest is not None and newest.kind == EventKind.TIMELINE_STARRED
            if starred and is_starred:
                raise DeskError(f"Event #{target.id} is already starred (by {newest.actor} at "
                                f"{newest.at:%H:%M:%S} UTC).")  # fmt: skip
            if not starred and not is_starred:
                raise DeskError(f"Event #{target.id} is not starred.")
            incident_id = target.incident_id
            if incident_id is None and target.statement_id is not None:
                incident_id = session.scalar(
                    select(StatementRow.incident_id).where(StatementRow.id == target.statement_id)
                )
            about = " ".join(target.summary.split())
            if len(about) > _STARRED_SUMMARY:
                about = about[: _STARRED_SUMMARY - 1].rstrip() + "…"
            kind = EventKind.TIMELINE_STARRED if starred else EventKind.TIMELINE_UNSTARRED
            verb = "Starred" if starred else "Star taken off"
            row = self._append(session, self._now(), actor, kind,
                               f"{verb} event #{target.id}: {about}", incident_id=incident_id,
                               data={"event_id": target.id})  # fmt: skip
            return event_from(row)

    def _newest_star(self, session: Session, event_id: int) -> TimelineEvent | None:
        """The newest star or unstar of `event_id` (stars are few: read them all, newest
        first, rather than query inside JSON, which each database spells its own way)."""
        query = select(EventRow).where(EventRow.kind.in_(_STAR_KINDS), EventRow.id > event_id)
        for row in session.scalars(query.order_by(EventRow.id.desc())):
            if (row.data or {}).get("event_id") == event_id:
                return event_from(row)
        return None

    def timeline(
        self,
        *,
        after_id: int | None = None,
        before_id: int | None = None,
        limit: int | None = 500,
        kinds: list[str] | None = None,
        actor: str | None = None,
        text: str | None = None,
        incident_id: int | None = None,
    ) -> list[TimelineEvent]:
        """Newest first (`limit` None: all). `kinds` holds full kinds ("statement.approved") or
        groups ("statement"); None or empty means every kind. `text` matches the summary without
        case."""
        query = select(EventRow)
        if after_id is not None:
            query = query.where(EventRow.id > after_id)
        if before_id is not None:
            query = query.where(EventRow.id < before_id)
        if kinds:
            wanted = []
            for kind in map(str, kinds):
                if "." in kind:
                    wanted.append(EventRow.kind == kind)
                else:  # a group: "statement" matches "statement.*"
                    wanted.append(EventRow.kind.startswith(f"{kind}.", autoescape=True))
            query = query.where(or_(*wanted))
        if actor:
            query = query.where(EventRow.actor == actor)
        if text:
            query = query.where(EventRow.summary.icontains(text, autoescape=True))
        if incident_id is not None:
            query = query.where(EventRow.incident_id == incident_id)
        query = query.order_by(EventRow.id.desc()).limit(limit)
        with self._read() as session:
            return [event_from(row) for row in session.scalars(query)]

    def timeline_actors(self) -> list[str]:
        with self._read() as session:
            names = session.scalars(select(EventRow.actor).distinct()).all()
        return sorted(names, key=str.casefold)

    def last_event_id(self) -> int:
        with self._read() as session:
            return session.scalar(select(func.max(EventRow.id))) or 0

    def timeline_head(self) -> TimelineHead | None:
        """The newest stored event with the number of events; None while there are none."""
        with self._read() as session:
            newest = session.execute(
                select(EventRow.id, EventRow.hash, EventRow.at)
                .order_by(EventRow.id.desc())
                .limit(1)
            ).first()
            if newest is None:
                return None
            count = session.scalar(select(func.count()).select_from(EventRow))
        return TimelineHead(newest.hash, newest.id, count, newest.at)
