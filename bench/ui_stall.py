"""Longest UI-thread stall while the desk does heavy work, measured by a heartbeat timer.

A 1 ms timer notes the largest gap between its ticks; any gap is time the UI thread could not
answer. Each heavy case is compared with a small one in the same run:
- pasting 1 MB into the statement editor (count, render and thread run on the text lane),
  against pasting 1 KB;
- the same 1 MB paste into a bare QPlainTextEdit (what Qt itself costs);
- listing 5,000 statements, against listing 10.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

from commsdesk.qt_setup import prepare_qt

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
prepare_qt()  # as the desk does

from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

WORDS = (
    "withdrawals",
    "remain",
    "paused",
    "while",
    "every",
    "wallet",
    "is",
    "re-keyed",
    "@exchange",
    "#ETH",
    "$ETH",
    "https://status.example.com/i/42",
    "日本語",
    "😷",
    "funds",
)


def make_text(size: int) -> str:
    rng = random.Random(7)
    out, n = [], 0
    while n < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18))) + ". "
        if rng.random() < 0.2:
            sentence += "\n\n"
        out.append(sentence)
        n += len(sentence)
    return "".join(out)[:size]


class Heartbeat:
    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer(interval=1)
        self.timer.timeout.connect(self._tick)
        self.worst = 0
        self.last = 0

    def start(self) -> None:
        self.worst = 0
        self.clock.start()
        self.last = 0
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def stop(self) -> int:
        self.timer.stop()
        return self.worst


def wait_until(app, condition, timeout=120.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the desk did not finish in time")
        app.processEvents()
        time.sleep(0.0005)


def measure(app, beat: Heartbeat, data_dir: Path, *, paste_sizes=()) -> dict[str, int]:
    """Open a desk window on data_dir; the worst stall while it lists, then per paste size."""
    from commsdesk.app import Wiring
    from commsdesk.collector import settle
    from commsdesk.settings import Settings
    from commsdesk.statements.templates import starting_templates

    settings = Settings.load(data_dir)
    settings.set("operator_name", "Bench")
    wiring = Wiring(settings)
    bridge, db_lane, text_lane = wiring.bridge, wiring.db_lane, wiring.text_lane
    window = wiring.make_window(audience=False)
    window.build_panels()
    window.show()
    opened, listed, results = [], [], {}
    bridge.opened.connect(opened.append)
    window.statements_listed.connect(listed.append)
    bridge.open(data_dir)
    wait_until(app, lambda: opened)
    settle()  # as the desk does once its database is open
    beat.start()
    window.desk_opened(starting_templates())
    wait_until(app, lambda: listed and db_lane.outstanding == 0)
    results["list"] = beat.stop()
    editor = window.statements.editor
    if paste_sizes:  # a paste goes into a draft (text in review or posted is locked)
        window.statements.new_statement("Bench paste", "")
        wait_until(app, lambda: editor.statement is not None and editor.statement.title ==
                   "Bench paste" and not editor.body.isReadOnly() and db_lane.outstanding == 0)

    def settled(before: int) -> bool:
        return (
            editor._preview_generation > before
            and text_lane.outstanding == 0
            and db_lane.outstanding == 0
            and not editor._autosave_timer.isActive()
        )

    for size in paste_sizes:
        text = make_text(size)
        beat.start()
        before = editor._preview_generation
        editor.body.selectAll()
        editor.body.insertPlainText(text)  # what a paste does
        wait_until(app, lambda before=before: settled(before))
        results[f"paste {size}"] = beat.stop()
    window.close()
    wiring.stop()
    return results


def bare_paste(app, beat: Heartbeat, size: int) -> int:
    """The stall of the same paste into a plain QPlainTextEdit: Qt's own share."""
    from PySide6.QtWidgets import QPlainTextEdit

    editor = QPlainTextEdit()
    editor.resize(600, 400)
    editor.show()
    app.processEvents()
    text = make_text(size)
    beat.start()
    editor.selectAll()
    editor.insertPlainText(text)
    started = time.monotonic()
    wait_until(app, lambda: time.monotonic() - started > 0.3)  # as long as the beat runs on
    worst = beat.stop()
    editor.close()
    return worst


def main() -> None:
    from bench.seed import seed_large

    app = QApplication.instance() or QApplication([])
    beat = Heartbeat()
    with tempfile.TemporaryDirectory(prefix="commsdesk-bench-") as tmp:
        small, large = Path(tmp) / "small", Path(tmp) / "large"
        seed_large(small, statements=10, events=0)
        seed_large(large, statements=5000, events=0)
        few = measure(app, beat, small)
        many = measure(app, beat, large, paste_sizes=(1_000, 1_000_000))
    bare = bare_paste(app, beat, 1_000_000)
    big, tiny = many["paste 1000000"], many["paste 1000"]
    print(
        f"longest UI stall pasting 1 MB into the editor: {big} ms; pasting 1 KB: {tiny} ms; "
        f"ratio {big / max(1, tiny):.1f}x; 1 MB into a bare QPlainTextEdit: {bare} ms, "
        f"ratio {big / max(1, bare):.1f}x"
    )
    print(
        f"longest UI stall opening onto 5,000 statements: {many['list']} ms; onto 10: "
        f"{few['list']} ms; ratio {many['list'] / max(1, few['list']):.1f}x"
    )


if __name__ == "__main__":
    main()
