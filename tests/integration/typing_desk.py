"""Drives a real desk process for the crash test: opens a statement and types into it.

Usage: python typing_desk.py DATA_DIR STATEMENT_ID type   -> types one character every 40 ms,
                                                            printing "typed <n> <monotonic>"
       python typing_desk.py DATA_DIR 0 report            -> prints "open <id> <body as JSON>"
"""

import json
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest

from commsdesk.app import build, parse_args

TEXT = "Withdrawals reopen at 18:30 UTC after every wallet is re-keyed. " * 20

data_dir, statement_id, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
desk = build(parse_args(["--data-dir", data_dir]))
window = desk.window
typed = 0


def type_one() -> None:
    global typed
    QTest.keyClicks(window.statements.editor.body, TEXT[typed])
    typed += 1
    print(f"typed {typed} {time.monotonic():.6f}", flush=True)


def ready(_count: int) -> None:
    editor = window.statements.editor
    if mode == "report":
        QTimer.singleShot(
            500,
            lambda: (
                print(
                    f"open {editor.statement.id} {json.dumps(editor.body.toPlainText())}",
                    flush=True,
                ),
                desk.app.quit(),
            ),
        )
        return
    window.statements.select(statement_id)  # as a person clicking it
    editor.body.setFocus()
    ticker = QTimer(window, interval=40)
    ticker.timeout.connect(type_one)
    ticker.start()


window.statements_listed.connect(ready)
window.show()
desk.app.exec()
