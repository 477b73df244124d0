"""The Audience panel wired to real sources: the local viewer-API stand-in over HTTP and replays
of CSV files, a real SQLite desk, the advisor, the timeline and the tray."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from commsdesk.audience.ui.chart import TOTAL
from commsdesk.desk import Desk
from commsdesk.ui.theme import BAD, OK
from tests.audience.ui.audience_desk import OPERATOR
from tests.support.viewer_apis import TWITCH_CLIENT_ID, TWITCH_SECRET, YOUTUBE_KEY


def stand_in_sources(h, apis, interval=0.2):
    from commsdesk.keyring_secrets import store_viewer_secret

    apis.videos["live1"] = {"actualStartTime": "2026-11-26T13:00:00Z", "concurrentViewers": "2410"}
    apis.streams["meridian"] = 1200
    apis.kick["4242"] = 380
    store = h.store
    store.add_source(OPERATOR, "youtube", "YouTube", {"video_id": "live1", "base_url": apis.url},
                     interval=interval)
    store.add_source(OPERATOR, "twitch", "Twitch",
                     {"user_login": "meridian", "client_id": TWITCH_CLIENT_ID,
                      "base_url": apis.url, "id_url": apis.url}, interval=interval)
    store.add_source(OPERATOR, "kick", "Kick",
                     {"broadcaster_user_id": "4242", "base_url": apis.url}, interval=interval)
    store_viewer_secret("YouTube", "api_key", YOUTUBE_KEY)
    store_viewer_secret("Twitch", "client_secret", TWITCH_SECRET)


def test_readings_from_real_sources_reach_the_chips_and_the_chart(audience_desk, viewer_apis):
    h = audience_desk()
    stand_in_sources(h, viewer_apis)
    panel = h.open_panel()
    qtbot = h.qtbot
    qtbot.waitUntil(lambda: h.chip("YouTube") == "YouTube: 2,410 viewers", timeout=10_000)
    qtbot.waitUntil(lambda: h.chip("Twitch") == "Twitch: 1,200 viewers", timeout=10_000)
    qtbot.waitUntil(lambda: h.chip("Kick") == "Kick: 380 viewers", timeout=10_000)
    assert panel.chip_colour("YouTube") == OK
    qtbot.waitUntil(lambda: TOTAL in panel.chart.series_names()
                    and 3990.0 in panel.chart.series_data(TOTAL)[1], timeout=10_000)
    _, youtube = panel.chart.series_data("YouTube")
    assert set(youtube[~(youtube != youtube)]) == {2410.0}  # every number read, no zeros
    assert panel.wall is None
    wall = panel.open_wall()
    qtbot.waitUntil(lambda: wall.total.text() == "3,990", timeout=5_000)


def test_a_failing_source_shows_its_own_state_while_the_others_carry_on(audience_desk,
                                                                          viewer_apis):
    h = audience_desk()
    stand_in_sources(h, viewer_apis)
    panel = h.open_panel()
    qtbot = h.qtbot
    qtbot.waitUntil(lambda: h.chip("YouTube") == "YouTube: 2,410 viewers", timeout=10_000)
    viewer_apis.quota_exceeded = True
    qtbot.waitUntil(lambda: h.chip("YouTube") == "YouTube: quota exceeded", timeout=10_000)
    assert panel.chip_colour("YouTube") == BAD
    assert "quota for today is used up" in panel.chips["YouTube"].toolTip()
    viewer_apis.streams["meridian"] = 1500
    viewer_apis.kick["4242"] = 410
    qtbot.waitUntil(lambda: h.chip("Twitch") == "Twitch: 1,500 viewers", timeout=10_000)
    qtbot.waitUntil(lambda: h.chip("Kick") == "Kick: 410 viewers", timeout=10_000)
    assert h.chip("YouTube") == "YouTube: quota exceeded"
    # The total goes on with the platforms reading, and says it is partial: never blank.
    qtbot.waitUntil(lambda: panel.chart.series_data(TOTAL)[1][-1] == 1500 + 410, timeout=10_000)
    qtbot.waitUntil(lambda: "Total 1,910 (2 of 3 reading; no number from YouTube)"
                    in panel.chart.legend_labels[TOTAL].text(), timeout=5_000)
    wall = panel.open_wall()
    assert wall.total.text() == "1,910"
    assert wall.total_caption.text() == "watching now · 2 of 3 reading"
    assert h.audience.advisor.partial == "2 of 3 platforms reading"  # and the advice says so


def decline_csv(path, platforms=(("youtube", 0.7), ("twitch", 0.3))):
    """Relative seconds: 1,000 for 10 min, halving every 4 min down to 50, flat at 50 for 16 min,
    then back at 1,000 for 10 min; a row every 5 s per platform."""
    lines = ["time,viewers,platform"]
    for step in range(0, 3600 // 5):
        t = step * 5
        if t < 600:
            total = 1000.0
        elif t < 1640:
            total = max(1000.0 * 2 ** (-(t - 600) / 240), 50.0)
        elif t < 2600:
            total = 50.0
        else:
            total = 1000.0
        for platform, share in platforms:
            lines.append(f"{t},{round(total * share)},{platform}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def add_replay(h, path, speed=600.0):
    """Replay the file through the panel's own path, once the panel is open (the replay's
    clock starts when it is added)."""
    added = []
    h.audience.add_replay(str(path), speed, on_done=lambda sources, _problems: added.extend(
        sources))
    h.qtbot.waitUntil(lambda: bool(added), timeout=10_000)
    return added


def test_advice_is_shown_recorded_and_notified_once_then_withdrawn(audience_desk, tmp_path):
    h = audience_desk(audience_below_minutes=5, audience_min_runtime_minutes=10)
    given = []
    panel = h.open_panel()
    h.audience.advice.connect(given.append)
    add_replay(h, decline_csv(tmp_path / "decline.csv"))
    qtbot = h.qtbot
    qtbot.waitUntil(lambda: panel.advice_kind == "suggest_end", timeout=20_000)
    assert "of the 1,000 peak" in panel.advice_text.text()
    assert "under 10% for" in panel.advice_text.text()
    assert panel.chart.threshold() == pytest.approx(100.0)
    qtbot.waitUntil(lambda: panel.advice_kind == "withdrawn", timeout=20_000)
    assert panel.advice_text.text().startswith("Advice withdrawn")
    h.idle()
    kinds = [str(a.kind) for a in given]
    assert kinds == ["suggest_end", "withdrawn"]
    events = h.desk.timeline(kinds=["audience"])
    assert sorted(e.kind for e in events if e.kind.startswith("audience.advice")) == [
        "audience.advice", "audience.advice_withdrawn",
    ]
    advice_event = next(e for e in events if e.kind == "audience.advice")
    assert advice_event.summary == given[0].message
    assert h.notified == [("Audience: time to end the stream?", given[0].message)]
    # The advice is marked on the chart once the timeline is read again.
    qtbot.waitUntil(
        lambda: any("Advice" in line.toolTip() for line in panel.chart.marker_lines),
        timeout=10_000,
    )


def test_samples_are_written_off_the_ui_thread_and_a_new_bridge_shows_them(
    audience_desk, viewer_apis, monkeypatch
):
    from commsdesk.audience.store import AudienceStore
    from commsdesk.audience.ui.bridge import AudienceBridge
    from commsdesk.audience.ui.panel import AudiencePanel

    writers = []
    original = AudienceStore.append_samples

    def noted(self, samples, **kwargs):
        writers.append(threading.current_thread())
        return original(self, samples, **kwargs)

    monkeypatch.setattr(AudienceStore, "append_samples", noted)
    h = audience_desk()
    stand_in_sources(h, viewer_apis)
    h.open_panel()
    h.qtbot.waitUntil(lambda: h.chip("Kick") == "Kick: 380 viewers", timeout=10_000)
    with h.qtbot.waitSignal(h.audience.samples_written, timeout=10_000):
        pass
    h.window.stop_audience()
    h.idle()
    stored = h.store.sample_count()
    assert stored >= 3
    assert writers and threading.main_thread() not in writers

    panel = AudiencePanel()
    h.qtbot.addWidget(panel)
    again = AudienceBridge(h.bridge, h.lane, panel)
    with h.qtbot.waitSignal(again.history_loaded, timeout=10_000) as loaded:
        again.start()
    assert loaded.args == [stored]
    _, kick = panel.chart.series_data("Kick")
    assert 380.0 in kick
    assert 3990.0 in panel.chart.series_data(TOTAL)[1]
    again.close()
    h.idle()


def test_timeline_events_are_marked_on_the_chart_with_their_text(audience_desk, viewer_apis):
    h = audience_desk()
    stand_in_sources(h, viewer_apis)
    panel = h.open_panel()
    h.bridge.act(Desk.record, "broadcast.slide", "Slide on air: Back at 18:30 UTC")
    h.qtbot.waitUntil(
        lambda: any("Back at 18:30 UTC" in line.toolTip() for line in panel.chart.marker_lines),
        timeout=10_000,
    )
    line = next(x for x in panel.chart.marker_lines if "Back at" in x.toolTip())
    assert line.label.format == "Slide"


def test_a_typed_number_counts_at_once(audience_desk):
    h = audience_desk()
    h.store.add_source(OPERATOR, "manual", "X (typed)", interval=60)
    panel = h.open_panel()
    h.qtbot.waitUntil(lambda: panel.manual_entry.isVisibleTo(panel), timeout=10_000)
    panel.manual_entry.setText("oops")
    panel.manual_entry.returnPressed.emit()
    assert h.chip("X (typed)") != "X (typed): 2,410 viewers"
    panel.manual_entry.setText("2,410")
    panel.manual_entry.returnPressed.emit()
    h.qtbot.waitUntil(lambda: h.chip("X (typed)") == "X (typed): 2,410 viewers", timeout=5_000)
    assert 2410.0 in panel.chart.series_data(TOTAL)[1]


def test_the_chart_is_drawn_at_most_once_a_second_and_never_inside_a_drain(audience_desk):
    h = audience_desk()
    h.store.add_source(OPERATOR, "manual", "X (typed)", interval=60)
    panel = h.open_panel()
    h.qtbot.waitUntil(lambda: panel.manual_entry.isVisibleTo(panel), timeout=10_000)
    bridge, chart = h.audience, panel.chart
    in_drain, drains, redraws = [False], [], []
    drain, redraw = bridge.drain, chart.redraw

    def noted_drain():
        in_drain[0] = True
        drains.append(len(bridge._pending))
        try:
            drain()
        finally:
            in_drain[0] = False

    def noted_redraw():
        drew = redraw()
        redraws.append((in_drain[0], drew))
        return drew

    bridge.timer.timeout.disconnect(drain)
    bridge.timer.timeout.connect(noted_drain)
    chart.redraw = noted_redraw
    for n in range(1, 9):  # a number typed every 150 ms for 1.2 s
        bridge.enter_manual("X (typed)", 1_000.0 * n)
        h.qtbot.wait(150)
    # Every number is in the chart's data at once; the drawing follows.
    h.qtbot.waitUntil(lambda: 8_000.0 in chart.series_data(TOTAL)[1], timeout=5_000)

    def drawn_last():
        _, values = chart.series_item(TOTAL).getOriginalDataset()
        return None if values is None else values[-1]

    h.qtbot.waitUntil(lambda: drawn_last() == 8_000.0, timeout=5_000)
    fed = sum(1 for pending in drains if pending)
    # A redraw that only moved the view to follow the numbers is followed by one that draws.
    drawn = sum(1 for _inside, drew in redraws if drew)
    assert fed >= 4  # the numbers came in over several drains...
    assert 1 <= drawn <= 3 < fed  # ...and were drawn about once a second
    assert not any(inside for inside, _drew in redraws)  # never inside a drain
    assert chart.legend_labels[TOTAL].text().endswith("8,000</span>")


def test_typed_numbers_are_checked_a_jump_is_held_back_and_nothing_absurd_is_counted(
    audience_desk,
):
    from commsdesk.ui.theme import WARN

    h = audience_desk()
    h.store.add_source(OPERATOR, "manual", "Kick (typed)", interval=60)
    panel = h.open_panel()
    qtbot = h.qtbot
    qtbot.waitUntil(lambda: panel.manual_entry.isVisibleTo(panel), timeout=10_000)

    def typed(text):
        panel.manual_entry.setText(text)
        panel.manual_entry.returnPressed.emit()

    typed("99999999999999999999")
    assert panel.manual_problem.isVisibleTo(panel)
    assert panel.manual_problem.text() == (
        "A 20-digit number of viewers is more than Kick plausibly has (at most 5,000,000); "
        "check the number"
    )
    typed("2,410")
    assert not panel.manual_problem.isVisibleTo(panel) and panel.manual_entry.text() == ""
    qtbot.waitUntil(lambda: h.chip("Kick (typed)") == "Kick (typed): 2,410 viewers", timeout=5_000)
    typed("240,000")  # a slip of the finger: a hundred times the last
    qtbot.waitUntil(lambda: h.chip("Kick (typed)") == "Kick (typed): 240,000? held back",
                    timeout=5_000)
    assert panel.chip_colour("Kick (typed)") == WARN
    qtbot.waitUntil(lambda: panel.chart.flags("Kick (typed)")
                    and panel.chart.flags("Kick (typed)")[0][2] == "suspect", timeout=5_000)
    def numbers():
        values = panel.chart.series_data(TOTAL)[1]
        return values[np.isfinite(values)].tolist()

    assert numbers() == [2_410.0]  # not in the total
    assert h.audience.advisor.status().peak == 2_410
    typed("2,430")  # the next number does not confirm it: an outlier, never counted
    qtbot.waitUntil(lambda: h.chip("Kick (typed)") == "Kick (typed): 2,430 viewers", timeout=5_000)
    assert [f[2] for f in panel.chart.flags("Kick (typed)")] == ["outlier"]
    assert numbers() == [2_410.0, 2_430.0]
    h.window.stop_audience()
    h.idle()
    stored = h.store.samples(numbers_only=True)
    assert [r.viewers for r in stored] == [2_430, 240_000, 2_410]  # as read, nothing refused


def test_a_platforms_absurd_count_is_refused_on_its_chip_and_in_the_log(
    audience_desk, viewer_apis, caplog
):
    h = audience_desk()
    stand_in_sources(h, viewer_apis)
    viewer_apis.videos["live1"] = {"concurrentViewers": "99999999999999999999"}
    panel = h.open_panel()
    qtbot = h.qtbot
    qtbot.waitUntil(lambda: h.chip("YouTube") == "YouTube: number refused", timeout=10_000)
    qtbot.waitUntil(lambda: h.chip("Twitch") == "Twitch: 1,200 viewers", timeout=10_000)
    assert panel.chip_colour("YouTube") == BAD
    assert "more than YouTube plausibly has" in panel.chips["YouTube"].toolTip()
    qtbot.waitUntil(lambda: panel.chart.series_data(TOTAL)[1][-1] == 1_200 + 380, timeout=10_000)
    _, totals = panel.chart.series_data(TOTAL)
    assert np.nanmax(totals) == 1_580  # the total and the peak never saw it
    refusals = [r for r in caplog.records if "viewer count refused" in r.getMessage()]
    assert len(refusals) == 1  # logged once, not at every poll
    assert "YouTube answered a 20-digit number of viewers" in refusals[0].getMessage()


def test_a_sample_struck_from_the_chart_leaves_the_peak_and_the_threshold(audience_desk):
    h = audience_desk()
    h.store.add_source(OPERATOR, "manual", "Kick (typed)", interval=60)
    panel = h.open_panel()
    qtbot = h.qtbot
    qtbot.waitUntil(lambda: panel.manual_entry.isVisibleTo(panel), timeout=10_000)
    bridge = h.audience
    for number in ("2,400", "9,000", "9,100", "2,450"):  # two misreadings in a row
        bridge.enter_manual("Kick (typed)", number)
        qtbot.waitUntil(lambda n=number: h.chip("Kick (typed)").endswith(f"{n} viewers"),
                        timeout=5_000)
    qtbot.waitUntil(lambda: bridge.advisor.status().peak == 9_000, timeout=5_000)
    assert panel.chart.threshold() == pytest.approx(900)
    times, values = panel.chart.series_data("Kick (typed)")
    for at in times[(values == 9_000) | (values == 9_100)].tolist():
        panel.chart.pick("Kick (typed)", at)
        with qtbot.waitSignal(bridge.struck, timeout=20_000) as struck:
            panel.strike_selected("read off the wrong platform")
        assert struck.args[0].actor == OPERATOR
    assert bridge.advisor.status().peak == 2_450
    assert panel.chart.threshold() == pytest.approx(245)
    assert sorted(f[1] for f in panel.chart.flags("Kick (typed)")) == [9_000, 9_100]
    assert {f[2] for f in panel.chart.flags("Kick (typed)")} == {"struck"}
    assert np.nanmax(panel.chart.series_data(TOTAL)[1]) == 2_450
    events = h.desk.timeline(kinds=["audience.sample_struck"])
    assert [e.data["viewers"] for e in events] == [9_100, 9_000]
    assert all(e.data["reason"] == "read off the wrong platform" for e in events)


def test_live_time_counts_from_the_stream_never_before_the_incident(audience_desk):
    import time
    from datetime import UTC, datetime, timedelta

    from commsdesk.audience.series import Sample

    h = audience_desk()
    started = datetime.now(UTC) - timedelta(minutes=10)
    incident = h.desk.start_incident(OPERATOR, "Withdrawals paused", "P1", started_at=started)
    h.store.add_source(OPERATOR, "manual", "Kick (typed)", interval=60)
    now = time.time()
    # A replay laid in the past landed before the incident began, then numbers came in.
    h.store.append_samples([Sample(now - 3 * 3600, "Kick (typed)", 900),
                            Sample(now - 60, "Kick (typed)", 1_000)], incident_id=incident.id)
    panel = h.open_panel()
    wall = panel.open_wall()
    h.qtbot.waitUntil(lambda: wall.total.text() == "1,000", timeout=10_000)
    hours, minutes, _seconds = (int(part) for part in wall.live.text().split(":"))
    assert hours == 0 and 9 <= minutes <= 11  # the incident's ten minutes, not three hours
    wall.close()


def test_a_removed_sources_late_reading_brings_no_chip_back(audience_desk):
    from commsdesk.audience.sources.reading import Reading

    h = audience_desk()
    typo = h.store.add_source(OPERATOR, "manual", "Kcik (typed)", interval=60)
    panel = h.open_panel()
    h.qtbot.waitUntil(lambda: "Kcik (typed)" in panel.chips, timeout=10_000)
    removed = []
    h.audience.remove_source(typo.id, on_done=removed.append)
    h.qtbot.waitUntil(lambda: bool(removed), timeout=10_000)
    assert "Kcik (typed)" not in panel.chips
    h.audience._received(Reading("Kcik (typed)", time.time(), 12.0))  # polled just before
    h.audience.drain()
    assert "Kcik (typed)" not in panel.chips
    assert "Kcik (typed)" not in panel.chart.series_names()


def test_a_number_held_back_can_be_struck_before_the_next_reading(audience_desk):
    from commsdesk.ui.theme import OK

    h = audience_desk()
    h.store.add_source(OPERATOR, "manual", "Kick (typed)", interval=60)
    panel = h.open_panel()
    qtbot, bridge = h.qtbot, h.audience
    qtbot.waitUntil(lambda: panel.manual_entry.isVisibleTo(panel), timeout=10_000)
    bridge.enter_manual("Kick (typed)", "2,410")
    bridge.enter_manual("Kick (typed)", "240,000")
    qtbot.waitUntil(lambda: h.chip("Kick (typed)") == "Kick (typed): 240,000? held back",
                    timeout=5_000)
    (at, viewers, flag), = panel.chart.flags("Kick (typed)")
    assert (viewers, flag) == (240_000, "suspect")
    panel.chart.pick("Kick (typed)", at)
    with qtbot.waitSignal(bridge.struck, timeout=20_000):
        panel.strike_selected("typed two zeros too many")
    assert panel.chart.flags("Kick (typed)") == [(at, 240_000, "struck")]
    assert h.chip("Kick (typed)") == "Kick (typed): 2,410 viewers"
    assert panel.chip_colour("Kick (typed)") == OK
    bridge.enter_manual("Kick (typed)", "2,450")  # the next number is judged against 2,410
    qtbot.waitUntil(lambda: h.chip("Kick (typed)") == "Kick (typed): 2,450 viewers",
                    timeout=5_000)
