"""Longest UI-thread stall while the slide composer redraws its preview over and over, against
the same window idle, in the same run.

Each preview is the full slide: rendered, laid out and painted at 1920×1080, encoded as PNG and
written on the slides lane, then scaled for the panel, as when the producer pauses while typing.
The UI thread only runs its event loop; a 5 ms heartbeat notes the largest gap between its ticks.
Goal: the worst stall stays under 16 ms, as for the other stall benchmarks.
"""

from __future__ import annotations

import os
import time

from commsdesk.qt_setup import prepare_qt

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
prepare_qt()  # as the desk does

from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.obs_ui_stall import broadcast_desk  # noqa: E402
from bench.ui_stall import Heartbeat, wait_until  # noqa: E402

SECONDS = float(os.environ.get("BENCH_PREVIEW_SECONDS", "8"))


def main() -> None:
    app = QApplication.instance() or QApplication([])
    beat = Heartbeat()
    beat.timer.setInterval(5)
    with broadcast_desk(app) as desk:
        composer = desk.panel.composer
        beat.start()
        end = time.monotonic() + SECONDS
        wait_until(app, lambda: time.monotonic() > end)
        idle = beat.stop()

        previews = 0
        beat.start()
        end = time.monotonic() + SECONDS
        while time.monotonic() < end:
            previews += 1
            composer.set_value("message", f"Our engineers are on it ({previews}).")
            composer.flush()
            composer.preview_due.emit()  # typing paused: the panel asks for the preview
            wait_until(app, lambda: composer.rendering is not None)
        busy = beat.stop()
    print(
        f"longest UI stall while the composer redraws its preview back to back ({previews} "
        f"previews in {SECONDS:.0f} s): {busy} ms; the same window idle: {idle} ms (ratio "
        f"{busy / max(1, idle):.1f}x; goal ≤ 16 ms: {'met' if busy <= 16 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
