"""The report's computations on their own: durations, the cadence kept or late, slides on air and
for how long, the live spans, who took part, the chart's thinning and its markers."""

from __future__ import annotations

import itertools
import math
import re
from datetime import UTC, datetime, timedelta

import pytest

from commsdesk.report.chart import (
    MAX_NUMBERED,
    chart_marks,
    chart_svg,
    nice_step,
    thinned,
    tick_counts,
    viewers_label,
)
from commsdesk.report.facts import AudienceFacts, Line, Marker
from commsdesk.report.measures import (
    Promise,
    cadence_checks,
    live_spans,
    people_involved,
    promises_from,
    since_start,
    slides_on_air,
    span_text,
    stream_trouble,
)
from commsdesk.report.pdf import page_count
from commsdesk.timeline.chain import EventKind, TimelineEvent

START = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


def t(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def event(minute: float, what, summary: str = "", actor: str = "Lee", **data) -> TimelineEvent:
    at = t(minute).replace(tzinfo=None)  # stored naive UTC
    return TimelineEvent(next(_ids), at, actor, str(what), summary, data=data)


@pytest.mark.parametrize(("seconds", "said"), [
    (0, "0 s"), (59.9, "59 s"), (60, "1 min"), (3599, "59 min"), (3600, "1 h 00 min"),
    (2 * 3600 + 5 * 60 + 59, "2 h 05 min"), (26 * 3600 + 600, "1 d 2 h 10 min"), (-5, "0 s"),
])  # fmt: skip
def test_spans_are_said_rounded_down(seconds, said):
    assert span_text(seconds) == said
    assert span_text(timedelta(seconds=seconds)) == said


def test_times_are_said_from_the_incident_start():
    assert since_start(START, t(0)) == "T+0m"
    assert since_start(START, t(65)) == "T+1h05m"
    assert since_start(START, t(-3)) == "T-3m"


def test_each_update_is_kept_or_late_against_the_promise_in_force():
    promises = [Promise(t(3), 30)]
    updates = [(t(10), "Holding"), (t(50), "Update 1"), (t(75), "Update 2")]
    checks = cadence_checks(START, updates, promises, end=t(120))
    # The first is timed from when the promise was made (after the start): due at T+33.
    assert [(c.number, c.due_at, c.late_by) for c in checks] == [
        (1, t(33), None),
        (2, t(40), timedelta(minutes=10)),
        (3, t(80), None),
        (4, t(105), timedelta(minutes=15)),  # nothing after the last update until the end
    ]
    assert [c.kept for c in checks] == [True, False, True, False]
    assert checks[0].verdict(closed=True) == "kept (23 min to spare)"
    assert checks[1].verdict(closed=True) == "late by 10 min"
    assert checks[3].posted_at is None
    assert checks[3].verdict(closed=True) == (
        "no update before the incident closed: late by 15 min"
    )
    assert checks[3].verdict(closed=False) == "no update by the time of this report: late by 15 min"


def test_a_changed_promise_counts_from_when_it_was_made():
    promises = [Promise(t(0), 60), Promise(t(20), 15)]
    checks = cadence_checks(START, [(t(30), "A"), (t(70), "B")], promises, end=t(80))
    assert checks[0].minutes == 15 and checks[0].waited_from == t(20)
    assert checks[0].due_at == t(35) and checks[0].kept
    assert checks[1].due_at == t(45) and checks[1].late_by == timedelta(minutes=25)
    assert checks[2].due_at == t(85) and checks[2].kept  # an open incident, not yet due
    assert checks[2].verdict(closed=False) == f"next update due {t(85):%H:%M} UTC"
    assert checks[2].verdict(closed=True) == "the incident closed before the next update was due"


def test_without_a_promise_updates_are_listed_and_judged_on_nothing():
    checks = cadence_checks(START, [(t(30), "A")], [], end=t(60))
    assert len(checks) == 1  # no stretch after the last update: nothing was due
    assert checks[0].kept is None and checks[0].due_at is None
    assert checks[0].verdict(closed=True) == "no update cadence promised"
    withdrawn = cadence_checks(START, [(t(30), "A")], [Promise(t(0), 20), Promise(t(10), 0)],
                               end=t(60))  # fmt: skip
    assert withdrawn[0].kept is None and len(withdrawn) == 1


def test_promises_are_read_from_the_policy_events():
    events = [
        event(3, EventKind.POLICY_CHANGED, "Updates promised every 30 min",
              update_every_minutes=30, was=0),
        event(4, EventKind.POLICY_CHANGED, "Required approvals 1 → 2", required_approvals=2),
        event(9, EventKind.POLICY_CHANGED, "No update cadence", update_every_minutes=0, was=30),
    ]  # fmt: skip
    assert promises_from(events) == [Promise(t(3), 30), Promise(t(9), 0)]


def test_slides_run_until_back_to_live_the_next_slide_or_the_stream_end():
    events = [
        event(15, EventKind.BROADCAST_SLIDE, "Slide on air: Back at 18:30 UTC", kind="back_at"),
        event(25, EventKind.BROADCAST_LIVE, "Back to live: Camera", scene="Camera"),
        event(30, EventKind.BROADCAST_SLIDE, "Slide on air: Standby: Update", kind="standby"),
        event(34, EventKind.BROADCAST_SLIDE, "Slide on air: Lower third: Mira", kind="lower"),
        event(40, EventKind.BROADCAST_STOPPED, "Live stream ended after 28 min"),
        event(50, EventKind.BROADCAST_SLIDE, "Slide on air: Standby: Later", kind="standby"),
    ]
    spans = slides_on_air(events, end=t(58))
    assert [(s.headline, s.seconds / 60, s.ended_by) for s in spans] == [
        ("Back at 18:30 UTC", 10, "back to live (Camera)"),
        ("Standby: Update", 4, "the next slide"),
        ("Lower third: Mira", 6, "the stream ended"),
        ("Standby: Later", 8, "still on air at the end of this report"),
    ]
    assert [s.kind for s in spans] == ["back_at", "standby", "lower", "standby"]


def test_live_spans_pair_each_start_with_its_stop():
    events = [
        event(12, EventKind.BROADCAST_STREAM_STARTED, "Live stream started to YouTube"),
        event(50, EventKind.BROADCAST_STOPPED, "Live stream ended after 38 min"),
        event(60, EventKind.BROADCAST_RECORDING, "Drill: OBS recording instead of streaming"),
    ]
    spans = live_spans(events, end=t(90))
    assert [(s.start, s.end, s.ended, s.how) for s in spans] == [
        (t(12), t(50), True, "stream"),
        (t(60), t(90), False, "recording (drill)"),
    ]
    assert spans[0].seconds == 38 * 60


def test_trouble_is_failed_pushes_lost_obs_and_sudden_drops():
    events = [
        event(1, EventKind.BROADCAST_SLIDE, "Slide on air: x"),
        event(2, EventKind.BROADCAST_FAILED, "Slide push failed: x: timeout"),
        event(3, EventKind.BROADCAST_CONNECTION, "OBS connection lost: not answering"),
        event(4, EventKind.AUDIENCE_SUDDEN_DROP, "The audience halved in 2 minutes"),
    ]
    assert [e.summary for e in stream_trouble(events)] == [e.summary for e in events[1:]]


def test_people_are_the_distinct_actors_in_order_without_the_desk_itself():
    tallies = [  # (actor, events, first, last), as the database counts each kind of event
        ("Mira Chen", 1, t(0), t(0)),
        ("Ben Zhou", 1, t(1), t(1)),
        ("Scheduler", 4, t(2), t(9)),
        ("Ana Ruiz", 1, t(3), t(3)),
        ("Scheduler (Ana Ruiz)", 1, t(4), t(4)),
        ("CommsDesk advisor", 1, t(5), t(5)),
        ("Ben Zhou", 1, t(6), t(6)),  # the desk's own events of the incident, counted apart
    ]
    people = people_involved(tallies)
    assert [(p.name, p.actions, p.first, p.last) for p in people] == [
        ("Mira Chen", 1, t(0), t(0)),
        ("Ben Zhou", 2, t(1), t(6)),
        ("Ana Ruiz", 1, t(3), t(3)),
    ]
    retyped = people_involved([*tallies, ("mira chen (founder)", 2, t(7), t(8))])
    assert retyped[0] == type(retyped[0])("Mira Chen", 3, t(0), t(8))  # one person, as first named


def test_thinning_keeps_each_column_s_highest_and_lowest_and_the_gaps():
    times = [float(i) for i in range(10_000)]
    values = [100.0 + (i % 7) for i in range(10_000)]
    values[4_321] = 99_999.0  # a one-sample peak
    values[6_000:6_100] = [math.nan] * 100  # nobody reading
    points = thinned(times, values, 0.0, 10_000.0, buckets=100)
    assert len(points) <= 2 * 100 + 100
    assert (4321.0, 99_999.0) in points
    assert any(math.isnan(v) for _, v in points)
    assert [p[0] for p in points] == sorted(p[0] for p in points)
    short = thinned(times[:50], values[:50], 0.0, 50.0, buckets=100)
    assert short == list(zip(times[:50], values[:50], strict=True))


def audience_with(markers: list[Marker]) -> AudienceFacts:
    times = tuple(t(m).timestamp() for m in range(0, 601, 5))
    line = Line("YouTube", times, tuple(1000.0 + i for i in range(len(times))))
    return AudienceFacts(Line("Total", line.times, line.values), (line,), None, (), None,
                         tuple(markers))  # fmt: skip


def test_a_few_markers_are_all_numbered_and_many_leave_only_the_key_ones_numbered():
    few = [Marker(t(10), "stream", "Live stream started"), Marker(t(20), "statement", "S 1"),
           Marker(t(30), "slide", "Slide on air")]  # fmt: skip
    assert chart_marks(audience_with(few)) == (few, [])

    posted = [Marker(t(12 + m), "statement", f"Statement posted: {m}") for m in range(40)]
    slides = [Marker(t(100 + m), "slide", f"Slide {m}") for m in range(3)]
    key = [Marker(t(10), "stream", "Live stream started"), Marker(t(200), "advice", "Advice"),
           Marker(t(210), "stream", "Live stream ended")]  # fmt: skip
    many = sorted([*posted, *slides, *key], key=lambda m: m.at)
    assert len(many) > MAX_NUMBERED
    numbered, ticked = chart_marks(audience_with(many))
    assert numbered == key and ticked == sorted([*posted, *slides], key=lambda m: m.at)
    assert tick_counts(ticked) == [
        ("statement", "40 statements posted", "Statements as posted"),
        ("slide", "3 slides put on air", "Broadcast"),
    ]
    svg = chart_svg(audience_with(many), START)
    assert svg.count('stroke-dasharray="5 3"') == 3  # a dashed line for each numbered one
    ticks = re.findall(r'<path class="ticks (\w+)" d="([^"]*)"', svg)
    assert [(kind, d.count("M")) for kind, d in ticks] == [("statement", 40), ("slide", 3)]


def test_chart_scales_are_round():
    assert nice_step(41_800) == 10_000
    assert nice_step(730) == 200
    assert [viewers_label(v) for v in (0, 500, 12_000, 2_500_000)] == ["0", "500", "12k", "2.5M"]


def test_pages_are_counted_from_the_page_objects():
    pdf = b"%PDF-1.4 1 0 obj << /Type /Pages /Count 2 >> 2 0 obj << /Type /Page >> " \
          b"3 0 obj <</Type/Page/Parent 1 0 R>> 4 0 obj << /Type /PageLabel >>"  # fmt: skip
    assert page_count(pdf) == 2
