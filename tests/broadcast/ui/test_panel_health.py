"""Stream health in the panel over the in-memory OBS: figures, colours from the flags, and End
stream behind a confirmation that names how long it ran."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QScrollArea

from commsdesk.broadcast.stream_health import StreamSample
from commsdesk.settings import Settings
from commsdesk.ui.theme import BAD, WARN

LIVE_1H45 = 6_300_000  # ms


def live(at: float, **values) -> StreamSample:
    base = dict(at=at, active=True, duration_ms=LIVE_1H45, bytes_sent=0, stream_frames=0,
                encoder_frames=0, render_frames=0, cpu_percent=12.0, fps=30.0, target_fps=30.0)
    base.update(values)
    return StreamSample(**base)


def read(broadcast, qtbot, sample: StreamSample):
    broadcast.obs.obs.reading = sample
    with qtbot.waitSignal(broadcast.obs.health_changed):
        broadcast.obs.stream.read()
    return broadcast.panel.health


def test_healthy_stream_shows_live_time_and_bitrate_uncoloured(broadcast, qtbot):
    broadcast.connect()
    read(broadcast, qtbot, live(10.0, bytes_sent=1_000_000, stream_frames=300))
    view = read(broadcast, qtbot, live(12.0, bytes_sent=2_250_000, stream_frames=360,
                                  duration_ms=LIVE_1H45 + 2000))  # fmt: skip
    assert view.live.text() == "LIVE 1:45:02"
    assert view.values["bitrate"].text() == "5,000 kb/s"
    assert view.values["fps"].text() == "30.0 / 30"
    assert all(view.colour_of(key) is None for key in view.values)
    assert view.flags.text() == ""
    assert view.end.isEnabled()


def test_colours_follow_the_flags(broadcast, qtbot):
    broadcast.connect()
    read(broadcast, qtbot, live(10.0, bytes_sent=1_000, stream_frames=1000))
    view = read(broadcast, qtbot, live(12.0, bytes_sent=900_000, stream_frames=1100,
                                       dropped_frames=10, cpu_percent=97.0, fps=24.0))  # fmt: skip
    assert view.colour_of("dropped") == BAD
    assert view.colour_of("cpu") == WARN
    assert view.colour_of("fps") == WARN
    assert view.colour_of("bitrate") is None and view.colour_of("congestion") is None
    assert view.values["dropped"].text() == "10.0%"
    assert "dropped frames" in view.flags.text() and "CPU high" in view.flags.text()
    view = read(broadcast, qtbot, live(14.0, bytes_sent=1_800_000, stream_frames=1200))
    assert view.colour_of("dropped") is None and view.colour_of("cpu") is None


def test_not_live_cannot_be_ended(broadcast, qtbot):
    broadcast.connect()
    view = read(broadcast, qtbot, StreamSample(at=1.0, active=False, fps=30.0, target_fps=30.0))
    assert view.live.text() == "Not live"
    assert not view.end.isEnabled()


def test_end_stream_asks_first_naming_the_live_time(broadcast, fake_obs, qtbot, monkeypatch):
    broadcast.connect()
    view = read(broadcast, qtbot, live(10.0, bytes_sent=1_000, stream_frames=100))
    asked = []

    def answer(reply):
        def question(parent, title, text, *args):
            asked.append((title, text))
            return reply

        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    view.end.click()
    assert asked == [("End the live stream", "End the live stream? It has been live for "
                      "1 h 45 min. Viewers will see it end.")]  # fmt: skip
    broadcast.idle()
    assert "stop_stream" not in fake_obs.calls and fake_obs.reading.active

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    view.end.click()
    [ended] = broadcast.wait_events("broadcast.stream_stopped", 1)
    assert ended.summary == "Live stream ended after 1 h 45 min"
    assert not fake_obs.reading.active
    qtbot.waitUntil(lambda: view.live.text() == "Not live")


def answer_go_live(monkeypatch, button: str, asked: list):
    """The Go live confirmation, answered by pressing `button` (its text)."""

    def exec_(box):
        asked.append((box.windowTitle(), box.text(), [b.text() for b in box.buttons()]))
        next(b for b in box.buttons() if b.text().replace("&", "") == button).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)


def test_go_live_asks_first_naming_where_and_the_start_is_recorded_once(
    broadcast, fake_obs, qtbot, monkeypatch
):
    from commsdesk.broadcast.obs.api import StreamService

    fake_obs.service = StreamService("rtmp_common", "YouTube - RTMPS",
                                     "rtmps://a.rtmp.youtube.com:443/live2")  # fmt: skip
    broadcast.connect()
    view = read(broadcast, qtbot, StreamSample(at=1.0, active=False, fps=30.0, target_fps=30.0))
    assert view.start.isEnabled() and not view.end.isEnabled()
    asked: list = []
    answer_go_live(monkeypatch, "Cancel", asked)
    view.start.click()
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    title, text, buttons = asked[0]
    assert title == "Go live" and buttons[0] == "Go live"
    assert text == ("OBS starts streaming to YouTube - RTMPS "
                    "(rtmps://a.rtmp.youtube.com:443/live2): the public sees it.")  # fmt: skip
    broadcast.idle()
    assert "start_stream" not in fake_obs.calls

    answer_go_live(monkeypatch, "Go live", asked)
    view.start.click()
    [started] = broadcast.wait_events("broadcast.stream_started", 1)
    assert started.summary == (
        "Live stream started to YouTube - RTMPS (rtmps://a.rtmp.youtube.com:443/live2)"
    )
    assert fake_obs.reading.active


def test_go_live_with_no_destination_set_in_obs_says_so_and_starts_nothing(
    broadcast, fake_obs, qtbot, monkeypatch
):
    from commsdesk.broadcast.going_live import NO_DESTINATION
    from commsdesk.broadcast.obs.api import StreamService

    fake_obs.service = StreamService("rtmp_custom", "", "")
    broadcast.connect()
    view = read(broadcast, qtbot, StreamSample(at=1.0, active=False, fps=30.0, target_fps=30.0))
    warned: list = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda _parent, title, text, *a: warned.append((title, text)))
    asked: list = []
    answer_go_live(monkeypatch, "Go live", asked)  # never asked: there is nothing to confirm
    view.start.click()
    qtbot.waitUntil(lambda: bool(warned), timeout=10_000)
    assert warned == [("Not live", NO_DESTINATION)] and asked == []
    broadcast.idle()
    assert "start_stream" not in fake_obs.calls
    assert broadcast.events("broadcast.stream_started") == []


def test_in_a_drill_go_live_records_instead_and_says_so(broadcast, fake_obs, qtbot, monkeypatch):
    from commsdesk.publishing.holds import set_drill_mode

    set_drill_mode(broadcast.bridge.desk, "Pat Lee (producer)", True)
    broadcast.connect()
    view = read(broadcast, qtbot, StreamSample(at=1.0, active=False, fps=30.0, target_fps=30.0))
    asked: list = []
    answer_go_live(monkeypatch, "Record", asked)
    view.start.click()
    [recording] = broadcast.wait_events("broadcast.recording_started", 1)
    title, text, _ = asked[0]
    assert title == "Drill: record instead of streaming"
    assert text.startswith("Drill: OBS records instead of streaming, because "
                           "rtmp://127.0.0.1/live is not marked as a rehearsal destination.")
    assert fake_obs.records and not fake_obs.reading.active
    assert broadcast.events("broadcast.stream_started") == []


def test_rehearsal_destinations_are_set_in_the_obs_settings_and_a_drill_streams_there(
    broadcast, fake_obs, qtbot, monkeypatch
):
    from commsdesk.broadcast.obs.api import StreamService
    from commsdesk.publishing.holds import set_drill_mode

    fake_obs.service = StreamService("rtmp_custom", "", "rtmp://10.0.0.5:1935/rehearsal")
    set_drill_mode(broadcast.bridge.desk, "Pat Lee (producer)", True)
    broadcast.connect()
    panel = broadcast.panel
    panel.ask_settings()
    dialog = panel.settings_dialog
    dialog.rehearsal.setPlainText("  rtmp://10.0.0.5:1935/rehearsal  \n\n")
    dialog.accept()
    broadcast.idle()
    assert broadcast.settings.get("rehearsal_destinations") == ["rtmp://10.0.0.5:1935/rehearsal"]
    assert Settings.load(broadcast.bridge.settings.path.parent).get(
        "rehearsal_destinations") == ["rtmp://10.0.0.5:1935/rehearsal"]  # kept for next time
    view = read(broadcast, qtbot, StreamSample(at=1.0, active=False, fps=30.0, target_fps=30.0))
    asked: list = []
    answer_go_live(monkeypatch, "Go live", asked)
    view.start.click()
    [started] = broadcast.wait_events("broadcast.stream_started", 1)
    assert asked[0][1] == ("Drill: OBS streams to the rehearsal destination "
                           "rtmp://10.0.0.5:1935/rehearsal.")  # fmt: skip
    assert fake_obs.reading.active and not fake_obs.records


def seen_in_panel(panel, widget) -> bool:
    """All of `widget` is inside the panel's scroll area's view (not scrolled away)."""
    viewport = panel.findChild(QScrollArea).viewport()
    where = QRect(widget.mapTo(viewport, QPoint(0, 0)), widget.size())
    return widget.isVisible() and viewport.rect().contains(where)


def press_in_dialog(button: str) -> list:
    """Once a modal dialog is up, press its `button` (a real dialog, closed as a person would);
    the list returned gets the dialog's title then."""
    pressed: list = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(20, answer)
            return
        pressed.append(box.windowTitle())
        next(b for b in box.buttons() if b.text().replace("&", "") == button).click()

    QTimer.singleShot(20, answer)
    return pressed


def test_after_go_live_focus_is_back_on_the_stream_button_and_tab_goes_on_in_view(
    broadcast, fake_obs, qtbot
):
    broadcast.connect()
    panel = broadcast.panel
    broadcast.show_panel()
    view = read(broadcast, qtbot, StreamSample(at=1.0, active=False, fps=30.0, target_fps=30.0))
    scroll = panel.findChild(QScrollArea)
    assert scroll.verticalScrollBar().maximum() > 0  # the panel is taller than its view here

    scroll.verticalScrollBar().setValue(0)  # Go live is below the fold
    view.start.setFocus(Qt.FocusReason.TabFocusReason)  # as Tab brings it
    qtbot.waitUntil(lambda: view.start.hasFocus() and seen_in_panel(panel, view.start))

    pressed = press_in_dialog("Cancel")
    qtbot.keyClick(view.start, Qt.Key.Key_Space)  # Go live… asks first; Cancel
    qtbot.waitUntil(lambda: pressed == ["Go live"] and QApplication.activeModalWidget() is None,
                    timeout=10_000)  # fmt: skip
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.start)
    assert "start_stream" not in fake_obs.calls

    pressed = press_in_dialog("Go live")
    qtbot.keyClick(view.start, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: fake_obs.reading.active, timeout=10_000)
    assert pressed == ["Go live"]
    read(broadcast, qtbot, fake_obs.reading)
    assert view.end.isEnabled() and not view.start.isEnabled()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.end)  # live: End stream
    assert seen_in_panel(panel, view.end)

    scroll.verticalScrollBar().setValue(0)
    for _ in range(8):  # Tab on from there: always somewhere a person sees, scrolled to
        focused = QApplication.focusWidget()
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        assert now is not None and now is not focused and now.isVisible()
        if panel.isAncestorOf(now):
            assert seen_in_panel(panel, now), now


def test_focus_comes_back_to_the_stream_button_after_both_went_grey(broadcast, fake_obs, qtbot):
    """With a real OBS the stream takes a moment to start: Go live and End stream are both grey
    meanwhile, and Qt hands the focus to whatever comes next. Once End stream can be pressed,
    the focus is back on it."""
    broadcast.connect()
    broadcast.show_panel()
    view = read(broadcast, qtbot, StreamSample(at=1.0, active=False, fps=30.0, target_fps=30.0))
    view.start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(view.start.hasFocus)

    view._enable_buttons(start=False, end=False)  # starting: neither can be pressed
    assert QApplication.focusWidget() not in (view.start, view.end)
    view._enable_buttons(start=False, end=True)  # live
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.end)
