"""Setting up viewer sources: keys to the keyring only, the YouTube quota, CSV replays with bad
rows, switching a source off and on, removing one added by mistake."""

from __future__ import annotations

import time

from tests.audience.ui.audience_desk import OPERATOR
from tests.support.viewer_apis import YOUTUBE_KEY


def open_dialog(h):
    from commsdesk.audience.ui.sources_dialog import SourcesDialog

    h.window.ask_audience_sources()
    h.qtbot.waitUntil(lambda: h.window.findChild(SourcesDialog) is not None, timeout=5_000)
    dialog = h.window.findChild(SourcesDialog)
    h.idle()
    return dialog


def add_kick_replay(h, tmp_path, speed: float = 60) -> None:
    """A source "Kick" replaying 500 viewers every 5 s for 10 hours, fast unless told."""
    from commsdesk.audience.ui.bridge import replay_config

    csv = tmp_path / "flat.csv"
    csv.write_text("\n".join(f"{t},500,kick" for t in range(0, 36000, 5)) + "\n")
    config = replay_config(str(csv), "kick", speed=speed, started_at=time.time())
    h.store.add_source(OPERATOR, "replay", "Kick", config, interval=5.0)


def choose(dialog, kind: str) -> None:
    dialog.kind.setCurrentIndex(dialog.kind.findData(kind))


def test_a_youtube_key_goes_to_the_keyring_and_nowhere_else(
    audience_desk, viewer_apis, memory_keyring
):
    h = audience_desk()
    h.open_panel()
    dialog = open_dialog(h)
    assert dialog.keyring_ok is True
    choose(dialog, "youtube")
    form = dialog.forms["youtube"]
    form.interval.setValue(1)
    assert "Polling every 1 s uses 86,400 of 10,000 YouTube units a day" in dialog.quota.text()
    form.interval.setValue(15)
    assert "Polling every 15 s uses 5,760 of 10,000 YouTube units a day" in dialog.quota.text()
    viewer_apis.videos["live1"] = {"concurrentViewers": "2410"}
    form.label.setText("YouTube main")
    form.fields["video_id"].setText("live1")
    dialog.add()
    assert "Still needed: api key" in dialog.status.text()
    form.secrets["api_key"].setText(YOUTUBE_KEY)
    form.interval.setValue(1)
    form.server.setText(viewer_apis.url)
    dialog.add()
    h.qtbot.waitUntil(lambda: "YouTube main" in dialog.labels(), timeout=10_000)
    assert memory_keyring.passwords == {("CommsDesk", "viewers:YouTube main:api_key"): YOUTUBE_KEY}
    h.qtbot.waitUntil(lambda: h.chip("YouTube main") == "YouTube main: 2,410 viewers",
                      timeout=10_000)
    source = next(s for s in h.store.sources() if s.label == "YouTube main")
    assert source.config == {"video_id": "live1", "base_url": viewer_apis.url}
    h.window.stop_audience()
    h.idle()
    h.settings.save()
    for path in h.data_dir.iterdir():  # the database (and its WAL), the settings, the log
        if path.is_file():
            assert YOUTUBE_KEY.encode() not in path.read_bytes(), path.name


def test_a_csv_replay_reports_bad_rows_by_line_and_keeps_the_good_ones(audience_desk, tmp_path):
    h = audience_desk()
    panel = h.open_panel()
    csv = tmp_path / "stream.csv"
    rows = ["time,viewers,platform"]
    rows += [f"{t},{1000 - t},youtube" for t in range(0, 600, 5)]
    rows[3] = "10,lots,youtube"
    rows.insert(8, "not a time,12,youtube")
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    dialog = open_dialog(h)
    choose(dialog, "replay")
    dialog.replay_file.setText(str(csv))
    dialog.replay_speed.setValue(600)
    dialog.add()
    h.qtbot.waitUntil(lambda: "YouTube" in dialog.labels(), timeout=10_000)
    status = dialog.status.text()
    assert "2 bad row(s) left out, the good ones kept" in status
    assert "line 4: 'lots' is not a viewer count" in status
    assert "line 9: " in status
    h.qtbot.waitUntil(lambda: h.chip("YouTube").endswith("viewers")
                      or h.chip("YouTube").endswith("offline"), timeout=10_000)
    h.qtbot.waitUntil(lambda: len(panel.chart.series_data("YouTube")[0]) > 10, timeout=10_000)
    _, values = panel.chart.series_data("YouTube")
    assert 990.0 not in values  # the bad row at 10 s was left out, never read as a number


def test_a_fast_replay_beside_a_live_source_is_refused_in_words(audience_desk, tmp_path):
    h = audience_desk()
    add_kick_replay(h, tmp_path, speed=1)  # a ×1 replay keeps the clock: it counts as live
    h.open_panel()
    csv = tmp_path / "stream.csv"
    csv.write_text("".join(f"{t},{1000 - t},youtube\n" for t in range(0, 600, 5)))
    dialog = open_dialog(h)
    choose(dialog, "replay")
    dialog.replay_file.setText(str(csv))
    dialog.replay_speed.setValue(600)
    dialog.add()
    h.qtbot.waitUntil(lambda: "cannot be on with Kick" in dialog.status.text(), timeout=10_000)
    assert "a replay at ×600 stamps its numbers behind the clock" in dialog.status.text()
    assert dialog.labels() == ["Kick"] and [s.label for s in h.store.sources()] == ["Kick"]


def test_switching_a_source_off_stops_polling_it_and_on_again_counts_it_again(
    audience_desk, tmp_path
):
    h = audience_desk()
    add_kick_replay(h, tmp_path)
    h.open_panel()
    h.qtbot.waitUntil(lambda: h.chip("Kick") == "Kick: 500 viewers", timeout=10_000)
    dialog = open_dialog(h)
    dialog.enabled_box("Kick").setChecked(False)
    h.qtbot.waitUntil(lambda: h.chip("Kick") == "Kick: switched off", timeout=10_000)
    h.idle()
    assert h.audience.poller.labels() == []
    assert not next(s for s in h.store.sources() if s.label == "Kick").enabled
    assert "Audience source switched off: Kick" in [e.summary for e in h.desk.timeline(limit=5)]

    def latest_total():
        times, totals = h.audience.buffer.total()
        return (times[-1], totals[-1]) if len(times) else (0, 0)

    before = latest_total()[0]
    dialog.enabled_box("Kick").setChecked(True)
    h.qtbot.waitUntil(lambda: h.audience.poller.labels() == ["Kick"], timeout=10_000)
    h.qtbot.waitUntil(lambda: h.chip("Kick") == "Kick: 500 viewers", timeout=10_000)
    h.qtbot.waitUntil(lambda: latest_total()[0] > before, timeout=10_000)
    assert latest_total()[1] == 500  # counted again, not left out as while it was off


def test_a_source_added_by_mistake_is_removed_with_its_key_one_that_counted_stays(
    audience_desk, viewer_apis, memory_keyring, monkeypatch, tmp_path
):
    from PySide6.QtWidgets import QMessageBox

    h = audience_desk()
    add_kick_replay(h, tmp_path, speed=1)  # beside a live source, a replay keeps the clock
    h.open_panel()
    dialog = open_dialog(h)
    choose(dialog, "youtube")
    form = dialog.forms["youtube"]
    form.label.setText("YouTube typo")
    form.fields["video_id"].setText("no-such-video")
    form.secrets["api_key"].setText(YOUTUBE_KEY)
    form.interval.setValue(1)
    form.server.setText(viewer_apis.url)
    dialog.add()
    h.qtbot.waitUntil(lambda: "YouTube typo" in dialog.labels(), timeout=10_000)
    h.qtbot.waitUntil(lambda: h.chip("Kick") == "Kick: 500 viewers", timeout=10_000)
    h.qtbot.waitUntil(lambda: h.store.sample_count() > 0, timeout=10_000)
    asked = []

    def answer(button):
        return lambda *args: asked.append(args[2]) or button

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    dialog.remove("YouTube typo")
    h.idle()
    assert "YouTube typo" in dialog.labels() and "counted no viewers" in asked[-1]

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    dialog.remove("YouTube typo")
    h.qtbot.waitUntil(lambda: "YouTube typo" not in dialog.labels(), timeout=10_000)
    assert dialog.status.text() == "Removed YouTube typo."
    h.qtbot.waitUntil(lambda: memory_keyring.passwords == {}, timeout=10_000)
    assert "YouTube typo" not in h.audience.poller.labels()
    assert "YouTube typo" not in h.audience.panel.chips
    assert "Audience source removed: YouTube typo (youtube)" in [
        e.summary.split(";")[0] for e in h.desk.timeline(limit=5)
    ]

    dialog.remove("Kick")
    h.qtbot.waitUntil(lambda: "switch it off instead" in dialog.status.text(), timeout=10_000)
    assert dialog.labels() == ["Kick"] and h.audience.poller.labels() == ["Kick"]


def test_without_a_keyring_the_dialog_says_what_it_means_for_viewer_sources(
    audience_desk, monkeypatch
):
    import commsdesk.keyring_secrets as secrets
    from commsdesk.audience.ui.source_setup import NO_KEYRING

    monkeypatch.setattr(secrets, "keyring_status", lambda: "No system keyring (X account text)")
    h = audience_desk()
    h.open_panel()
    dialog = open_dialog(h)
    h.qtbot.waitUntil(lambda: dialog.keyring_ok is False, timeout=5_000)
    choose(dialog, "youtube")
    status = dialog.status
    assert status.text() == NO_KEYRING
    assert "COMMSDESK_X" not in status.text() and "X account" not in status.text()
    assert not dialog.add_button.isEnabled()
    dialog.show()
    h.qtbot.waitExposed(dialog)
    assert status.isVisible() and status.height() >= status.heightForWidth(status.width())
    assert dialog.rect().contains(status.geometry())  # all of it shows, nothing clipped
    choose(dialog, "manual")  # keeps no secret: the warning is not about it
    assert status.text() == "" and dialog.add_button.isEnabled()
