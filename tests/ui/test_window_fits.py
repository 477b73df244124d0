"""The window on a 1280×720 screen: it opens inside it, everything a person needs is on screen,
every panel gets the room it needs, and Reset layout brings a grown window back inside. A size
remembered on one screen opens sensibly on another.

Each case runs the desk in its own process on an offscreen screen of that size (Qt sets a
process's screens once).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from commsdesk.ui.window_docks import FRAME_ALLOWANCE

ROOT = Path(__file__).resolve().parents[2]
ESSENTIAL = ("Submit", "Approve", "Post now", "status bar", "header", "drill", "operator",
             "incident button", "destination", "warning record", "warning stream",
             "warning advice")  # fmt: skip


def open_on_screen(tmp_path: Path, width: int, height: int) -> dict:
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{
        "name": "screen", "x": 0, "y": 0, "width": width, "height": height,
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1,
    }]}))  # fmt: skip
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}",
               PYTHONPATH=str(ROOT))  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.fit_probe", str(tmp_path / "desk")],
        capture_output=True, text=True, env=env, timeout=180, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def within(frame: list[int], screen: list[int]) -> bool:
    x, y, w, h = frame
    sx, sy, sw, sh = screen
    return x >= sx and y >= sy and x + w <= sx + sw and y + h <= sy + sh


@pytest.fixture(scope="module")
def laptop(tmp_path_factory) -> dict:
    return open_on_screen(tmp_path_factory.mktemp("laptop"), 1280, 720)


def test_a_first_run_opens_inside_a_1280_by_720_screen(laptop):
    assert laptop["first"]["width"] <= 1280 and laptop["first"]["height"] <= 720
    assert within(laptop["frame"], laptop["screen"]), laptop["frame"]


def test_everything_essential_is_shown_whole_inside_the_window(laptop):
    for name in ESSENTIAL:
        seen = laptop["widgets"][name]
        assert seen["visible"], name
        assert seen["inside"], f"{name} lies outside the window"
        assert seen["width"] >= seen["hint_width"], f"{name} is squeezed below its least size"


def test_every_panel_shown_by_its_shortcut_gets_the_room_it_needs(laptop):
    assert set(laptop["panels"]) == {"Statements", "Broadcast", "Audience", "Schedule",
                                     "Timeline"}  # fmt: skip
    for title, seen in laptop["panels"].items():
        assert seen["visible"] and seen["inside"], title
        assert seen["width"] >= seen["hint_width"], f"{title} is narrower than it can use"
        assert seen["height"] >= 250, f"{title} is too short to use"


def test_reset_layout_docks_every_panel_and_fits_the_screen_again(laptop):
    after = laptop["after reset"]
    assert within(after["frame"], laptop["screen"]), after["frame"]
    assert all(shown and not floating for shown, floating in after["docks"].values())
    assert after["Post now"]["inside"]


def test_a_large_screen_opens_at_the_preferred_size(tmp_path):
    large = open_on_screen(tmp_path, 1920, 1080)
    assert large["first"] == {"width": 1440, "height": 900}
    assert within(large["frame"], large["screen"])


def test_a_size_remembered_on_a_small_screen_opens_as_new_on_a_large_one(tmp_path):
    """Qt refuses a geometry saved on a screen of a very different width; the window must not
    then open at Qt's bare default (it came up 1192×377, its panels crushed)."""
    small = open_on_screen(tmp_path, 1280, 720)  # remembered on closing
    assert within(small["frame"], small["screen"])
    large = open_on_screen(tmp_path, 1920, 1080)  # the same desk, on a larger screen
    assert large["first"] == {"width": 1440, "height": 900}
    assert within(large["frame"], large["screen"])
    again = open_on_screen(tmp_path, 1920, 1080)  # what it remembered there comes back
    remembered = large["after reset"]["window"]  # grown, then brought back inside the screen
    most = (1920 - FRAME_ALLOWANCE[0], 1080 - FRAME_ALLOWANCE[1])  # room left for a frame
    assert again["first"] == {"width": min(remembered["width"], most[0]),
                              "height": min(remembered["height"], most[1])}  # fmt: skip
    assert again["first"] != large["first"]
