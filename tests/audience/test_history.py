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
