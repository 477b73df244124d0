"""The drill's audience: the scenario's curve written into the record as replay sources, then
read back and given to the end-stream advisor as the Audience panel gives it live numbers.

The curve is laid so its last row lands now, as a replay at ×1 begun that long ago would have
it: no number is ever stamped later than the clock. The drill's replay sources are added switched
off and stay so: no desk polls them. No Qt.
"""

from __future__ import annotations

import time

from commsdesk.drill.scenario import Scenario

REPLAY_LABEL = "Drill replay"


class NoAdvice(Exception):
    """The curve was replayed and the advisor never advised ending the stream."""


def lay_curve(store, scenario: Scenario, actor: str, incident_id: int) -> str:
    """Write the curve's numbers for the incident; what was written, in words."""
    from commsdesk.audience.series import Sample, parse_audience_csv
    from commsdesk.audience.sources.replay import replay_config
    from commsdesk.drill.run import StepFailed

    csv = scenario.audience_csv
    parsed = parse_audience_csv(csv.read_text(encoding="utf-8"))
    if not parsed.rows:
        raise StepFailed(f"{csv.name} has no usable rows")
    now = time.time()
    last = max(row.at for row in parsed.rows)
    first = min(row.at for row in parsed.rows)
    samples = []
    for platform in parsed.platforms():
        label = f"{REPLAY_LABEL} {platform}"
        source = next((x for x in store.sources() if x.label == label), None)
        config = replay_config(str(csv), platform, speed=1.0, started_at=now - (last - first))
        if source is None:  # added switched off: no desk polls it, and no switch ever cuts
            # a later drill's curve (a switched-off period is left out of the total)
            store.add_source(actor, "replay", label, config, interval=5.0, enabled=False)
        samples += [Sample(now - (last - row.at), label, row.viewers)
                    for row in parsed.rows if row.platform == platform]  # fmt: skip
    store.append_samples(samples, incident_id=incident_id)
    return (f"{len(samples):,} numbers from {', '.join(parsed.platforms())} over "
            f"{(last - first) / 60:.0f} min")  # fmt: skip


def replay_to_advice(store, scenario: Scenario, actor: str, incident_id: int) -> str:
    """Lay the curve, feed the stored total to the advisor, and record its first advice to
    end the stream; StepFailed when it never came."""
    from commsdesk.audience.advisor import ADVISOR_ACTOR, AdviceKind, Advisor, AdvisorSettings
    from commsdesk.audience.figures import viewers_text
    from commsdesk.drill.run import StepFailed

    laid = lay_curve(store, scenario, actor, incident_id)
    buffer = store.load_series(incident_id=incident_id)
    times, values = buffer.total()
    reading, counting = buffer.coverage()
    advisor = Advisor(AdvisorSettings(share=scenario.advice_share,
                                      below_for=scenario.advice_below_minutes * 60,
                                      min_runtime=scenario.advice_min_runtime_minutes * 60))
    for at, value, r, c in zip(times.tolist(), values.tolist(), reading.tolist(),
                               counting.tolist(), strict=True):  # fmt: skip
        for advice in advisor.observe(at, value, (r, c)):
            if advice.kind is AdviceKind.SUGGEST_END:
                store.record_advice(ADVISOR_ACTOR, advice, incident_id=incident_id)
                minutes = (advice.at - float(times[0])) / 60
                return (f"{laid}; advice to end after {minutes:.0f} min of the curve at "
                        f"{viewers_text(advice.viewers)} viewers")  # fmt: skip
    raise StepFailed(f"{laid}, and the advisor never advised ending the stream")
