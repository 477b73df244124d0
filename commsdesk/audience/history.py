"""What the Audience panel starts from: the active incident's stored audience, the advisor fed
with it, and the window of time new readings must fall in.

`load_history` runs on the database lane when the panel opens, when the incident changes and
after a sample is struck (the advisor cannot forget a number it has seen, so it is fed again
from the record without it). Advice re-derived here is shown, never recorded or notified again.

Pure Python; no Qt.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from commsdesk.audience.advisor import Advice, AdviceKind, Advisor, AdvisorSettings
from commsdesk.audience.series import AudienceSource, SeriesBuffer
from commsdesk.audience.store import AudienceStore
from commsdesk.audience.store import source_fresh_for as fresh_for
from commsdesk.settings import Settings

NO_INCIDENT_HISTORY = 12 * 3600.0  # no incident active: the last 12 hours counted outside any
__all__ = ["NO_INCIDENT_HISTORY", "History", "advisor_settings", "fresh_for", "load_history"]


def advisor_settings(settings: Settings) -> AdvisorSettings:
    """The advisor's thresholds from this desk's settings (percentages and minutes there)."""
    return AdvisorSettings(
        share=settings.get("audience_share_percent") / 100,
        below_for=settings.get("audience_below_minutes") * 60.0,
        min_runtime=settings.get("audience_min_runtime_minutes") * 60.0,
        drop_share=settings.get("audience_drop_percent") / 100,
        drop_window=float(settings.get("audience_drop_seconds")),
    )


@dataclass
class History:
    incident_id: int | None
    sources: list[AudienceSource]
    buffer: SeriesBuffer
    times: np.ndarray  # the total's moments...
    totals: np.ndarray  # ...its values (NaN: nobody reading)...
    reading: np.ndarray  # ...and how many sources were reading...
    counting: np.ndarray  # ...of how many counted
    advisor: Advisor
    advising: Advice | None  # the advice standing at the end of the history
    earliest: float  # readings stamped before this are refused (the incident's start)
    live_since: float | None  # when the audience was first counted, not before the incident


def stream_started(desk, *, since: float) -> float | None:
    """When the stream went live (OBS's StreamStateChanged, on the timeline), the latest start
    from `since` on; None when the desk has not heard one."""
    from datetime import UTC

    from commsdesk.timeline.chain import EventKind

    events = desk.timeline(kinds=[str(EventKind.BROADCAST_STREAM_STARTED)], limit=1)
    if not events:
        return None
    at = events[0].at.replace(tzinfo=UTC).timestamp()
    return at if at >= since else None


def load_history(
    store: AudienceStore, settings: AdvisorSettings, *, now: float | None = None
) -> History:
    now = time.time() if now is None else now
    incident = store.desk.active_incident()
    incident_id = incident.id if incident is not None else None
    if incident is not None:
        from commsdesk.clock import as_utc

        earliest = as_utc(incident.started_at).timestamp()
    else:
        earliest = now - NO_INCIDENT_HISTORY
    since = None if incident_id is not None else earliest
    sources = store.sources()
    # Without an incident, only what was counted outside any: a closed incident's numbers (a
    # drill's replay among them) are its report's, not advice for now.
    buffer = store.load_series(incident_id=incident_id, since=since, now=now,
                               unfiled=incident_id is None)  # fmt: skip
    for source in sources:  # a source switched off with nothing here is no line on the chart
        if source.enabled or source.label in buffer.sources():
            buffer.add_source(source.label, fresh_for=fresh_for(source))
    times, totals = buffer.total()
    reading, counting = buffer.coverage()
    stream_start = stream_started(store.desk, since=earliest)
    advisor = Advisor(settings, started_at=stream_start)
    standing = None
    for at, value, r, c in zip(
        times.tolist(), totals.tolist(), reading.tolist(), counting.tolist(), strict=True
    ):
        for advice in advisor.observe(at, value, (r, c)):
            standing = None if advice.kind is AdviceKind.WITHDRAWN else advice
    numbers = np.flatnonzero(np.isfinite(totals))
    live_since = stream_start  # OBS's own start, when the desk heard it
    if live_since is None and len(numbers):
        live_since = float(times[numbers[0]])
        if incident is not None:
            live_since = max(live_since, earliest)
    return History(
        incident_id, sources, buffer, times, totals, reading, counting, advisor, standing,
        earliest if math.isfinite(earliest) else now, live_since,
    )
