"""The Audience panel wired to real sources: the local viewer-API stand-in over HTTP and replays
of CSV files, a real SQLite desk, the advisor, the timeline and the tray."""

from __future__ import annotations

import math
import threading

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
    # The total is a gap while YouTube has no number: never a sum that leaves it out.
    _, totals = panel.chart.series_data(TOTAL)
    assert math.isnan(totals[-1])
    assert 1500 + 410 not in totals


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
    import time

    from commsdesk.audience.ui.bridge import replay_config

    for platform, label in (("youtube", "YouTube"), ("twitch", "Twitch")):
        h.store.add_source(OPERATOR, "replay", label,
                           replay_config(str(path), platform, speed=speed,
                                         started_at=time.time()),
                           interval=5.0)


def test_advice_is_shown_recorded_and_notified_once_then_withdrawn(audience_desk, tmp_path):
    h = audience_desk(audience_below_minutes=5, audience_min_runtime_minutes=10)
    add_replay(h, decline_csv(tmp_path / "decline.csv"))
    given = []
    panel = h.open_panel()
    h.audience.advice.connect(given.append)
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
