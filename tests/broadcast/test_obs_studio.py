"""The OBS adapter against a real OBS Studio (obs-websocket 5.1) under Xvfb: connecting, scenes,
the slides scene, pushing a slide and seeing it on air, back to live, stream readings.

One OBS serves the module; each test connects its own adapter. Tests that break OBS live in
test_obs_faults.py.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from commsdesk.broadcast.obs.api import (
    COUNTDOWN_INPUT,
    SLIDE_INPUT,
    SLIDES_SCENE,
    ConnectionState,
    ObsError,
)
from commsdesk.broadcast.obs.batches import ObsRequest
from commsdesk.broadcast.obs.connection import ObsConnection
from commsdesk.broadcast.stream_health import stream_health
from tests.support import obs_studio as studio
from tests.support.obs_studio import Heard, ObsStudio

obs_studio = studio.obs_studio  # the module's OBS (fixture)

ANSWER = 10  # seconds a test waits on a future before calling it a failure
QUADRANTS = ((230, 30, 30), (30, 200, 40), (40, 60, 220), (240, 220, 40))


@pytest.fixture
def obs(obs_studio: ObsStudio) -> Iterator[tuple[ObsConnection, Heard]]:
    with studio.connected(obs_studio) as (connection, heard):
        connection.switch_scene("Camera").result(ANSWER)
        yield connection, heard


def quadrant_png(path, width: int = 320, height: int = 180) -> QImage:
    """Four distinct colours, one per quadrant (red, green, blue, yellow), saved as PNG."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    for index, rgb in enumerate(QUADRANTS):
        x, y = (index % 2) * width // 2, (index // 2) * height // 2
        painter.fillRect(x, y, width // 2, height // 2, QColor(*rgb))
    painter.end()
    assert image.save(str(path), "PNG")
    return image


def small(image: QImage) -> QImage:
    return image.scaled(16, 9, Qt.AspectRatioMode.IgnoreAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)  # fmt: skip


def largest_difference(a: QImage, b: QImage) -> int:
    """Per channel, over the 16x9 downscales, skipping the pixels on the quadrant borders."""
    a, b = small(a), small(b)
    worst = 0
    for x in (*range(0, 7), *range(9, 16)):
        for y in (*range(0, 4), *range(5, 9)):
            pa, pb = a.pixelColor(QPoint(x, y)), b.pixelColor(QPoint(x, y))
            worst = max(worst, abs(pa.red() - pb.red()), abs(pa.green() - pb.green()),
                        abs(pa.blue() - pb.blue()))  # fmt: skip
    return worst


def test_connects_and_reports_versions(obs):
    connection, heard = obs
    states = [s.state for s in heard.states]
    assert states[:2] == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]
    status = connection.status
    assert status.obs_version.startswith(("29.", "30.", "31.", "32."))
    assert status.websocket_version.startswith("5.")
    assert "SetCurrentProgramScene" in connection.available_requests


def test_scene_list_and_switching_with_the_event(obs):
    connection, heard = obs
    listing = connection.scenes().result(ANSWER)
    assert listing.scenes[:2] == ("Camera", "Screen")
    assert listing.program == "Camera" and listing.preview is None
    since = len(heard.events)
    connection.switch_scene("Screen").result(ANSWER)
    heard.wait_event("CurrentProgramSceneChanged", since, sceneName="Screen")
    assert connection.scenes().result(ANSWER).program == "Screen"


def test_simpleobsws_pretty_prints_messages_only_for_a_debug_log_that_is_written(obs, caplog):
    """The library's eager json.dumps(indent=2) of every message is skipped while its debug log
    is off; switched on, the log shows real OBS traffic as before."""
    import simpleobsws

    connection, _heard = obs
    caplog.set_level(logging.INFO, logger="simpleobsws")
    assert simpleobsws.json.dumps({"skipped": object()}, indent=2).startswith("(not encoded")
    connection.scenes().result(ANSWER)
    assert not [r for r in caplog.records if r.name == "simpleobsws"]

    caplog.set_level(logging.DEBUG, logger="simpleobsws")
    connection.scenes().result(ANSWER)
    received = [r.getMessage() for r in caplog.records if r.name == "simpleobsws"]
    answer = next(
        m for m in received if m.startswith("Received") and '"requestType": "GetSceneList"' in m
    )
    body = json.loads(answer.split("\n", 1)[1])  # the pretty-printed message itself
    assert body["d"]["responseData"]["currentProgramSceneName"] == "Camera"
    assert simpleobsws.json.loads('{"a": 1}') == {"a": 1}


def test_studio_mode_marks_the_preview_scene(obs):
    connection, heard = obs
    since = len(heard.events)
    connection.request(ObsRequest("SetStudioModeEnabled", {"studioModeEnabled": True})).result(
        ANSWER
    )
    try:
        heard.wait_event("StudioModeStateChanged", since, studioModeEnabled=True)
        since = len(heard.events)
        connection.request(
            ObsRequest("SetCurrentPreviewScene", {"sceneName": "Screen"})
        ).result(ANSWER)
        heard.wait_event("CurrentPreviewSceneChanged", since, sceneName="Screen")
        listing = connection.scenes().result(ANSWER)
        assert listing.program == "Camera" and listing.preview == "Screen"
    finally:
        connection.request(
            ObsRequest("SetStudioModeEnabled", {"studioModeEnabled": False})
        ).result(ANSWER)
    assert connection.scenes().result(ANSWER).preview is None


def test_switching_to_a_missing_scene_is_refused(obs):
    connection, _ = obs
    with pytest.raises(ObsError) as caught:
        connection.switch_scene("No Such Scene").result(ANSWER)
    assert caught.value.kind == "refused" and caught.value.code == 600


def items_of(connection: ObsConnection, scene: str) -> list[tuple[str, str, dict]]:
    answer = connection.request(ObsRequest("GetSceneItemList", {"sceneName": scene})).result(ANSWER)
    return [
        (i["sourceName"], i["inputKind"], i["sceneItemTransform"]) for i in answer["sceneItems"]
    ]


def test_slides_scene_and_sources_are_created_on_first_use_and_nothing_else_changes(obs):
    connection, _ = obs
    before = {scene: items_of(connection, scene) for scene in ("Camera", "Screen")}
    connection.prepare_slides().result(ANSWER)
    assert SLIDES_SCENE in connection.scenes().result(ANSWER).scenes
    sources = {name: kind for name, kind, _ in items_of(connection, SLIDES_SCENE)}
    assert sources == {SLIDE_INPUT: "image_source", COUNTDOWN_INPUT: "text_ft2_source_v2"}
    assert {scene: items_of(connection, scene) for scene in ("Camera", "Screen")} == before
    # A second connection finds it all there and creates nothing more.
    connection.prepare_slides().result(ANSWER)
    assert len(items_of(connection, SLIDES_SCENE)) == 2
    assert connection.scenes().result(ANSWER).program == "Camera"


def test_a_pushed_slide_is_on_air_then_back_to_live_returns(obs, tmp_path, qapp):
    connection, heard = obs
    expected = quadrant_png(tmp_path / "slide.png")
    since = len(heard.events)
    result = connection.push_slide(str(tmp_path / "slide.png")).result(ANSWER)
    assert result.return_scene == "Camera"
    heard.wait_event("CurrentProgramSceneChanged", since, sceneName=SLIDES_SCENE)
    settings = connection.request(
        ObsRequest("GetInputSettings", {"inputName": SLIDE_INPUT})
    ).result(ANSWER)
    assert settings["inputSettings"]["file"] == str(tmp_path / "slide.png")

    # OBS applies the new file on its next frame: look until it is there (or time runs out).
    difference = None
    for _ in range(40):
        shot = QImage.fromData(connection.program_screenshot(320, 180).result(ANSWER))
        assert not shot.isNull()
        difference = largest_difference(shot, expected)
        if difference <= 24:
            break
        time.sleep(0.25)
    assert difference is not None and difference <= 24, f"on air differs by {difference}"

    since = len(heard.events)
    assert connection.back_to_live().result(ANSWER) == "Camera"
    heard.wait_event("CurrentProgramSceneChanged", since, sceneName="Camera")


def test_a_second_push_keeps_the_scene_to_return_to(obs, tmp_path, qapp):
    connection, _ = obs
    connection.switch_scene("Screen").result(ANSWER)
    quadrant_png(tmp_path / "one.png")
    quadrant_png(tmp_path / "two.png", 160, 90)
    assert (
        connection.push_slide(str(tmp_path / "one.png"), "5:00").result(ANSWER).return_scene
        == "Screen"
    )
    assert (
        connection.push_slide(str(tmp_path / "two.png"), "4:59").result(ANSWER).return_scene
        == "Screen"
    )
    assert connection.back_to_live().result(ANSWER) == "Screen"


def test_countdown_text_updates(obs, tmp_path, qapp):
    connection, _ = obs
    quadrant_png(tmp_path / "slide.png")
    connection.push_slide(str(tmp_path / "slide.png"), "Back at 18:30").result(ANSWER)
    text = ObsRequest("GetInputSettings", {"inputName": COUNTDOWN_INPUT})
    assert connection.request(text).result(ANSWER)["inputSettings"]["text"] == "Back at 18:30"
    connection.set_countdown("04:59").result(ANSWER)
    assert connection.request(text).result(ANSWER)["inputSettings"]["text"] == "04:59"
    connection.back_to_live().result(ANSWER)


def test_back_to_live_from_another_connection_uses_what_obs_remembers(
    obs, obs_studio, tmp_path, qapp
):
    connection, _ = obs
    quadrant_png(tmp_path / "slide.png")
    connection.push_slide(str(tmp_path / "slide.png")).result(ANSWER)
    other = ObsConnection("127.0.0.1", obs_studio.port, obs_studio.password)
    other_heard = Heard().listen_to(other)
    other.start()
    try:
        other_heard.wait_state(ConnectionState.CONNECTED)
        assert other.back_to_live().result(ANSWER) == "Camera"
    finally:
        other.close()
    assert connection.scenes().result(ANSWER).program == "Camera"


def test_stream_reading_and_stop_when_not_live(obs):
    connection, _ = obs
    first = connection.stream_reading().result(ANSWER)
    second = connection.stream_reading().result(ANSWER)
    health = stream_health(first, second)
    assert not health.live and health.bitrate_kbps is None
    assert second.target_fps == 30.0 and second.render_frames > 0
    with pytest.raises(ObsError) as caught:
        connection.stop_stream().result(ANSWER)
    assert caught.value.kind == "refused" and caught.value.code == 501  # OutputNotRunning


def test_thumbnails_of_the_program_arrive(obs):
    connection, heard = obs
    thumbnails: list[bytes] = []

    def thumbnail(png: bytes) -> None:
        thumbnails.append(png)
        heard.event("thumbnail", {})

    connection.watch_program(thumbnail, width=64)
    heard.wait_for(lambda: len(thumbnails) >= 2, "two thumbnails")
    connection.watch_program(None)
    image = QImage.fromData(thumbnails[-1])
    assert (image.width(), image.height()) == (64, 36)
    assert image.pixelColor(QPoint(10, 10)).red() > 200  # "Camera" is red


def test_obs_says_whether_it_could_load_the_pushed_image(obs, tmp_path, qapp):
    """A file OBS cannot read (as on another machine) leaves its image source with no size:
    told apart after each push, also right after an image that did load."""
    connection, _ = obs
    quadrant_png(tmp_path / "slide.png")
    (tmp_path / "not-a-png.png").write_bytes(b"not a picture")
    unreadable = [str(tmp_path / "nowhere" / "slide.png"), str(tmp_path / "not-a-png.png")]
    for path, loaded in ((str(tmp_path / "slide.png"), True), (unreadable[0], False),
                         (str(tmp_path / "slide.png"), True), (unreadable[1], False)):  # fmt: skip
        connection.push_slide(path).result(ANSWER)
        assert connection.slide_loaded(path).result(ANSWER) is loaded, path
        assert connection.slide_file().result(ANSWER) == path
    assert connection.slide_loaded(str(tmp_path / "slide.png")).result(ANSWER) is None  # replaced
    connection.back_to_live().result(ANSWER)


def test_no_password_given_to_an_obs_that_asks_for_one_says_so(obs_studio: ObsStudio):
    connection = ObsConnection("127.0.0.1", obs_studio.port, "")
    heard = Heard().listen_to(connection)
    connection.start()
    try:
        status = heard.wait_state(ConnectionState.NO_PASSWORD, ConnectionState.WRONG_PASSWORD)
    finally:
        connection.close()
    assert status.state is ConnectionState.NO_PASSWORD
    assert "none is set" in status.detail and "COMMSDESK_OBS_PASSWORD" in status.detail
    assert "refused" not in status.detail
