"""The slide composer and pushes over the in-memory OBS: time entry, the preview is the PNG that
goes on air, back to live, a push to a gone OBS, the slide offered to a post."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt

from commsdesk.broadcast.obs.api import SLIDE_INPUT, SLIDES_SCENE, ConnectionState
from commsdesk.slides.slide_kinds import SlideKind
from commsdesk.ui.theme import BAD


def type_time(broadcast, text: str) -> None:
    field = broadcast.panel.composer.fields["at"]
    field.setText(text)


def wait_rendering(broadcast, qtbot):
    composer = broadcast.panel.composer
    qtbot.waitUntil(lambda: composer.rendering is not None
                    and composer.rendering.generation == broadcast.panel._latest_generation,
                    timeout=20_000)  # fmt: skip
    return composer.rendering


def test_the_time_entry_shows_its_resolution_in_the_team_zones(broadcast):
    composer = broadcast.panel.composer
    composer.now = lambda: datetime(2026, 11, 24, 17, 48, tzinfo=UTC)
    type_time(broadcast, "18:30")
    label = composer.resolution.label
    assert label.text() == "18:30 today, in 42 min · 18:30 UTC · 02:30 SGT · 13:30 ET"
    assert BAD not in label.styleSheet()
    type_time(broadcast, "6:30")  # the next 6:30 on the clock face: this evening
    assert label.text().startswith("18:30 today, in 42 min")
    type_time(broadcast, "+15m")
    assert label.text() == "18:03 today, in 15 min · 18:03 UTC · 02:03 SGT · 13:03 ET"


def test_a_bad_time_is_shown_in_red_and_nothing_can_go_on_air(broadcast, fake_obs):
    broadcast.connect()
    composer = broadcast.panel.composer
    type_time(broadcast, "25:00")
    assert "hours go up to 23" in composer.resolution.label.text()
    assert BAD in composer.resolution.label.styleSheet()
    assert not broadcast.panel.put_button.isEnabled()
    broadcast.panel.put_on_air()
    assert "push_slide" not in fake_obs.calls


def test_an_hour_the_clocks_show_twice_makes_the_producer_choose(broadcast, qtbot):
    composer = broadcast.panel.composer
    composer.zone_name = "America/New_York"
    # 1 Nov 2026, 00:00 in New York: at 02:00 EDT the clocks go back to 01:00 EST.
    composer.now = lambda: datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
    type_time(broadcast, "01:30")
    resolution = composer.resolution
    assert "happens twice" in resolution.label.text()
    assert not resolution.choice.isHidden()
    assert resolution.earlier.text() == "the earlier: 01:30 EDT (05:30 UTC)"
    assert resolution.later.text() == "the later: 01:30 EST (06:30 UTC)"
    assert not broadcast.panel.put_button.isEnabled()
    resolution.later.setChecked(True)
    assert resolution.label.text() == (
        "01:30 EST today, in 2 h 30 min · 06:30 UTC · 14:30 SGT · 01:30 ET"
    )
    assert broadcast.panel.put_button.isEnabled()
    assert composer.fold == 1
    rendering = wait_rendering(broadcast, qtbot)
    assert rendering.slide.at == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def test_the_preview_is_the_png_that_goes_on_air(broadcast, fake_obs, qtbot):
    broadcast.connect()
    now = datetime.now(UTC)  # held: a minute turning mid-test would redraw "+20m" at the push
    broadcast.panel.composer.now = lambda: now
    type_time(broadcast, "+20m")
    broadcast.panel.composer.fields["message"].setText("The founder answers your questions.")
    rendering = wait_rendering(broadcast, qtbot)
    assert rendering.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not broadcast.panel.composer.preview.pixmap().isNull()

    broadcast.window.show()
    qtbot.waitExposed(broadcast.window)
    broadcast.window.activateWindow()
    field = broadcast.panel.composer.fields["message"]
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_B,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: broadcast.obs.on_air is not None)
    sent = Path(fake_obs.inputs[SLIDE_INPUT]["file"])
    assert sent == rendering.path
    assert sent.read_bytes() == rendering.png
    assert fake_obs.inputs["CommsDesk Countdown"]["text"].startswith("back in ")
    assert fake_obs.program == SLIDES_SCENE
    assert broadcast.panel.on_air_label.text().startswith("ON AIR: Back at ")
    assert "back in " in broadcast.panel.on_air_label.text()


def test_typing_then_put_on_air_at_once_pushes_what_was_typed(broadcast, fake_obs, qtbot):
    broadcast.connect()
    composer = broadcast.panel.composer
    composer.set_kind(SlideKind.LOWER_THIRD)
    composer.fields["name"].setText("Mara Chen")
    composer.fields["title"].setText("Chief Executive Officer")
    broadcast.panel.put_on_air()  # before the typing pause: drawn first, then pushed
    qtbot.waitUntil(lambda: broadcast.obs.on_air is not None, timeout=20_000)
    assert broadcast.obs.on_air.slide.name == "Mara Chen"
    assert Path(fake_obs.inputs[SLIDE_INPUT]["file"]).read_bytes() == composer.rendering.png


def test_push_then_back_to_live_returns_and_both_go_on_the_timeline(broadcast, fake_obs, qtbot):
    broadcast.connect()
    fake_obs.switch_scene("Screen")
    broadcast.idle()
    composer = broadcast.panel.composer
    composer.set_kind(SlideKind.STANDBY)
    wait_rendering(broadcast, qtbot)
    broadcast.panel.put_on_air()
    qtbot.waitUntil(lambda: broadcast.obs.on_air is not None)
    assert broadcast.panel.back_button.isEnabled()
    assert "prepare_slides" in fake_obs.calls

    qtbot.mouseClick(broadcast.panel.back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: broadcast.obs.on_air is None)
    assert fake_obs.program == "Screen"
    assert broadcast.panel.on_air_label.text() == "No slide on air"
    [pushed] = broadcast.wait_events("broadcast.slide", 1)
    assert pushed.summary == (
        "Slide on air: Standby: We're experiencing technical difficulties (from Screen)"
    )
    [back] = broadcast.wait_events("broadcast.back_live", 1)
    assert back.summary == "Back to live: Screen"


def test_a_push_when_obs_is_gone_fails_clearly_and_is_not_replayed(broadcast, fake_obs, qtbot):
    broadcast.connect()
    broadcast.panel.composer.set_kind(SlideKind.STANDBY)
    wait_rendering(broadcast, qtbot)
    fake_obs.set_state(ConnectionState.UNREACHABLE, "the connection to OBS was lost")
    with qtbot.waitSignal(broadcast.obs.alert) as alert:
        broadcast.panel.put_on_air()
    assert alert.args[0] == "Slide push failed"
    message = broadcast.panel.slide_message.text()
    assert "NOT on air" in message and "will not be sent by itself" in message
    assert BAD in broadcast.panel.slide_message.styleSheet()
    assert broadcast.obs.on_air is None

    calls = len(fake_obs.calls)
    fake_obs.set_state(ConnectionState.CONNECTED)
    broadcast.wait_events("broadcast.connection", 2)  # lost, and back
    broadcast.idle()
    assert fake_obs.program == "Camera"
    assert "push_slide" not in fake_obs.calls[calls:]
    assert SLIDES_SCENE not in fake_obs.scene_names  # nothing was set up behind the producer
    [failed] = broadcast.events("broadcast.failed")
    assert failed.summary.startswith("Slide push failed: Standby")


def test_connection_lost_mid_push_says_it_may_or_may_not_be_on_air(broadcast, fake_obs, qtbot):
    broadcast.connect()
    broadcast.panel.composer.set_kind(SlideKind.STANDBY)
    wait_rendering(broadcast, qtbot)
    fake_obs.fail_next("connection_lost", "The connection to OBS ended before it answered")
    broadcast.panel.put_on_air()
    qtbot.waitUntil(lambda: "may or may not be on air" in broadcast.panel.slide_message.text())
    assert "will not be sent again by itself" in broadcast.panel.slide_message.text()


def test_the_slide_on_air_is_offered_to_a_post_with_alt_text(broadcast, fake_obs, qtbot):
    broadcast.connect()
    assert broadcast.window.slide_on_air() is None
    composer = broadcast.panel.composer
    now = datetime.now(UTC)  # held: a minute turning mid-test would redraw "+1h" at the push
    composer.now = lambda: now
    type_time(broadcast, "+1h")
    rendering = wait_rendering(broadcast, qtbot)
    broadcast.panel.put_on_air()
    qtbot.waitUntil(lambda: broadcast.obs.on_air is not None)
    chosen = broadcast.window.slide_on_air()
    assert chosen.path == rendering.path and chosen.name == "the slide on air"
    at = rendering.slide.at
    assert chosen.alt == (
        f"Slide: We'll be back at {at:%H:%M} UTC · "
        f"{at.astimezone(__import__('zoneinfo').ZoneInfo('Asia/Singapore')):%H:%M} SGT · "
        f"{at.astimezone(__import__('zoneinfo').ZoneInfo('America/New_York')):%H:%M} ET"
    )


def test_a_template_error_shows_its_line_and_name(broadcast, qtbot, tmp_path):
    slides = tmp_path / "team-slides"
    slides.mkdir()
    (slides / "standby.html.j2").write_text("<p>{{ headline }}</p>\n<p>{{ no_such_thing }}</p>\n")
    broadcast.settings.set("slides_dir", str(slides))
    broadcast.panel.composer.set_kind(SlideKind.STANDBY)
    problems = broadcast.panel.composer.problems
    qtbot.waitUntil(lambda: not problems.isHidden(), timeout=20_000)
    assert "Line 2" in problems.text() and "no_such_thing" in problems.text()
    assert BAD in problems.styleSheet()
    assert broadcast.panel.composer.rendering is None


def test_what_goes_on_air_is_what_the_line_under_the_time_says_when_pushed(
    broadcast, fake_obs, qtbot
):
    """At 15:33 "+15m" reads 15:48 and is drawn so; at 15:40 the line under the field and the
    slide pushed both say 15:55 (a delay counts from the push), and so does the preview."""
    broadcast.connect()
    composer, panel = broadcast.panel.composer, broadcast.panel
    clock = {"now": datetime(2026, 11, 24, 15, 33, tzinfo=UTC)}
    composer.now = lambda: clock["now"]
    type_time(broadcast, "+15m")
    label = composer.resolution.label
    assert label.text().startswith("15:48 today, in 15 min")
    assert wait_rendering(broadcast, qtbot).slide.at == datetime(2026, 11, 24, 15, 48, tzinfo=UTC)
    tip = composer.fields["at"].toolTip()
    assert "+15m" in tip and "put the slide on air" in tip

    clock["now"] = datetime(2026, 11, 24, 15, 40, tzinfo=UTC)
    panel.put_on_air()  # Ctrl+Shift+B
    qtbot.waitUntil(lambda: broadcast.obs.on_air is not None, timeout=20_000)
    fifteen_55 = datetime(2026, 11, 24, 15, 55, tzinfo=UTC)
    assert broadcast.obs.on_air.slide.at == fifteen_55
    assert label.text().startswith("15:55 today, in 15 min")
    assert broadcast.panel.on_air_label.text().startswith("ON AIR: Back at 15:55 UTC")
    assert Path(fake_obs.inputs[SLIDE_INPUT]["file"]) == composer.rendering.path
    assert composer.rendering.slide.at == fifteen_55  # the preview is the slide on air

    clock["now"] = datetime(2026, 11, 24, 15, 41, 30, tzinfo=UTC)  # the clock moves on: the
    qtbot.waitUntil(lambda: label.text().startswith("15:56 today, in 15 min"))  # line follows
    qtbot.waitUntil(lambda: composer.rendering is not None  # and so does the preview
                    and composer.rendering.slide.at.minute == 56, timeout=20_000)  # fmt: skip


def test_the_wheel_scrolls_the_panel_past_the_slide_kind_and_never_changes_it(
    broadcast, qtbot
):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    combo = broadcast.panel.composer.kind
    broadcast.window.show()
    qtbot.waitExposed(broadcast.window)
    before = combo.currentIndex()

    def wheel() -> bool:
        event = QWheelEvent(QPointF(5, 5), QPointF(combo.mapToGlobal(QPoint(5, 5))), QPoint(0, 0),
                            QPoint(0, -120), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(combo, event)
        return event.isAccepted()

    assert not combo.hasFocus()
    assert wheel() is False  # passed on to the scroll area around it
    assert combo.currentIndex() == before
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    wheel()  # chosen: the wheel turns it, as a person means it to
    assert combo.currentIndex() != before
