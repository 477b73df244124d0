"""What the Broadcast panel says is on air comes from OBS, over the in-memory OBS: lost, it says
what it last knew (never ON AIR); back, it reads OBS's program again; a cut made in OBS itself
takes ON AIR away; a slides scene the desk did not fill is named as such, and by whom when the
timeline says."""

from __future__ import annotations

from PySide6.QtCore import Qt

from commsdesk.broadcast.obs.api import SLIDE_INPUT, SLIDES_SCENE, ConnectionState
from commsdesk.slides.slide_kinds import SlideKind
from commsdesk.timeline.chain import EventKind
from commsdesk.ui.theme import BAD, WARN


def put_standby_on_air(broadcast, qtbot) -> None:
    panel = broadcast.panel
    panel.composer.set_kind(SlideKind.STANDBY)
    panel.put_on_air()
    qtbot.waitUntil(lambda: broadcast.obs.on_air is not None)
    assert panel.on_air_label.text().startswith("ON AIR: Standby")
    assert panel.back_button.isEnabled()


def test_obs_lost_says_last_known_and_back_on_another_scene_says_no_slide(
    broadcast, fake_obs, qtbot
):
    broadcast.connect()
    panel = broadcast.panel
    broadcast.show_panel()
    composer = panel.composer
    composer.set_kind(SlideKind.BACK_AT)
    composer.fields["at"].setText("+20m")
    panel.put_on_air()
    qtbot.waitUntil(lambda: broadcast.obs.on_air is not None)
    assert "back in " in panel.on_air_label.text()

    fake_obs.set_state(ConnectionState.UNREACHABLE, "the connection to OBS was lost")
    text = panel.on_air_label.text()
    assert text.startswith("OBS not reachable. Last known, ") and ": slide Back at " in text
    assert "ON AIR" not in text and "back in" not in text  # no countdown ticking on a guess
    assert not any("●" in b.text() for b in panel.scene_buttons)  # neither ON AIR nor PROGRAM
    label = panel.on_air_label  # all of it readable, at 1280×720
    assert label.isVisible() and label.heightForWidth(label.width()) <= label.height()
    assert WARN in panel.on_air_label.styleSheet() and BAD not in panel.on_air_label.styleSheet()
    assert not panel.back_button.isEnabled()
    assert broadcast.obs.on_air is None
    assert broadcast.window.slide_on_air() is None  # a post is not offered a guess either

    fake_obs.restart("Camera")  # OBS came back on its camera, after a crash
    fake_obs.set_state(ConnectionState.CONNECTED)
    qtbot.waitUntil(lambda: panel.on_air_label.text() == "No slide on air")
    assert not panel.back_button.isEnabled()
    assert broadcast.obs.on_air is None
    assert panel.scene_buttons[0].text() == "1  Camera   ● PROGRAM"  # not streaming
    calls = len(fake_obs.calls)
    panel._tick()
    broadcast.idle()
    assert "set_countdown" not in fake_obs.calls[calls:]


def test_obs_back_still_on_the_slide_says_on_air_again(broadcast, fake_obs, qtbot):
    broadcast.connect()
    put_standby_on_air(broadcast, qtbot)
    fake_obs.set_state(ConnectionState.UNREACHABLE, "the connection to OBS was lost")
    assert "ON AIR" not in broadcast.panel.on_air_label.text()
    fake_obs.set_state(ConnectionState.CONNECTED)
    qtbot.waitUntil(lambda: broadcast.panel.on_air_label.text().startswith("ON AIR: Standby"))
    assert broadcast.panel.back_button.isEnabled()


def test_a_cut_made_in_obs_takes_on_air_away(broadcast, fake_obs, qtbot):
    broadcast.connect()
    put_standby_on_air(broadcast, qtbot)
    fake_obs.switch_scene("Screen")  # the producer cut in OBS itself
    qtbot.waitUntil(lambda: broadcast.panel.on_air_label.text() == "No slide on air")
    assert not broadcast.panel.back_button.isEnabled()
    assert broadcast.obs.on_air is None


def test_a_slides_scene_the_desk_did_not_fill_is_named_not_guessed(broadcast, fake_obs, qtbot):
    broadcast.connect()
    put_standby_on_air(broadcast, qtbot)
    fake_obs.set_state(ConnectionState.UNREACHABLE, "the connection to OBS was lost")
    fake_obs.inputs[SLIDE_INPUT]["file"] = "/elsewhere/slide-from-another-desk.png"
    fake_obs.set_state(ConnectionState.CONNECTED)
    expected = (f"ON AIR: the {SLIDES_SCENE} scene (slide-from-another-desk.png), not put there "
                "from this desk")  # fmt: skip
    qtbot.waitUntil(lambda: broadcast.panel.on_air_label.text() == expected)
    assert broadcast.obs.on_air is None  # not the desk's slide: not offered to a post
    assert broadcast.panel.back_button.isEnabled()  # but the producer can still cut back


def test_a_slide_put_up_by_a_drill_or_the_command_line_is_named_from_the_timeline(
    broadcast, fake_obs, qtbot
):
    broadcast.connect()
    put_standby_on_air(broadcast, qtbot)
    fake_obs.set_state(ConnectionState.UNREACHABLE, "the connection to OBS was lost")
    desk = broadcast.bridge.desk  # meanwhile a drill put its own slide up, through its own OBS
    desk.record("Drill", EventKind.BROADCAST_SLIDE, "Slide on air: Back at 18:30 UTC (from Camera)",
                data={"kind": "back_at", "file": "drill-back-at.png", "from": "drill"})  # fmt: skip
    at = desk.timeline(limit=1)[0].at
    fake_obs.inputs[SLIDE_INPUT]["file"] = "/elsewhere/drill-back-at.png"
    fake_obs.set_state(ConnectionState.CONNECTED)
    expected = (f"ON AIR: Back at 18:30 UTC (from Camera) · put up by Drill from a drill at "
                f"{at:%H:%M} UTC")
    qtbot.waitUntil(lambda: broadcast.panel.on_air_label.text() == expected)
    assert broadcast.obs.on_air is None  # still not this window's slide: not offered to a post
    assert broadcast.panel.back_button.isEnabled()


def test_the_countdown_goes_on_after_a_cut_away_and_back_to_the_slide(broadcast, fake_obs, qtbot):
    """Back at on air; the producer cuts to Screen with its button, then back to the slides scene
    with its button: the same slide is the desk's again, and OBS's countdown text moves on."""
    from commsdesk.broadcast.obs.api import COUNTDOWN_INPUT

    broadcast.connect()
    panel = broadcast.panel
    panel.composer.set_kind(SlideKind.BACK_AT)
    panel.composer.fields["at"].setText("+20m")
    panel.put_on_air()
    qtbot.waitUntil(lambda: broadcast.obs.on_air is not None, timeout=20_000)
    slide = broadcast.obs.on_air
    countdown = fake_obs.inputs[COUNTDOWN_INPUT]
    assert countdown["text"].startswith("back in ")

    def button_of(scene: str):
        return next(b for b in panel.scene_buttons if scene in b.text())

    qtbot.mouseClick(button_of("Screen"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.on_air_label.text() == "No slide on air")
    assert broadcast.obs.on_air is None and not panel.back_button.isEnabled()
    qtbot.mouseClick(button_of(SLIDES_SCENE), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: broadcast.obs.on_air is not None)
    assert broadcast.obs.on_air == slide  # the desk's own slide again, not "someone else's"
    assert panel.on_air_label.text().startswith("ON AIR: Back at ")
    assert "not put there from this desk" not in panel.on_air_label.text()
    assert broadcast.window.slide_on_air().path == slide.path  # offered to a post again

    shown = countdown["text"]
    qtbot.waitUntil(lambda: countdown["text"] != shown, timeout=5_000)  # ticking again
    assert countdown["text"].startswith("back in ")

    qtbot.mouseClick(panel.back_button, Qt.MouseButton.LeftButton)  # back to live still works
    qtbot.waitUntil(lambda: fake_obs.program == "Camera")
    qtbot.waitUntil(lambda: panel.on_air_label.text() == "No slide on air")


def test_back_on_the_slides_scene_showing_another_file_is_not_the_desks(
    broadcast, fake_obs, qtbot
):
    """Cut away, another file put in the slides scene meanwhile (a drill), cut back: it is named
    from the timeline, never taken for the desk's remembered slide."""
    broadcast.connect()
    put_standby_on_air(broadcast, qtbot)
    fake_obs.switch_scene("Screen")
    qtbot.waitUntil(lambda: broadcast.panel.on_air_label.text() == "No slide on air")
    desk = broadcast.bridge.desk
    desk.record("Drill", EventKind.BROADCAST_SLIDE, "Slide on air: Standby: Drill (from Screen)",
                data={"kind": "standby", "file": "drill-standby.png", "from": "drill"})  # fmt: skip
    at = desk.timeline(limit=1)[0].at
    fake_obs.inputs[SLIDE_INPUT]["file"] = "/elsewhere/drill-standby.png"
    fake_obs.switch_scene(SLIDES_SCENE)
    expected = (f"ON AIR: Standby: Drill (from Screen) · put up by Drill from a drill at "
                f"{at:%H:%M} UTC")
    qtbot.waitUntil(lambda: broadcast.panel.on_air_label.text() == expected)
    assert broadcast.obs.on_air is None
    assert broadcast.window.slide_on_air() is None


def test_a_slide_pushed_from_the_command_line_over_this_window_s_stops_its_countdown(
    broadcast, fake_obs, qtbot
):
    """The window's Back-at is on air, counting down; the command line puts its own Back-at up
    (OBS stays on the slides scene): once the timeline says so, the window reads OBS's slide
    again, names the other one, and no longer writes its countdown over the other's."""
    from commsdesk.broadcast.obs.api import COUNTDOWN_INPUT

    broadcast.connect()
    panel = broadcast.panel
    panel.composer.set_kind(SlideKind.BACK_AT)
    panel.composer.fields["at"].setText("+20m")
    panel.put_on_air()
    qtbot.waitUntil(lambda: broadcast.obs.on_air is not None, timeout=20_000)
    countdown = fake_obs.inputs[COUNTDOWN_INPUT]

    fake_obs.push_slide("/elsewhere/cli-back-at.png", "back in 9:59").result()  # the CLI's
    desk = broadcast.bridge.desk
    event = desk.record("Sam Okafor", EventKind.BROADCAST_SLIDE,
                        "Slide on air: Back at 18:40 UTC (from Camera)",
                        data={"kind": "back_at", "file": "cli-back-at.png",
                              "from": "command line"})  # fmt: skip
    broadcast.obs.slides_pushed_elsewhere([event])  # what the timeline's poll hands on

    qtbot.waitUntil(lambda: "put up by Sam Okafor from the command line" in
                    panel.on_air_label.text(), timeout=5_000)  # fmt: skip
    assert broadcast.obs.on_air is None  # not this window's slide any more
    countdown["text"] = "back in 9:59"
    qtbot.wait(2_500)  # more than two of the window's countdown ticks
    assert countdown["text"] == "back in 9:59"  # the other's countdown, not overwritten
