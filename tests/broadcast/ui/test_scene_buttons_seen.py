"""The scene buttons as a person sees them, in the desk window at 1280×720 and 1920×1080, over the
in-memory OBS with four scenes: each shown whole with its name, before and after a slide push adds
the slides scene, and after the panel is narrowed and widened again."""

from __future__ import annotations

import pytest

from commsdesk.broadcast.obs.api import SLIDES_SCENE
from commsdesk.broadcast.obs.fake import FakeObs
from commsdesk.slides.slide_kinds import SlideKind
from tests.broadcast.ui.conftest import BroadcastDesk
from tests.broadcast.ui.seen import assert_scene_buttons_seen

SCENES = ["Camera", "Screen", "Guest", "Founder interview, studio B"]


@pytest.fixture
def four_scenes(qtbot, isolated_dirs):
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    obs = FakeObs(tuple(SCENES))
    desk = BroadcastDesk(qtbot, isolated_dirs, lambda host, port, password: obs)
    yield desk, obs
    desk.close()


def show_broadcast(desk, qtbot, size: tuple[int, int]) -> None:
    window = desk.window
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.docks[1].show()
    window.docks[1].raise_()
    qtbot.waitUntil(desk.panel.isVisible)


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
def test_each_scene_button_is_seen_whole_with_its_name(four_scenes, qtbot, size):
    desk, obs = four_scenes
    show_broadcast(desk, qtbot, size)
    panel = desk.panel
    assert not panel.scenes.hint.isHidden()  # before OBS: the hint, readable
    assert panel.scenes.hint.visibleRegion().boundingRect() == panel.scenes.hint.rect()

    desk.connect()
    qtbot.waitUntil(lambda: assert_scene_buttons_seen(panel, SCENES))
    assert panel.scenes.hint.isHidden()
    assert panel.scene_buttons[0].text() == "1  Camera   ● PROGRAM"  # not streaming

    panel.composer.set_kind(SlideKind.STANDBY)
    panel.put_on_air()
    qtbot.waitUntil(lambda: desk.obs.on_air is not None)
    qtbot.waitUntil(lambda: assert_scene_buttons_seen(panel, [*SCENES, SLIDES_SCENE]))
    assert panel.scene_buttons[4].text() == f"5  {SLIDES_SCENE}   ● PROGRAM"

    obs.start_stream()  # the longest mark, ON AIR, fits as well
    qtbot.waitUntil(lambda: panel.scene_buttons[4].text() == f"5  {SLIDES_SCENE}   ● ON AIR")
    assert_scene_buttons_seen(panel, [*SCENES, SLIDES_SCENE])


def columns_of(panel) -> int:
    first, second = panel.scene_buttons[:2]
    return 2 if second.x() > first.x() else 1


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # a floating dock, offscreen
def test_a_floating_panel_narrowed_and_widened_keeps_every_button_whole(four_scenes, qtbot):
    """Wide, two columns; narrowed as far as it goes, one; widened again, two. Whole each time."""
    desk, obs = four_scenes
    show_broadcast(desk, qtbot, (1920, 1080))
    desk.connect()
    panel = desk.panel
    qtbot.waitUntil(lambda: len(panel.scene_buttons) == 4)
    dock = desk.window.docks[1]
    dock.setFloating(True)
    qtbot.waitUntil(dock.isVisible)
    for width, columns in ((1000, 2), (300, 1), (1000, 2)):  # 300: less than the panel allows
        dock.resize(width, 900)

        def arranged(columns=columns) -> None:
            assert columns_of(panel) == columns
            assert_scene_buttons_seen(panel, SCENES)

        qtbot.waitUntil(arranged)
