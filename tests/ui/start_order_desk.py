"""Starts the real desk (`commsdesk.app.build`, as `make run` does) and prints, as JSON lines,
what stands where when the statements are first listed and when the desk has settled.

Usage: python start_order_desk.py DATA_DIR
"""

import json
import sys

from PySide6.QtCore import QTimer

from commsdesk.app import build, parse_args

desk = build(parse_args(["--data-dir", sys.argv[1]]))
window = desk.window


def state(moment: str) -> None:
    wiring = desk.wiring
    print(
        moment,
        json.dumps(
            {
                "audience": type(window.audience).__name__,
                "audience_in_dock": type(window.docks[2].widget()).__name__,
                "scheduler": wiring.schedule.scheduler is not None,
                "obs": wiring.broadcast.link.status.detail,
                "listed": window.statements.model.rowCount(),
            }
        ),
        flush=True,
    )


window.statements_listed.connect(lambda _n: state("listed"))


def settled() -> None:
    state("settled")
    # The scheduler is built on the database lane: report once it is running, then leave.
    def running() -> None:
        state("running")
        desk.app.quit()

    if window.schedule.scheduler is not None:
        running()
    else:
        window.schedule.ready.connect(running)


# After the app's own slots on `settled` (connected later, at the first paint) have run.
window.settled.connect(lambda: QTimer.singleShot(0, settled))
QTimer.singleShot(60_000, lambda: desk.app.exit(3))
window.show()
code = desk.app.exec()
desk.stop()
sys.exit(code)
