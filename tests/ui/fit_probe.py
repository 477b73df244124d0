"""Opens a real desk window on a screen of a given size and prints, as JSON, where what a person
needs lies. Run in its own process (Qt's offscreen screen size is fixed per process):

    QT_QPA_PLATFORM=offscreen:configfile=screen.json python -m tests.ui.fit_probe DATA_DIR

The desk has an incident with a long title, a statement, every header warning and Drill mode on:
the header at its fullest.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def wait(app, condition, seconds: float = 20.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the desk did not get there in time")
        app.processEvents()
        time.sleep(0.005)


def settle(app, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)


def inside(widget, window) -> dict:
    """Whether `widget` is shown whole inside the window (and the window inside the screen)."""
    from PySide6.QtCore import QPoint, QRect

    top_left = widget.mapTo(window, QPoint(0, 0))
    rect = QRect(top_left, widget.size())
    return {
        "visible": widget.isVisible(),
        "inside": window.rect().contains(rect),
        "width": widget.width(),
        "height": widget.height(),
        "hint_width": widget.minimumSizeHint().width(),
    }


def main(data_dir: str) -> None:
    from PySide6.QtWidgets import QApplication

    from commsdesk.app import Wiring, settle_before_threads
    from commsdesk.desk import Desk
    from commsdesk.incidents.incident import Severity
    from commsdesk.qt_setup import prepare_qt
    from commsdesk.settings import Settings
    from commsdesk.statements.templates import starting_templates

    settle_before_threads()
    prepare_qt()
    app = QApplication(sys.argv[:1])
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    settings = Settings.load(folder)
    settings.set("operator_name", "Ana Ruiz (comms), head of communications")
    settings.set("team_time_zones", ["UTC", "Asia/Singapore", "America/New_York"])
    wiring = Wiring(settings)
    window = wiring.make_window(audience=False)
    screen = window.screen().availableGeometry()
    first = {"width": window.width(), "height": window.height()}
    window.show()
    wait(app, lambda: window._painted)
    window.build_panels()
    wiring.bridge.open(folder)
    wait(app, lambda: wiring.bridge.desk is not None)
    window.desk_opened(starting_templates())
    wait(app, wiring.idle)
    wiring.bridge.act(
        Desk.start_incident, title="Cold-wallet breach: ETH and USDT drained from the hot wallet",
        severity=Severity.P1, summary="", facts={"asset": "ETH"},
    )
    wait(app, lambda: window.incident is not None and wiring.idle())
    window.new_statement("Holding statement", "We are investigating.")
    wait(app, lambda: window.statements.editor.statement is not None and wiring.idle())
    wiring.publishing.set_drill(True)
    wait(app, lambda: window.header.drill.isChecked() and wiring.idle())
    header = window.header
    header.set_warning("record", "RECORD ALTERED", "detail", "#c62828")
    header.set_warning("stream", "Stream: dropped frames, congestion", "detail", "#c62828")
    header.set_warning("advice", "End the stream?", "detail", "#ef6c00")
    settle(app)

    editor = window.statements.editor
    frame = window.frameGeometry()
    report = {
        "screen": [screen.x(), screen.y(), screen.width(), screen.height()],
        "first": first,
        "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
        "window": {"width": window.width(), "height": window.height()},
        "widgets": {
            name: inside(widget, window)
            for name, widget in {
                "Submit": editor.submit_button,
                "Approve": editor.approve_button,
                "Post now": editor.post_button,
                "status bar": window.statusBar(),
                "header": header,
                "drill": header.drill,
                "operator": header.operator_button,
                "incident button": header.incident_button,
                "destination": header.destination,
                **{f"warning {topic}": button for topic, button in header.warnings.items()},
            }.items()
        },
        "panels": {},
    }
    for index, dock in enumerate(window.docks):
        window.show_panel(index)
        settle(app, 0.1)
        report["panels"][dock.windowTitle()] = inside(dock.widget(), window)
    for dock in window.docks[1:3]:  # a changed layout, then View → Reset layout
        dock.setFloating(True)
    window.docks[4].hide()
    window.resize(screen.width() + 400, screen.height() + 300)
    settle(app)
    window.reset_layout()
    settle(app)
    frame = window.frameGeometry()
    report["after reset"] = {
        "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
        "window": {"width": window.width(), "height": window.height()},
        "docks": {dock.windowTitle(): [dock.isVisible(), dock.isFloating()]
                  for dock in window.docks},
        "Post now": inside(editor.post_button, window),
    }
    print(json.dumps(report), flush=True)
    window.close()
    wiring.stop()
    wiring.bridge.desk.close()


if __name__ == "__main__":
    main(sys.argv[1])
