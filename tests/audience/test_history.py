"""An incident's audience read back: the live time counts from OBS's own stream start when the
desk heard it, else from the first number counted."""

from __future__ import annotations

import time
from datetime import UTC

from commsdesk.audience.advisor import AdvisorSettings
from commsdesk.audience.history import load_history
from commsdesk.audience.series import Sample
from commsdesk.audience.store import AudienceStore, SampleBatcher
from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity

PAT = "Pat Lee (producer)"


def test_live_time_counts_from_the_stream_start_obs_reported(tmp_path):
    desk = Desk.open(tmp_path)
    try:
        incident = desk.start_incident(PAT, "Hot wallet drained", Severity.P1)
        store = AudienceStore(desk)
        store.add_source(PAT, "manual", "Kick")
        batcher = SampleBatcher(store, incident_id=incident.id)
        time.sleep(0.05)
        first = time.time()
        for n in range(3):
            batcher.add(Sample(first + n / 100, "Kick", 1000 + n))
        batcher.flush()
        before = load_history(store, AdvisorSettings())
        assert before.live_since == first  # no stream start heard: the first number

        time.sleep(0.05)
        desk.record_stream_state(PAT, True, where="rtmp://10.0.0.5/live")
        event = desk.timeline(kinds=["broadcast.stream_started"])[0]
        started = event.at.replace(tzinfo=UTC).timestamp()  # stored naive UTC
        after = load_history(store, AdvisorSettings())
        assert after.live_since == started > first
        assert after.advisor.started_at == started
    finally:
        desk.close()


def test_without_an_incident_only_numbers_counted_outside_any_are_shown(tmp_path):
    """A closed incident's audience (a drill's replayed curve, falling to the advice to end)
    stays with it: no chart and no advice for it once no incident is active."""
    desk = Desk.open(tmp_path)
    try:
        store = AudienceStore(desk)
        store.add_source(PAT, "manual", "Kick")
        store.add_source(PAT, "replay", "Drill replay youtube", {"path": "curve.csv"},
                         enabled=False)  # fmt: skip
        drill = desk.start_incident(PAT, "DRILL: exchange outage", Severity.P2)
        now = time.time()
        falling = [Sample(now - 3600 + 30 * n, "Drill replay youtube",
                          max(40_000 - 400 * n, 300)) for n in range(120)]  # fmt: skip
        store.append_samples(falling, incident_id=drill.id)
        during = load_history(store, AdvisorSettings(min_runtime=0))
        assert set(during.buffer.sources()) == {"Drill replay youtube", "Kick"}  # off, yet counted
        assert during.advising is not None  # the drill's own advice, while it runs
        desk.close_incident(PAT, drill.id, "Drill over")

        store.append_samples([Sample(now - 60, "Kick", 1200.0)])  # counted outside any incident
        after = load_history(store, AdvisorSettings(min_runtime=0))
        assert after.incident_id is None
        assert after.buffer.sources() == ["Kick"]  # no line for the drill's switched-off source
        assert after.totals.tolist() == [1200.0]
        assert after.advising is None
    finally:
        desk.close()
