"""The Broadcast panel over the in-memory OBS: connection words, scene buttons, keys 1–9."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QBuffer, QByteArray, Qt
from PySide6.QtGui import QColor, QImage

from commsdesk.broadcast.obs.api import ConnectionState
from commsdesk.broadcast.ui.obs_link import THUMBNAIL_BOX, THUMBNAIL_WIDTH
from commsdesk.broadcast.ui.scene_buttons import PROGRAM_GREY
from commsdesk.ui.theme import BAD


def scene_texts(panel) -> list[str]:
    return [button.text() for button in panel.scene_buttons]


def test_connected_panel_lists_scenes_with_the_program_marked(broadcast):
    broadcast.connect()
    panel = broadcast.panel
    assert panel.connection.text() == "● Connected: OBS 29.0.2, websocket 5.1.0"
    assert broadcast.window.status_obs.text() == "OBS: connected (29.0.2)"
    # OBS neither streams nor records: its program is marked, never said to be on air
    assert scene_texts(panel) == ["1  Camera   ● PROGRAM", "2  Screen", "3  Guest"]
    assert BAD not in panel.scene_buttons[0].styleSheet()
    assert PROGRAM_GREY in panel.scene_buttons[0].styleSheet()
    assert all(button.isEnabled() for button in panel.scene_buttons)


def test_the_program_is_on_air_in_red_only_while_obs_streams_or_records(broadcast, fake_obs, qtbot):
    broadcast.connect()
    panel = broadcast.panel
    camera = panel.scene_buttons[0]
    assert camera.text() == "1  Camera   ● PROGRAM" and BAD not in camera.styleSheet()
    assert "not streaming or recording" in camera.toolTip()

    fake_obs.start_stream()  # started in OBS itself: its StreamStateChanged is enough
    qtbot.waitUntil(lambda: camera.text() == "1  Camera   ● ON AIR")
    assert BAD in camera.styleSheet() and camera.toolTip() == "Camera is on air"
    fake_obs.switch_scene("Screen")
    qtbot.waitUntil(lambda: scene_texts(panel)[:2] == ["1  Camera", "2  Screen   ● ON AIR"])
    fake_obs.stop_stream()
    qtbot.waitUntil(lambda: scene_texts(panel)[1] == "2  Screen   ● PROGRAM")
    assert BAD not in panel.scene_buttons[1].styleSheet()

    fake_obs.start_record()  # recording (a drill's go-live): what the program shows is kept
    qtbot.waitUntil(lambda: scene_texts(panel)[1] == "2  Screen   ● ON AIR")
    fake_obs.set_state(ConnectionState.UNREACHABLE, "the connection to OBS was lost")
    assert not any("●" in text for text in scene_texts(panel))  # nothing claimed on a guess
    fake_obs.set_state(ConnectionState.CONNECTED)  # back, still recording: asked, not assumed
    qtbot.waitUntil(lambda: scene_texts(panel)[1] == "2  Screen   ● ON AIR")
    fake_obs.stop_record()
    qtbot.waitUntil(lambda: scene_texts(panel)[1] == "2  Screen   ● PROGRAM")


def test_clicking_a_scene_switches_and_goes_on_the_timeline(broadcast, fake_obs, qtbot):
    broadcast.connect()
    qtbot.mouseClick(broadcast.panel.scene_buttons[1], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: scene_texts(broadcast.panel)[1] == "2  Screen   ● PROGRAM")
    assert fake_obs.program == "Screen"
    [event] = broadcast.wait_events("broadcast.scene", 1)
    assert event.summary == "Scene on air: Screen (was Camera)"
    assert event.actor == "Pat Lee (producer)"


def test_key_3_switches_to_the_third_scene_but_typing_3_in_a_field_does_not(
    broadcast, fake_obs, qtbot
):
    broadcast.connect()
    panel = broadcast.panel
    broadcast.window.show()
    qtbot.waitExposed(broadcast.window)
    broadcast.window.docks[1].show()
    broadcast.window.docks[1].raise_()
    qtbot.waitUntil(panel.isVisible)

    panel.scene_buttons[0].setFocus()
    qtbot.waitUntil(lambda: panel.scene_buttons[0].hasFocus())
    qtbot.keyClick(panel.scene_buttons[0], Qt.Key.Key_3)
    qtbot.waitUntil(lambda: fake_obs.program == "Guest")

    fake_obs.switch_scene("Camera")
    broadcast.idle()
    at = panel.composer.fields["at"]
    at.setFocus()
    qtbot.waitUntil(at.hasFocus)
    calls = len(fake_obs.calls)
    qtbot.keyClicks(at, "3")
    qtbot.keyClick(at, Qt.Key.Key_2)
    assert at.text() == "32"
    broadcast.idle()
    assert fake_obs.program == "Camera"
    assert "switch_scene" not in fake_obs.calls[calls:]


def test_states_in_words_and_the_status_bar(broadcast, fake_obs, qtbot):
    broadcast.connect()
    panel = broadcast.panel
    fake_obs.set_state(ConnectionState.UNREACHABLE, "nothing answers at 127.0.0.1:4455")
    assert panel.connection.text() == "● Unreachable"
    assert broadcast.window.status_obs.text() == "OBS: unreachable"
    assert not any(button.isEnabled() for button in panel.scene_buttons)
    assert panel.thumbnail.pixmap().isNull()
    fake_obs.set_state(ConnectionState.NOT_ANSWERING)
    assert panel.connection.text() == "● OBS is not answering"
    fake_obs.set_state(ConnectionState.OBS_EXITING)
    assert broadcast.window.status_obs.text() == "OBS: exiting"


def test_a_lost_connection_and_its_return_go_on_the_timeline_once(broadcast, fake_obs):
    broadcast.connect()
    fake_obs.set_state(ConnectionState.UNREACHABLE, "the connection to OBS was lost")
    fake_obs.set_state(ConnectionState.CONNECTING)
    fake_obs.set_state(ConnectionState.UNREACHABLE, "nothing answers")
    fake_obs.set_state(ConnectionState.CONNECTING)
    fake_obs.set_state(ConnectionState.CONNECTED)
    summaries = [event.summary for event in broadcast.wait_events("broadcast.connection", 2)]
    assert summaries == [
        "OBS connection lost: the connection to OBS was lost",
        "OBS connection back: OBS 29.0.2 (websocket 5.1.0)",
    ]


def test_wrong_password_offers_the_password_entry(broadcast, fake_obs, qtbot):
    broadcast.connect()
    panel = broadcast.panel
    assert panel.enter_password.isHidden()
    fake_obs.set_state(ConnectionState.WRONG_PASSWORD, "OBS refused the password")
    assert not panel.enter_password.isHidden()
    assert panel.connection.text().startswith("● Wrong password")
    assert broadcast.window.status_obs.text() == "OBS: wrong password"

    qtbot.mouseClick(panel.enter_password, Qt.MouseButton.LeftButton)
    dialog = panel.settings_dialog
    assert dialog.isVisible() and dialog.password.text() == ""
    dialog.password.setText("the right one")
    dialog.accept()
    broadcast.idle()
    assert fake_obs.status.connected
    assert panel.enter_password.isHidden()


def test_obs_coming_and_going_and_switches_never_lay_the_window_out_again(
    broadcast, fake_obs, qtbot
):
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QWidget

    broadcast.connect()
    window, panel = broadcast.window, broadcast.panel
    window.show()
    qtbot.waitExposed(window)
    window.docks[1].show()
    window.docks[1].raise_()
    qtbot.waitUntil(panel.isVisible)
    qtbot.wait(50)
    content = panel.findChild(QWidget, "broadcast-content")

    class Requests(QObject):
        count = 0

        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.LayoutRequest:
                Requests.count += 1
            return False

    from PySide6.QtCore import QCoreApplication

    # Layouts still pending from start-up (a loaded machine may not have run them yet) first.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    watcher = Requests()
    for widget in (content, window):
        widget.installEventFilter(watcher)
    for state in (ConnectionState.UNREACHABLE, ConnectionState.CONNECTING,
                  ConnectionState.NOT_ANSWERING, ConnectionState.CONNECTED):  # fmt: skip
        fake_obs.set_state(state, "the connection to OBS was lost")
        qtbot.wait(20)
    fake_obs.switch_scene("Screen")
    qtbot.waitUntil(lambda: scene_texts(panel)[1] == "2  Screen   ● PROGRAM")
    qtbot.wait(20)
    assert panel.connection.text() == "● Connected: OBS 29.0.2, websocket 5.1.0"
    assert Requests.count == 0


def png_of(width: int, height: int) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366cc"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")
    return bytes(data.data())


def test_the_program_thumbnail_arrives_sized_for_its_frame(broadcast, fake_obs, qtbot):
    """OBS is asked for the box's width, so a 16:9 program needs no scaling; any other shape
    is scaled off the UI thread to fit. The panel shows what it gets."""
    broadcast.connect()
    panel = broadcast.panel
    assert THUMBNAIL_BOX[0] == THUMBNAIL_WIDTH
    box_w, box_h = THUMBNAIL_BOX
    for width, height, shown in (
        (box_w, box_h, (box_w, box_h)),  # 16:9 as asked for
        (box_w, box_w * 3 // 4, (box_h * 4 // 3, box_h)),  # 4:3: too tall, scaled to fit
    ):
        fake_obs.thumbnail_listener(png_of(width, height))
        qtbot.waitUntil(lambda s=shown: panel.thumbnail.pixmap().size().toTuple() == s)
        contents = panel.thumbnail.contentsRect()
        assert contents.width() >= box_w and contents.height() >= box_h
    fake_obs.thumbnail_listener(b"not a picture")  # ignored: the last picture stays
    qtbot.wait(50)
    assert panel.thumbnail.pixmap().size().toTuple() == (box_h * 4 // 3, box_h)


@pytest.mark.parametrize(
    ("width", "height", "shown"),
    [
        (160, 90, (252, 142)),  # 16:9, smaller than the box: scaled up to fill it
        (640, 360, (252, 142)),  # 16:9 at the canvas's own size (no width applied)
        (252, 141, (252, 141)),  # what OBS sends for 16:9 at the box's width: kept as it is
        (1920, 1080, (252, 142)),
        (64, 48, (189, 142)),  # 4:3, small: up to the box's height
        (81, 144, (80, 142)),  # 9:16 (a vertical canvas)
        (1, 1, (142, 142)),  # a single pixel, as the in-memory OBS sends
    ],
    ids=["16x9-small", "16x9-canvas", "16x9-as-asked", "16x9-large", "4x3-small", "9x16", "1x1"],
)
def test_the_program_thumbnail_fills_its_box_keeping_its_shape(
    broadcast, fake_obs, qtbot, width, height, shown
):
    """Whatever size a picture comes in (another canvas, another width than asked), the panel
    shows it filling the box along one side, never smaller, never larger, its shape kept."""
    broadcast.connect()
    panel = broadcast.panel
    fake_obs.thumbnail_listener(png_of(width, height))
    qtbot.waitUntil(lambda: panel.thumbnail.pixmap().size().toTuple() == shown)
    box_w, box_h = THUMBNAIL_BOX
    shown_w, shown_h = shown
    assert shown_w == box_w or shown_h == box_h
    assert abs(shown_w * height / width - shown_h) <= 1  # the program's shape, to a pixel
