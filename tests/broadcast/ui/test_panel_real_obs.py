"""The Broadcast panel on a real OBS Studio (obs-websocket 5.1) under Xvfb: scenes, a click, a
slide on air and back, the program thumbnail; OBS killed and restarted, the panel follows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from commsdesk.broadcast.obs.api import SLIDE_INPUT, SLIDES_SCENE
from commsdesk.broadcast.obs.batches import ObsRequest
from commsdesk.broadcast.obs.connection import ObsConnection
from commsdesk.broadcast.ui.bridge import THUMBNAIL_BOX
from commsdesk.slides.slide_kinds import SlideKind
from tests.broadcast.ui.conftest import BroadcastDesk
from tests.support import obs_studio as studio
from tests.support.obs_studio import ObsStudio

obs_studio = studio.obs_studio
own_obs_studio = studio.own_obs_studio
WAIT = 30_000


def desk_on(qtbot, data_dir, obs: ObsStudio) -> BroadcastDesk:
    data_dir.mkdir(parents=True, exist_ok=True)
    return BroadcastDesk(
        qtbot, data_dir, lambda host, port, password: ObsConnection("127.0.0.1", obs.port,
                                                                    obs.password),
    )  # fmt: skip


@pytest.fixture
def real_desk(qtbot, isolated_dirs, obs_studio):
    desk = desk_on(qtbot, isolated_dirs, obs_studio)
    yield desk
    desk.close()


def program_of(desk) -> str:
    answer = desk.obs.obs.request(ObsRequest("GetCurrentProgramScene")).result(10)
    return answer.get("currentProgramSceneName") or answer.get("sceneName")


def test_scenes_click_push_and_back_to_live_on_real_obs(real_desk, qtbot):
    desk = real_desk
    desk.connect(WAIT)
    panel = desk.panel
    assert panel.connection.text().startswith("● Connected: OBS ")
    assert [b.text() for b in panel.scene_buttons][:2] == ["1  Camera   ● ON AIR", "2  Screen"]
    qtbot.waitUntil(lambda: not panel.thumbnail.pixmap().isNull(), timeout=WAIT)
    picture = panel.thumbnail.pixmap().size()
    assert picture.width() <= THUMBNAIL_BOX[0] and picture.height() <= THUMBNAIL_BOX[1]

    qtbot.mouseClick(panel.scene_buttons[1], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.scene_buttons[1].text().endswith("ON AIR"), timeout=WAIT)
    assert program_of(desk) == "Screen"

    panel.composer.set_kind(SlideKind.STANDBY)
    panel.put_on_air()
    qtbot.waitUntil(lambda: desk.obs.on_air is not None, timeout=WAIT)
    assert program_of(desk) == SLIDES_SCENE
    settings = desk.obs.obs.request(
        ObsRequest("GetInputSettings", {"inputName": SLIDE_INPUT})
    ).result(10)
    assert settings["inputSettings"]["file"] == str(panel.composer.rendering.path)

    panel.back_to_live()
    qtbot.waitUntil(lambda: desk.obs.on_air is None, timeout=WAIT)
    assert program_of(desk) == "Screen"
    summaries = [e.summary for e in desk.wait_events("broadcast", 3)]
    assert summaries[0] == "Scene on air: Screen (was Camera)"
    assert summaries[1].startswith("Slide on air: Standby") and summaries[1].endswith(
        "(from Screen)"
    )
    assert summaries[2] == "Back to live: Screen"
    desk.obs.switch_scene("Camera")
    qtbot.waitUntil(lambda: panel.scene_buttons[0].text().endswith("ON AIR"), timeout=WAIT)


@pytest.mark.slow
def test_obs_killed_and_restarted_the_panel_follows(qtbot, isolated_dirs, own_obs_studio):
    desk = desk_on(qtbot, isolated_dirs, own_obs_studio)
    try:
        desk.connect(WAIT)
        own_obs_studio.kill()
        qtbot.waitUntil(lambda: not desk.obs.connected, timeout=WAIT)
        qtbot.waitUntil(lambda: "retrying in" in desk.window.status_obs.text(), timeout=WAIT)
        assert not any(button.isEnabled() for button in desk.panel.scene_buttons)
        own_obs_studio.restart()
        qtbot.waitUntil(lambda: desk.obs.connected, timeout=60_000)
        summaries = [e.summary for e in desk.wait_events("broadcast.connection", 2)]
        assert summaries[0].startswith("OBS connection lost")
        assert summaries[1].startswith("OBS connection back: OBS ")
        qtbot.waitUntil(lambda: all(b.isEnabled() for b in desk.panel.scene_buttons))
    finally:
        desk.close()
