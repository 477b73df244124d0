"""Incident use cases: start, edit, close and list incidents, and the update cadence each
promises. Each change and its timeline event are one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commsdesk.clock import as_utc
from commsdesk.incidents.incident import Incident, InvalidFact, Severity, check_fact_name
from commsdesk.scheduling.policy import Cadence
from commsdesk.store.models import TITLE, EventRow, IncidentRow, PolicyRow
from commsdesk.store.session import DeskError, actor_name, required_text, stored_time
from commsdesk.timeline.chain import EventKind
from commsdesk.timeline.ledger import Ledger

CADENCE_KEY = "update_cadence"  # + ":<incident id>", minutes


def _short(value: str, limit: int = 80) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _facts(facts: Mapping[str, Any] | None) -> dict[str, str]:
    try:
        return {check_fact_name(str(k).strip()): str(v) for k, v in (facts or {}).items()}
    except InvalidFact as exc:
        raise DeskError(str(exc)) from exc


def _severity(value: Severity | str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise DeskError(f"Severity {value!r} is not one of P1, P2, P3, P4.") from None


# --- rows to domain objects ---------------------------------------------------------------------


def incident_from(row: IncidentRow) -> Incident:
    return Incident(
        id=row.id,
        title=row.title,
        severity=Severity(row.severity),
        started_at=as_utc(row.started_at),
        summary=row.summary,
        facts=dict(row.facts or {}),
        closed_at=as_utc(row.closed_at) if row.closed_at is not None else None,
        created_by=row.created_by,
    )


class Incidents(Ledger):
    """Incidents and the update cadence each promises."""

    @staticmethod
    def _incident_row(session: Session, incident_id: int) -> IncidentRow:
        row = session.get(IncidentRow, incident_id)
        if row is None:
            raise DeskError(f"There is no incident #{incident_id}.")
        return row

    def active_incident(self) -> Incident | None:
        with self._read() as session:
            row = session.scalars(
                select(IncidentRow)
                .where(IncidentRow.closed_at.is_(None))
                .order_by(IncidentRow.started_at.desc(), IncidentRow.id.desc())
                .limit(1)
            ).first()
            return incident_from(row) if row is not None else None

    def incident(self, incident_id: int) -> Incident:
        with self._read() as session:
            return incident_from(self._incident_row(session, incident_id))

    def list_incidents(self) -> list[Incident]:
        """Newest first."""
        with self._read() as session:
            rows = session.scalars(
                select(IncidentRow).order_by(IncidentRow.started_at.desc(), IncidentRow.id.desc())
            )
            return [incident_from(row) for row in rows]

    def start_incident(
        self,
        actor: str,
        title: str,
        severity: Severity | str,
        summary: str = "",
        facts: Mapping[str, str] | None = None,
        started_at: datetime | None = None,
    ) -> Incident:
        """Refused while another incident is active."""
        actor = actor_name(actor)
        title = required_text(title, "An incident's title", TITLE)
        severity = _severity(severity)
        facts = _facts(facts)
        with self._write() as session:
            now = self._now()
            active = session.scalars(
                select(IncidentRow).where(IncidentRow.closed_at.is_(None)).limit(1)
            ).first()
            if active is not None:
                raise DeskError(
                    f"'{active.title}' is still active; close it before starting another incident."
                )
            start = stored_time(started_at) if started_at is not None else now
            if start > now:
                raise DeskError("An incident cannot start in the future.")
            return self.open_incident(session, now, actor, title, severity, summary, facts, start)

    def open_incident(
        self, session: Session, now: datetime, actor: str, title: str, severity: Severity,
        summary: str, facts: dict, start: datetime,
    ) -> Incident:  # fmt: skip
        """The new incident's row and its event, in the caller's transaction (checked there)."""
        row = IncidentRow(
            title=title,
            severity=severity.value,
            started_at=start,
            closed_at=None,
            summary=summary.strip(),
            facts=facts,
            created_by=actor,
        )
        session.add(row)
        session.flush()
        self._append(
            session,
            now,
            actor,
            EventKind.INCIDENT_STARTED,
            f"Started {severity.value} incident '{title}'",
            incident_id=row.id,
            data={"severity": severity.value, "started_at": start.isoformat(), "facts": facts},
        )
        return incident_from(row)

    def update_incident(
        self,
        actor: str,
        incident_id: int,
        *,
        title: str | None = None,
        severity: Severity | str | None = None,
        summary: str | None = None,
        facts: Mapping[str, str] | None = None,
        started_at: datetime | None = None,
    ) -> Incident:
        """Change what is given (facts replace all facts); the event lists each change."""
        actor = actor_name(actor)
        with self._write() as session:
            row = self._incident_row(session, incident_id)
            changes: list[str] = []
            data: dict[str, Any] = {}
            if title is not None:
                title = required_text(title, "An incident's title", TITLE)
                if title != row.title:
                    changes.append(f"title '{_short(row.title)}' → '{_short(title)}'")
                    data["title"] = title
                    row.title = title
            if severity is not None:
                new_severity = _severity(severity)
                if new_severity.value != row.severity:
                    changes.append(f"severity {row.severity} → {new_severity.value}")
                    data["severity"] = new_severity.value
                    row.severity = new_severity.value
            if summary is not None and summary.strip() != row.summary:
                changes.append("summary updated")
                data["summary"] = summary.strip()
                row.summary = summary.strip()
            if started_at is not None:
                start = stored_time(started_at)
                if start > self._now():
                    raise DeskError("An incident cannot start in the future.")
                if start != row.started_at:
                    changes.append(
                        f"start time {row.started_at:%Y-%m-%d %H:%M} → {start:%Y-%m-%d %H:%M} UTC"
                    )
                    data["started_at"] = start.isoformat()
                    row.started_at = start
            if facts is not None:
                new_facts = _facts(facts)
                old_facts = dict(row.facts or {})
                for name, value in new_facts.items():
                    if old_facts.get(name) != value:
                        changes.append(f"fact {name} set to {_short(value)}")
                changes += [f"fact {name} removed" for name in old_facts if name not in new_facts]
                if new_facts != old_facts:
                    data["facts"] = new_facts
                    row.facts = new_facts
            if changes:
                text = "; ".join(changes)
                self._append(
                    session,
                    self._now(),
                    actor,
                    EventKind.INCIDENT_EDITED,
                    text[0].upper() + text[1:],
                    incident_id=row.id,
                    data=data,
                )
            return incident_from(row)

    def close_incident(self, actor: str, incident_id: int, note: str = "") -> Incident:
        actor = actor_name(actor)
        with self._write() as session:
            row = self._incident_row(session, incident_id)
            if row.closed_at is not None:
                raise DeskError(f"'{row.title}' is already closed.")
            now = self._now()
            row.closed_at = now
            note = note.strip()
            self._append(
                session,
                now,
                actor,
                EventKind.INCIDENT_CLOSED,
                f"Closed '{row.title}'" + (f": {note}" if note else ""),
                incident_id=row.id,
                data={"note": note},
            )
            return incident_from(row)

    def set_update_cadence(self, actor: str, incident_id: int, minutes: int) -> None:
        """The incident promises an update every `minutes` (0: no promise)."""
        actor = actor_name(actor)
        if not isinstance(minutes, int) or not 0 <= minutes <= 24 * 60:
            raise DeskError("An update cadence is a number of minutes from 0 (none) to 1440.")
        key = f"{CADENCE_KEY}:{incident_id}"
        with self._write() as session:
            incident = self._incident_row(session, incident_id)
            row = session.get(PolicyRow, key)
            old = int(row.value) if row is not None else 0
            if old == minutes:
                return
            if row is None:
                session.add(PolicyRow(key=key, value=str(minutes)))
            else:
                row.value = str(minutes)
            summary = (
                f"Updates promised every {minutes} min" if minutes else "No update cadence"
            )
            self._append(
                session, self._now(), actor, EventKind.POLICY_CHANGED, summary,
                incident_id=incident.id, data={"update_every_minutes": minutes, "was": old},
            )

    def update_cadence(self, incident_id: int) -> Cadence | None:
        """The promise and when the last update went out (the incident's start before any)."""
        with self._read() as session:
            row = session.get(PolicyRow, f"{CADENCE_KEY}:{incident_id}")
            if row is None or int(row.value) == 0:
                return None
            incident = self._incident_row(session, incident_id)
            last = session.scalar(
                select(func.max(EventRow.at)).where(
                    EventRow.incident_id == incident_id,
                    EventRow.kind == EventKind.POSTED.value,
                )
            )
            return Cadence(timedelta(minutes=int(row.value)), as_utc(last or incident.started_at))
