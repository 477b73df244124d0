"""Audience sources and samples in a real SQLite file: batches in, a SeriesBuffer back after
the desk is closed and opened again, advice on the timeline."""

from __future__ import annotations

import math
import threading
from datetime import UTC, datetime

import numpy as np
import pytest

from commsdesk.audience.advisor import Advice, AdviceKind
from commsdesk.audience.series import Sample, SeriesBuffer
from commsdesk.audience.store import AudienceStore, SampleBatcher
from commsdesk.desk import Desk, DeskError
from commsdesk.timeline.chain import EventKind

ANA = "Ana Ruiz"
T0 = 1_790_000_000.0


def test_sources_are_added_once_with_their_settings_and_on_the_timeline(desk):
    store = AudienceStore(desk)
    youtube = store.add_source(ANA, "youtube", "YouTube main", {"video_id": "abc"}, interval=15)
    store.add_source(ANA, "twitch", "Twitch", {"user_login": "meridian"}, interval=5)
    assert [s.label for s in store.sources()] == ["YouTube main", "Twitch"]
    assert youtube.config == {"video_id": "abc"} and youtube.interval == 15 and youtube.enabled
    with pytest.raises(DeskError, match="already a source"):
        store.add_source(ANA, "kick", "Twitch")
    with pytest.raises(DeskError, match="keyring"):
        store.add_source(ANA, "youtube", "Leaky", {"video_id": "x", "api_key": "AIza..."})
    with pytest.raises(DeskError, match="Unknown source kind"):
        store.add_source(ANA, "myspace", "Old")
    store.set_source_enabled(ANA, youtube.id, False)
    assert [s.label for s in store.sources(enabled_only=True)] == ["Twitch"]
    assert [e.kind for e in desk.timeline(kinds=["audience"])] == [
        EventKind.AUDIENCE_SOURCE_CHANGED,
        EventKind.AUDIENCE_SOURCE_ADDED,
        EventKind.AUDIENCE_SOURCE_ADDED,
    ]
    assert desk.verify_timeline().intact


def test_samples_written_in_batches_come_back_after_a_restart(isolated_dirs):
    desk = Desk.open(isolated_dirs)
    store = AudienceStore(desk)
    incident = desk.start_incident(ANA, "Withdrawals paused", "P1")
    for label in ("youtube", "twitch", "kick"):
        store.add_source(ANA, label, label, interval=1)
    batcher = SampleBatcher(store, incident_id=incident.id, max_rows=250, max_age=3600)
    expected: dict[str, list[float]] = {}

    def feed(label: str, base: int) -> None:
        for i in range(1000):
            viewers = None if i % 97 == 0 else base - i
            batcher.add(Sample(T0 + i, label, viewers, "offline" if viewers is None else ""))

    threads = [
        threading.Thread(target=feed, args=(label, base))
        for label, base in (("youtube", 30_000), ("twitch", 9_000), ("kick", 1_000))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    batcher.flush()
    for label, base in (("youtube", 30_000), ("twitch", 9_000), ("kick", 1_000)):
        expected[label] = [math.nan if i % 97 == 0 else base - i for i in range(1000)]
    assert batcher.waiting == 0 and store.sample_count() == 3000
    desk.close()

    reopened = Desk.open(isolated_dirs)
    try:
        series = AudienceStore(reopened).load_series(incident_id=incident.id)
        assert series.sources() == ["youtube", "twitch", "kick"]
        for label, values in expected.items():
            assert series.times(label).tolist() == [T0 + i for i in range(1000)]
            np.testing.assert_array_equal(series.values(label), values)
        times, total = series.total()
        assert len(times) == 1000 and math.isnan(total[0]) and total[1] == 40_000 - 3
        assert series.peak() == (T0 + 1, 39_997)
        assert AudienceStore(reopened).load_series(incident_id=incident.id + 1).sources() == []
        later = AudienceStore(reopened).load_series(since=T0 + 990)
        assert len(later.times("kick")) == 10
    finally:
        reopened.close()


def test_sources_switched_off_and_on_are_left_out_of_the_total_after_a_restart(isolated_dirs):
    """The record of switches gives back the total the desk showed live: a source is out of
    it while off, and in again from its first number after it is switched on."""
    now = [datetime.fromtimestamp(T0, UTC)]
    desk = Desk.open(isolated_dirs, clock=lambda: now[0])
    store = AudienceStore(desk)
    store.add_source(ANA, "youtube", "youtube", interval=1)
    kick = store.add_source(ANA, "kick", "kick", interval=1)
    twitch = store.add_source(ANA, "twitch", "twitch", interval=1)
    live = SeriesBuffer(fresh_for=30)
    steps = [
        (0, "sample", "kick", 300), (0, "sample", "youtube", 9000), (0, "sample", "twitch", 50),
        (4, "off", kick, None), (5, "off", twitch, None),
        (10, "sample", "youtube", 8000),
        (100, "on", kick, None),
        (100, "sample", "youtube", 7000), (105, "sample", "kick", 500),
        (110, "sample", "youtube", 6000),
        (200, "on", twitch, None),  # on again, and nothing from it since
    ]
    for offset, what, who, viewers in steps:
        now[0] = datetime.fromtimestamp(T0 + offset, UTC)
        if what == "sample":
            store.append_samples([Sample(T0 + offset, who, viewers)])
            live.append(who, T0 + offset, viewers)
        else:
            store.set_source_enabled(ANA, who.id, what == "on")
            if what == "off":
                live.retire(who.label, T0 + offset)
            else:
                live.reinstate(who.label)
    assert live.values().tolist() == [9350, 8000, 7000, 7500, 6500]
    desk.close()

    reopened = Desk.open(isolated_dirs)
    try:
        stored = AudienceStore(reopened).load_series()
        assert stored.times().tolist() == live.times().tolist()
        assert stored.values().tolist() == live.values().tolist()
        for buffer in (live, stored):  # twitch counts again from its next number, in both
            buffer.append("youtube", T0 + 300, 5000)
            buffer.append("kick", T0 + 300, 400)
            buffer.append("twitch", T0 + 301, 60)
        assert stored.values().tolist()[-2:] == live.values().tolist()[-2:] == [5400, 5460]
    finally:
        reopened.close()


def test_a_failed_batch_keeps_its_samples_for_the_next_try(desk):
    store = AudienceStore(desk)
    store.add_source(ANA, "manual", "Typed", interval=5)
    errors: list[BaseException] = []
    batcher = SampleBatcher(store, max_rows=2, on_error=errors.append)
    batcher.add(Sample(T0, "Typed", 10))
    batcher.add(Sample(T0 + 1, "Nobody", 11))  # an unknown source: the write is refused
    assert len(errors) == 1 and "Nobody" in str(errors[0])
    assert batcher.waiting == 2 and store.sample_count() == 0


def test_advice_is_recorded_on_the_timeline_with_its_sentence(desk):
    store = AudienceStore(desk)
    incident = desk.start_incident(ANA, "Withdrawals paused", "P1")
    message = (
        "4,020 watching = 10% of the 40,150 peak at 14:32; under 10% for 12 min; holding steady"
    )
    for kind in AdviceKind:
        advice = Advice(T0, kind, message, 4020.4, 40150, T0 - 6000, -35.0)
        store.record_advice("advisor", advice, incident_id=incident.id)
    events = desk.timeline(kinds=["audience"])
    assert [e.kind for e in events] == [
        EventKind.AUDIENCE_SUDDEN_DROP,
        EventKind.AUDIENCE_ADVICE_WITHDRAWN,
        EventKind.AUDIENCE_ADVICE,
    ]
    assert events[-1].summary == message and events[-1].incident_id == incident.id
    assert events[-1].data["viewers"] == 4020 and events[-1].data["peak"] == 40150
    assert desk.verify_timeline().intact


def test_two_desks_watching_one_audience_record_each_advice_once(isolated_dirs):
    """Each desk's advisor reaches the same advice; the record keeps the first. Advice of
    another kind in between, or the same kind much later, is new."""
    first, second = Desk.open(isolated_dirs), Desk.open(isolated_dirs)
    try:
        incident = first.start_incident(ANA, "Withdrawals paused", "P1")
        stores = AudienceStore(first), AudienceStore(second)

        def advise(store, kind, at):
            advice = Advice(at, kind, f"{kind} at {at}", 4020, 40150, T0 - 6000, -35.0)
            return store.record_advice("advisor", advice, incident_id=incident.id)

        end = AdviceKind.SUGGEST_END
        recorded = advise(stores[0], end, T0)
        assert advise(stores[1], end, T0 + 3) == recorded  # the other desk, seconds later
        advise(stores[1], AdviceKind.WITHDRAWN, T0 + 60)
        advise(stores[0], AdviceKind.WITHDRAWN, T0 + 61)
        advise(stores[0], end, T0 + 90)  # the same kind again after a withdrawal: new
        advise(stores[1], end, T0 + 90)
        advise(stores[1], end, T0 + 1000)  # still standing, much later: new
        events = first.timeline(kinds=["audience"])
        assert [(e.kind, e.data["at"]) for e in reversed(events)] == [
            (EventKind.AUDIENCE_ADVICE, T0),
            (EventKind.AUDIENCE_ADVICE_WITHDRAWN, T0 + 60),
            (EventKind.AUDIENCE_ADVICE, T0 + 90),
            (EventKind.AUDIENCE_ADVICE, T0 + 1000),
        ]
        assert second.verify_timeline().intact
    finally:
        first.close()
        second.close()


def test_a_source_that_counted_no_viewers_can_be_removed_one_with_numbers_stays(desk):
    store = AudienceStore(desk)
    typo = store.add_source(ANA, "kick", "Kcik", {"broadcaster_user_id": "1"})
    kick = store.add_source(ANA, "kick", "Kick", {"broadcaster_user_id": "1"})
    store.append_samples([Sample(T0, "Kick", 500), Sample(T0 + 1, "Kick", None, "offline")])
    store.append_samples([Sample(T0, "Kcik", None, "no such channel")] * 2)
    with pytest.raises(DeskError, match="Kick has 1 number.* switch it off instead"):
        store.remove_source(ANA, kick.id)
    assert store.remove_source(ANA, typo.id).label == "Kcik"
    assert [s.label for s in store.sources()] == ["Kick"]
    with pytest.raises(DeskError, match="No audience source"):
        store.remove_source(ANA, typo.id)
    assert store.add_source(ANA, "kick", "Kcik").label == "Kcik"  # the label is free again
    assert [e.summary for e in desk.timeline(kinds=[EventKind.AUDIENCE_SOURCE_REMOVED])] == [
        "Audience source removed: Kcik (kick); the 2 gap(s) it noted went with it"
    ]
    assert store.sample_count() == 2 and desk.verify_timeline().intact


# --- the edge, and striking a sample from the record ---------------------------------------------


def test_an_absurd_count_never_stops_the_writes_and_never_reads_back_as_a_number(desk):
    """SQLite cannot hold 1e20 in an integer: written as it came, it failed every batch after
    it. It is stored as a refused gap instead, and the batch goes in."""
    store = AudienceStore(desk)
    store.add_source(ANA, "replay", "YouTube", {"platform": "youtube"})
    batcher = SampleBatcher(store, max_rows=3)
    for i, viewers in enumerate([4_100, 99999999999999999999, 4_080]):
        batcher.add(Sample(T0 + i, "YouTube", viewers))
    assert batcher.waiting == 0 and store.sample_count() == 3
    records = store.samples(source="YouTube")
    assert [(r.viewers, r.gap_reason) for r in records] == [
        (4_080, ""), (None, "rejected"), (4_100, ""),
    ]
    series = store.load_series(now=T0 + 60)
    assert series.peak() == (T0, 4_100)
    assert series.gap_reasons("YouTube") == [] and math.isnan(series.values("YouTube")[1])


def test_a_record_written_before_the_checks_is_checked_as_it_is_read(desk):
    """A number above its platform's bound, or a time far in the future, already stored:
    neither reaches the series, the total or the peak."""
    from sqlalchemy import update

    from commsdesk.store.models import AudienceSampleRow

    store = AudienceStore(desk)
    store.add_source(ANA, "kick", "Kick")
    store.append_samples([Sample(T0, "Kick", 900), Sample(T0 + 10, "Kick", 950),
                          Sample(T0 + 20, "Kick", 940), Sample(T0 + 30, "Kick", 930)])
    with desk.transaction() as session:  # what an older desk let through
        session.execute(update(AudienceSampleRow).where(AudienceSampleRow.at == T0 + 10)
                        .values(viewers=9_000_000_000))
        session.execute(update(AudienceSampleRow).where(AudienceSampleRow.at == T0 + 20)
                        .values(at=1e18))
    series = store.load_series(now=T0 + 60)
    assert series.times("Kick").tolist() == [T0, T0 + 10, T0 + 30]
    assert math.isnan(series.values("Kick")[1])  # above Kick's bound: a gap
    assert series.peak() == (T0 + 30, 930)


def test_a_struck_sample_stays_on_record_and_counts_nowhere(isolated_dirs):
    desk = Desk.open(isolated_dirs)
    store = AudienceStore(desk)
    incident = desk.start_incident(ANA, "Withdrawals paused", "P1")
    store.add_source(ANA, "manual", "Kick (typed)")
    store.append_samples([Sample(T0 + i * 60, "Kick (typed)", v)
                          for i, v in enumerate([2_400, 2_450, 240_000, 2_430])],
                         incident_id=incident.id)  # fmt: skip
    typo = store.find_sample("Kick (typed)", T0 + 120)
    assert store.samples(source="Kick (typed)", limit=2)[1].id == typo
    with pytest.raises(DeskError, match="Say why"):
        store.strike_sample(ANA, typo, "   ")
    event = store.strike_sample("Sam Okafor", typo, "typed 240,000 for 2,400")
    assert event.kind == "audience.sample_struck" and event.actor == "Sam Okafor"
    assert event.incident_id == incident.id
    assert event.data == {"sample_id": typo, "source_id": event.data["source_id"],
                          "source": "Kick (typed)", "at": T0 + 120, "viewers": 240_000,
                          "reason": "typed 240,000 for 2,400"}
    assert "Kick (typed) 240,000" in event.summary and "typed 240,000 for 2,400" in event.summary
    with pytest.raises(DeskError, match="already struck by Sam Okafor"):
        store.strike_sample(ANA, typo, "again")
    store.append_samples([Sample(T0 + 300, "Kick (typed)", None, "stale")],
                         incident_id=incident.id)
    gap = store.samples(source="Kick (typed)", limit=1)[0]
    with pytest.raises(DeskError, match="is a gap"):
        store.strike_sample(ANA, gap.id, "nothing there")
    with pytest.raises(DeskError, match="No audience sample"):
        store.strike_sample(ANA, 10**9, "nothing there")
    with pytest.raises(DeskError, match="No number of Kick"):
        store.find_sample("Kick (typed)", T0 + 5_000)
    desk.close()

    reopened = Desk.open(isolated_dirs)
    try:
        again = AudienceStore(reopened)
        series = again.load_series(incident_id=incident.id, now=T0 + 600)
        assert series.values("Kick (typed)").tolist()[:3] == [2_400, 2_450, 2_430]
        assert series.peak()[1] == 2_450  # the struck number is in no peak...
        assert series.flags("Kick (typed)") == [(T0 + 120, 240_000, "struck")]  # ...but shown
        assert again.sample_count() == 5  # nothing was deleted
        assert [r.struck for r in again.samples(source="Kick (typed)")] == [
            False, False, True, False, False,
        ]
        assert reopened.verify_timeline().intact  # the strike is in the chain
    finally:
        reopened.close()


def test_a_fast_replay_and_live_sources_are_never_on_together(desk):
    """A replay faster than ×1 stamps its numbers behind the clock: summed with live sources the
    total would be partial at every moment, so the store refuses the mix, on every path."""
    store = AudienceStore(desk)
    live = store.add_source(ANA, "youtube", "YouTube main", {"video_id": "abc"})
    fast = {"file": "curve.csv", "platform": "twitch", "speed": 60.0, "started_at": 1000.0}
    with pytest.raises(DeskError, match=r"Twitch replay cannot be on with YouTube main: a "
                       r"replay at ×60 stamps its numbers behind the clock"):
        store.add_source(ANA, "replay", "Twitch replay", fast)
    assert [s.label for s in store.sources()] == ["YouTube main"]  # nothing half-added

    # At ×1 a replay keeps the clock's time: it may run beside live sources.
    store.add_source(ANA, "replay", "Kick replay", dict(fast, platform="kick", speed=1.0))

    # With the live sources off, the fast replay goes on, and every platform of the same
    # replay (one start, one speed) with it.
    store.set_source_enabled(ANA, live.id, False)
    kick = next(s for s in store.sources() if s.label == "Kick replay")
    store.set_source_enabled(ANA, kick.id, False)
    store.add_source(ANA, "replay", "Twitch replay", fast)
    store.add_source(ANA, "replay", "YouTube replay", dict(fast, platform="youtube"))
    with pytest.raises(DeskError, match="YouTube main cannot be on with Twitch replay, "
                       "YouTube replay: a replay at ×60"):
        store.set_source_enabled(ANA, live.id, True)
    # A second fast replay started at another moment has a clock of its own too.
    with pytest.raises(DeskError, match="cannot be on with Twitch replay"):
        store.add_source(ANA, "replay", "Late replay", dict(fast, started_at=2000.0))
    # Added switched off, it waits without clashing.
    store.add_source(ANA, "replay", "Late replay", dict(fast, started_at=2000.0), enabled=False)
    assert [s.label for s in store.sources(enabled_only=True)] == [
        "Twitch replay", "YouTube replay"
    ]
