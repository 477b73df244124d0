"""The desk as started paints on the UI thread alone (no helper threads for tall fills) and
hands the GIL round at its own interval.

Each case runs in its own process: Qt reads its switch once per process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from commsdesk.qt_setup import SWITCH_INTERVAL

ROOT = Path(__file__).resolve().parents[1]

PAINT = """
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
if sys.argv[1] == "desk":
    from commsdesk.app import build, parse_args
    desk = build(parse_args(["--data-dir", sys.argv[2]]))
    desk.window.show()
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        desk.app.processEvents()
    desk.window.grab()  # the whole window painted, panels, scroll bars and all
else:
    app = QGuiApplication([])
image = QImage(400, 1000, QImage.Format.Format_ARGB32_Premultiplied)
picture = QImage(400, 1000, QImage.Format.Format_RGB32)
picture.fill(QColor("#5f6368"))
for _ in range(20):  # what a panel's repaint does: translucent fills, pictures drawn
    painter = QPainter(image)
    painter.fillRect(0, 0, 400, 1000, QColor(32, 33, 36, 128))
    painter.drawImage(0, 0, picture)
    painter.end()
helpers = 0
for task in os.listdir("/proc/self/task"):
    with open(f"/proc/self/task/{task}/comm") as comm:
        helpers += comm.read().strip() == "Thread (pooled)"
print(helpers, sys.getswitchinterval(), flush=True)
os._exit(0)
"""


def paint(setup: str, tmp_path: Path) -> tuple[int, float]:
    """Helper threads alive after painting, and the switch interval, in a fresh process."""
    env = {k: v for k, v in os.environ.items() if k != "QT_NO_GUI_THREADPOOL"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", PAINT, setup, str(tmp_path / "desk")],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )  # fmt: skip
    helpers, interval = done.stdout.split()[-2:]
    return int(helpers), float(interval)


needs_proc = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")


@needs_proc
def test_the_desk_paints_without_helper_threads_and_sets_its_switch_interval(tmp_path):
    assert paint("desk", tmp_path) == (0, pytest.approx(SWITCH_INTERVAL))


@needs_proc
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="Qt starts fill helpers only on 2+ cores")
def test_qt_left_alone_hands_tall_fills_to_helper_threads(tmp_path):
    """The control: without the desk's set-up the same painting starts helpers (and Python's
    interval is its default), so the check above can tell the difference."""
    helpers, interval = paint("plain", tmp_path)
    assert helpers > 0
    assert interval == pytest.approx(0.005)
