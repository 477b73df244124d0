"""The one place that knows every part: builds settings, lanes, the desk bridge and the window.

Start-up order keeps the first paint fast: the window shows before the database, jinja2 or the
text counter are imported; those load on their lanes and fill the panels when ready.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

from commsdesk import __version__

log = logging.getLogger("commsdesk")

DEMO_OPERATOR = "Ana Ruiz (comms)"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="commsdesk", description="Open the CommsDesk window.")
    parser.add_argument(
        "--data-dir",
        help="folder for the database and this desk's settings "
        "(default: COMMSDESK_DATA_DIR, else the user data folder)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a sample incident (a cold-wallet breach) in a throwaway folder",
    )
    parser.add_argument("--version", action="version", version=f"CommsDesk {__version__}")
    return parser.parse_args(argv)


def _setup_logging(data_dir: Path) -> None:
    from commsdesk.data_dir import private_log_handler

    handler = private_log_handler(data_dir / "commsdesk.log", max_bytes=2_000_000, backups=3)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def _close_on_unix_signals(app) -> None:
    """Ctrl-C and SIGTERM close the window cleanly (autosave flushed) instead of killing Qt."""
    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    def drain() -> None:
        with contextlib.suppress(OSError):
            reader.recv(64)

    notifier.activated.connect(drain)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: app.closeAllWindows())
    app._signal_sockets = (reader, writer, notifier)  # keep them alive with the app


def _report_crashes(window_getter) -> None:
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        import traceback

        log.error("unexpected error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        window = window_getter()
        if window is not None:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(
                window,
                "Unexpected error",
                f"{exc_type.__name__}: {exc}\n\nYour work is saved; the details are in the log.",
            )
        else:
            previous(exc_type, exc, tb)

    sys.excepthook = hook


class RunningDesk(NamedTuple):
    """Everything `build` wired together, for `main` to run (and for tests driving a real desk)."""

    app: Any
    window: Any
    bridge: Any
    lanes: tuple
    data_dir: Path

    def stop(self) -> None:
        for lane in self.lanes:
            lane.stop()


def settle_before_threads() -> None:
    """Fill, on this thread, the caches the standard library fills lazily and without a lock.

    Python 3.11's sysconfig fills its configuration on first use with no lock (CPython gh-92452,
    fixed in 3.12), and a second thread reading it meanwhile gets it half filled. At start-up the
    database lane's SQLAlchemy import reads it while the UI thread's first zoneinfo import reads
    the zone search path from it: half filled, the path came out empty and every ZoneInfo failed
    with ZoneInfoNotFoundError for the rest of the run. Call before starting any thread.
    """
    import sysconfig

    sysconfig.get_config_vars()


def build(args: argparse.Namespace) -> RunningDesk:
    """Wire settings, lanes, bridge and window; the database opens after the first paint."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.publishing.ui.bridge import PublishingBridge
    from commsdesk.qt_setup import prepare_qt
    from commsdesk.scheduling.ui.bridge import ScheduleBridge
    from commsdesk.settings import Settings
    from commsdesk.ui.desk_bridge import DeskBridge
    from commsdesk.ui.lanes import Lane
    from commsdesk.ui.main_window import MainWindow

    settle_before_threads()  # before the lanes, the OBS loop, the pollers and the scheduler
    prepare_qt()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("CommsDesk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("commsdesk")

    if args.demo:
        import tempfile

        data_dir = Path(tempfile.mkdtemp(prefix="commsdesk-demo-"))
    else:
        data_dir = resolve_data_dir(args.data_dir)
    settings = Settings.load(data_dir)  # a few hundred bytes; the layout must be known before show
    if args.demo:  # a demo never posts to a real account
        settings.set("drill_mode", True)
        if not settings.get("operator_name"):
            settings.set("operator_name", DEMO_OPERATOR)

    db_lane = Lane("database", app)
    text_lane = Lane("text", app)
    x_lane = Lane("x", app)
    obs_lane = Lane("obs", app)  # makes and closes the OBS connection (the keyring is slow)
    slides_lane = Lane("slides", app)  # draws slides off the UI thread
    audience_lane = Lane("audience", app)  # viewer-source secrets, replay files, sample writes
    bridge = DeskBridge(db_lane, settings, app)
    publishing = PublishingBridge(x_lane, bridge, app)
    schedule = ScheduleBridge(bridge, publishing, app)
    window = MainWindow(
        bridge, text_lane, publishing=publishing, schedule=schedule, demo=args.demo
    )

    def opened(_desk) -> None:
        if settings.get("operator_name"):  # on first run, the name given is the first record
            from commsdesk.desk import Desk  # loaded by now, on the database lane

            bridge.act(Desk.record, "desk.opened", f"Desk opened (CommsDesk {__version__})")
        text_lane.submit(_load_templates, on_done=window.desk_opened)
        # The panels are built and the database open: what exists now lives as long as the
        # desk, and full garbage collections need not walk it again (see collector.py).
        from commsdesk.collector import settle

        log.info("start-up objects settled: %d", settle())

    def open_failed(message: str) -> None:
        log.error("database not opened: %s", message)
        QMessageBox.critical(window, "The desk cannot open its database", message)
        app.exit(2)

    bridge.opened.connect(opened)
    bridge.open_failed.connect(open_failed)

    def after_first_paint() -> None:
        # The database opens on its lane while the panels are built here.
        bridge.open(data_dir, seed_demo=args.demo)
        _setup_logging(data_dir)
        # OBS: its bridge loads Qt's namespace and the slide modules, so it is made only now,
        # and it starts connecting once the panels are built.
        broadcast = _broadcast_bridge(bridge, obs_lane, slides_lane, app)
        app.aboutToQuit.connect(broadcast.close)
        window.obs = broadcast
        window.audience_lane = audience_lane  # the Audience panel polls once the desk is open
        app.aboutToQuit.connect(window.stop_audience)
        window.build_panels()
        broadcast.start()

    window.first_painted.connect(lambda: QTimer.singleShot(0, after_first_paint))
    lanes = (x_lane, obs_lane, slides_lane, text_lane, audience_lane, db_lane)
    return RunningDesk(app, window, bridge, lanes, data_dir)


def _broadcast_bridge(bridge, obs_lane, slides_lane, parent):
    """The Broadcast panel's bridge to the OBS at this desk's settings (after the first paint)."""
    from commsdesk.broadcast.ui.bridge import BroadcastBridge

    return BroadcastBridge(bridge, obs_lane, slides_lane, parent=parent)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    desk = build(args)
    _report_crashes(lambda: desk.window)
    _close_on_unix_signals(desk.app)
    bench = os.environ.get("COMMSDESK_BENCH_EXIT")  # "paint" or "loaded": print a time and quit
    if bench:
        _bench_exit(desk.app, desk.window, bench)
    desk.window.show()
    code = desk.app.exec()
    desk.stop()
    if args.demo:
        import shutil

        logging.shutdown()
        shutil.rmtree(desk.data_dir, ignore_errors=True)  # the demo leaves nothing behind
    return code


def _load_templates() -> list:
    from commsdesk.statements.templates import starting_templates

    return starting_templates()


def _bench_exit(app, window, what: str) -> None:
    """For the start-up benchmark: print CLOCK_MONOTONIC at the moment asked for, then quit."""

    def report(label: str) -> None:
        print(f"{label} {time.monotonic():.6f}", flush=True)
        app.quit()

    if what == "paint":
        window.first_painted.connect(lambda: report("painted"))
    else:
        window.statements_listed.connect(lambda _n: report("loaded"))


if __name__ == "__main__":
    sys.exit(main())
