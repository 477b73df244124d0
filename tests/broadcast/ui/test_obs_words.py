"""What the Broadcast panel tells the producer about the connection's set-up, over the in-memory
OBS: no password set, no keyring on this machine, and OBS on another machine (which cannot read
the desk's slide files: said before the push, and found out after it)."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt, QTextBoundaryFinder
from PySide6.QtGui import QTextLayout, QTextOption

from commsdesk.broadcast.obs.api import ConnectionState
from commsdesk.slides.slide_kinds import SlideKind
from commsdesk.ui.theme import BAD
from tests.broadcast.ui.conftest import BroadcastDesk


def fully_shown(label) -> bool:
    """The label's text all fits in it, wrapped."""
    return label.isVisible() and label.heightForWidth(label.width()) <= label.height()


def test_no_password_set_says_so_and_where_to_give_it(broadcast, fake_obs, qtbot):
    broadcast.connect()
    panel = broadcast.panel
    broadcast.show_panel()
    fake_obs.set_state(ConnectionState.NO_PASSWORD, "OBS at 192.168.100.200:4455 asks for a "
                       "password; none is set (OBS settings… in the desk, or "
                       "COMMSDESK_OBS_PASSWORD)")  # fmt: skip
    assert panel.connection.text() == (
        "● OBS asks for a password and none is set. Enter the one from OBS's WebSocket settings."
    )
    assert "refused" not in panel.connection.text()
    assert broadcast.window.status_obs.text() == "OBS: needs a password"
    assert not panel.enter_password.isHidden()
    qtbot.waitUntil(lambda: fully_shown(panel.connection) and fully_shown(panel.connection_detail))


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_without_a_keyring_the_settings_say_how_to_keep_the_obs_password(
    broadcast, fake_obs, qtbot, no_keyring, monkeypatch
):
    monkeypatch.delenv("COMMSDESK_OBS_PASSWORD", raising=False)
    broadcast.connect()
    broadcast.window.show()
    qtbot.waitExposed(broadcast.window)
    panel = broadcast.panel
    panel.ask_settings(ask_password=True)
    dialog = panel.settings_dialog
    qtbot.waitUntil(lambda: "No system keyring" in dialog.keeping.text())
    words = dialog.keeping.text()
    assert words.startswith("No system keyring works on this computer")
    assert "COMMSDESK_X_" not in words
    qtbot.waitUntil(lambda: fully_shown(dialog.keeping))

    dialog.password.setText("from OBS")
    dialog.accept()
    qtbot.waitUntil(lambda: "COMMSDESK_OBS_PASSWORD" in panel.slide_message.text())
    message = panel.slide_message.text()
    assert message.startswith("OBS password kept only until the desk closes")
    assert "COMMSDESK_X_" not in message
    broadcast.window.docks[1].show()
    broadcast.window.docks[1].raise_()
    qtbot.waitUntil(lambda: fully_shown(panel.slide_message))


@pytest.fixture
def remote_obs(qtbot, isolated_dirs, fake_obs):
    """The desk set to an OBS on another machine (a documentation address, never this one)."""
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    desk = BroadcastDesk(qtbot, isolated_dirs, lambda host, port, password: fake_obs)
    desk.settings.set("obs_host", "192.0.2.10")
    yield desk
    desk.close()


def test_a_remote_obs_is_told_where_the_slide_must_be_and_a_blank_slide_is_found(
    remote_obs, fake_obs, qtbot
):
    desk = remote_obs
    desk.connect()
    panel = desk.panel
    desk.window.show()
    qtbot.waitExposed(desk.window)
    desk.window.docks[1].show()
    desk.window.docks[1].raise_()
    panel.composer.set_kind(SlideKind.STANDBY)
    qtbot.waitUntil(lambda: panel.composer.rendering is not None)
    rendering = panel.composer.rendering
    qtbot.waitUntil(lambda: panel.remote_path.text() == str(rendering.path))
    note = panel.remote_note.text()
    assert note.startswith("OBS runs on 192.0.2.10, not on this computer")
    assert note.endswith("share the slides folder with 192.0.2.10 at the same path, so that "
                         "192.0.2.10 has the slide at:")  # fmt: skip
    qtbot.waitUntil(lambda: fully_shown(panel.remote_note) and fully_shown(panel.remote_path))

    rendering.path.rename(rendering.path.with_suffix(".elsewhere"))  # not where OBS looks
    panel.put_on_air()
    qtbot.waitUntil(lambda: "blank" in panel.slide_message.text())
    assert panel.slide_message.text() == (
        f"Slide blank in OBS: OBS shows a blank slide: it runs on 192.0.2.10 and found no image "
        f"at {rendering.path} there. Copy the file to that path on 192.0.2.10 (or share the "
        "folder at the same path), then put the slide on air again."
    )
    assert BAD in panel.slide_message.styleSheet()
    assert panel.on_air_label.text().endswith("BLANK: OBS could not load the image")
    [event] = desk.wait_events("broadcast.failed", 1)
    assert event.summary.startswith("Slide blank in OBS: Standby")


def laid_out_lines(label) -> list[str]:
    """The lines a word-wrapped plain-text label shows its text in, at its width now."""
    width = label.contentsRect().width()
    lines: list[str] = []
    for paragraph in label.text().split("\n"):
        layout = QTextLayout(paragraph, label.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        layout.beginLayout()
        while (line := layout.createLine()).isValid():
            line.setLineWidth(width)
            lines.append(paragraph[line.textStart() : line.textStart() + line.textLength()])
        layout.endLayout()
    return lines


def next_unbreakable(text: str) -> str:
    """The start of `text` up to where a line may break first."""
    finder = QTextBoundaryFinder(QTextBoundaryFinder.BoundaryType.Line, text)
    finder.toNextBoundary()
    position = finder.position()
    return text[:position] if 0 < position < len(text) else text


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
def test_a_remote_obs_note_shows_the_slide_path_whole_on_lines_of_its_own(remote_obs, qtbot, size):
    """The path reads as one path: on lines of its own under the sentence, on one line where
    the column has room, else broken only where a line is full (never a folder a line);
    nothing put into it, so selecting it copies the path; whole in its tooltip."""
    desk = remote_obs
    desk.connect()
    panel = desk.panel
    desk.window.resize(*size)
    desk.window.show()
    qtbot.waitExposed(desk.window)
    desk.window.docks[1].show()
    desk.window.docks[1].raise_()
    panel.composer.set_kind(SlideKind.STANDBY)
    qtbot.waitUntil(lambda: panel.composer.rendering is not None)
    path = str(panel.composer.rendering.path)
    shown = panel.remote_path
    qtbot.waitUntil(lambda: shown.toolTip() == path)
    qtbot.waitUntil(lambda: fully_shown(panel.remote_note) and fully_shown(shown))
    assert path not in panel.remote_note.text()
    assert panel.remote_note.text().startswith("OBS runs on 192.0.2.10, not on this computer")

    lines = laid_out_lines(shown)
    assert "".join(lines) == path  # the whole path, and nothing but the path
    spacing = shown.fontMetrics().lineSpacing()
    assert len(lines) * spacing <= shown.height() < (len(lines) + 1) * spacing, (
        f"{len(lines)} lines laid out, {shown.height()} px shown"
    )
    width = shown.contentsRect().width()
    metrics = shown.fontMetrics()
    if metrics.horizontalAdvance(path) <= width:
        assert lines == [path]
    for line, after in zip(lines, lines[1:], strict=False):
        # Broken only where it must: what starts the next line would not fit on this one.
        assert metrics.horizontalAdvance(line + next_unbreakable(after)) > width, lines
    assert len(lines) < path.count("/")  # never one folder a line
    assert shown.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    shown.setSelection(0, len(shown.text()))
    assert shown.selectedText() == path  # what a copy takes
    left = shown.mapTo(panel, shown.rect().topLeft()).x()
    assert left >= 0 and left + shown.width() <= panel.width(), "the path runs out of the panel"


def test_an_obs_on_this_machine_gets_no_note(broadcast, fake_obs, qtbot):
    broadcast.connect()
    qtbot.waitUntil(lambda: broadcast.obs.obs_local is not None)
    assert broadcast.obs.obs_local is True
    assert broadcast.panel.remote_note.isHidden()
    assert broadcast.panel.remote_path.isHidden()


def test_the_retry_countdown_says_now_rather_than_in_0_s():
    from commsdesk.broadcast.obs.api import ConnectionStatus
    from commsdesk.broadcast.ui.panel import connection_words

    gone = ConnectionStatus(ConnectionState.UNREACHABLE, "refused")
    assert connection_words(gone, 3)[1] == "OBS: unreachable, retrying in 3 s"
    assert connection_words(gone, 0)[1] == "OBS: unreachable, retrying now"
    assert connection_words(gone, None)[1] == "OBS: unreachable"
