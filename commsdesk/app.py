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
    parser.add_argument(
        "--database",
        metavar="URL",
        help="a team database, postgresql://login@host/database (default: "
        "COMMSDESK_DATABASE_URL, else the SQLite file in the data folder)",
    )
    parser.add_argument("--version", action="version", version=f"CommsDesk {__version__}")
    args = parser.parse_args(argv)
    if args.database is None:  # else the desk's own setting, read in build()
        args.database = os.environ.get("COMMSDESK_DATABASE_URL", "").strip() or None
    return args


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


def x_client(desk, account: str, sandbox: bool):
    """The one choice of X client for every path: the SANDBOX feed in this desk's database, or
    X with the account's keys from the keyring (the 'env' account: from COMMSDESK_X_*)."""
    if sandbox:
        from commsdesk.publishing.x.sandbox_client import SandboxXClient

        return SandboxXClient(desk, account)
    from commsdesk.desk import DeskError
    from commsdesk.keyring_secrets import keyring_status, load_x_credentials
    from commsdesk.publishing.x.tweepy_client import TweepyXClient

    credentials = load_x_credentials(account)
    if credentials is None:
        why = keyring_status() or f"The keyring holds no keys for the X account {account!r}."
        raise DeskError(f"Cannot post as {account}: {why}")
    try:  # how long to wait for X's answer to one request (default 10 s)
        timeout = float(os.environ.get("COMMSDESK_X_TIMEOUT", "") or 10.0)
    except ValueError:
        timeout = 10.0
    return TweepyXClient(credentials, timeout=timeout)


def connect_obs(host: str, port: int, password: str | None):
    """The OBS controller for host:port; the password from the keyring (or COMMSDESK_OBS_PASSWORD)
    unless one is given. Call it on a lane: the keyring is slow."""
    from commsdesk.broadcast.obs.connection import ObsConnection
    from commsdesk.keyring_secrets import load_obs_password

    if password is None:
        password = load_obs_password() or ""
    return ObsConnection(host, port, password)


class Services:
    """The use cases and adapters on one open desk, built here once for the window, the command
    line, the tests and the benchmarks. Qt-free: the window calls them on its lanes.

    `clients(desk, account, sandbox)` chooses the X client (tests point it at a stand-in)."""

    def __init__(self, desk, *, clients=x_client) -> None:
        self.desk = desk
        self._clients = clients
        self._publisher = None
        self._audience = None

    def x_client(self, account: str, sandbox: bool):
        return self._clients(self.desk, account, sandbox)

    @property
    def publisher(self):
        """Every post goes through this one publisher (built on first use: it loads the
        text counter)."""
        if self._publisher is None:
            from commsdesk.publishing.publisher import Publisher

            self._publisher = Publisher(self.desk, self.x_client)
        return self._publisher

    def scheduler(self, *, executor=None, numbering=None, posting: bool = True):
        """A post scheduler on this desk; `posting=False` for one that only reads and changes
        the schedule (the command line) and never fires a post itself."""
        from commsdesk.scheduling.scheduler import PostScheduler

        options = {"executor": executor}
        if numbering is not None:
            options["numbering"] = numbering
        return PostScheduler(self.desk, self.publisher if posting else None, **options)

    @property
    def audience(self):
        """Viewer sources and samples of this desk."""
        if self._audience is None:
            from commsdesk.audience.store import AudienceStore

            self._audience = AudienceStore(self.desk)
        return self._audience

    def viewer_poller(self, on_reading):
        """Polls each viewer source on its own thread; readings go to `on_reading`."""
        from commsdesk.audience.sources.poller import ViewerPoller

        return ViewerPoller(on_reading)

    def close(self) -> None:
        self.desk.close()


def open_services(
    data_dir, *, url: str | None = None, seed_demo: bool = False, clients=x_client
) -> Services:
    """Open the desk in `data_dir`, or the team database at `url` (this desk's own files, such
    as the timeline's anchor, stay in `data_dir`), and wire its services. Raises
    DatabaseProblem with one clear line when the database cannot be opened."""
    from commsdesk.desk import Desk

    if url is not None:
        from commsdesk.keyring_secrets import with_team_password

        url = with_team_password(url).render_as_string(hide_password=False)
    desk = Desk.open(data_dir, url=url)
    if seed_demo:
        from commsdesk.demo.crisis import seed_demo as seed

        seed(desk)
    return Services(desk, clients=clients)


class Wiring:
    """The lanes and bridges of one desk window. `build` runs the app on them; tests and
    benchmarks drive a real window on the same wiring, with `obs_factory` and `clients` pointed
    at their stand-ins.

    The P-1 bridge has a lane of its own: a chain's calls wait on the phone provider, and must
    never wait behind the database lane's work (nor hold it up).

    The Broadcast bridge loads Qt's namespace and the slide modules, so the app adds it after
    the first paint (`add_broadcast`); the audience lane, given to the window, makes it build
    the Audience panel and poll viewer sources.
    """

    def __init__(
        self, settings, parent=None, *, obs_factory=connect_obs, clients=x_client, database=None
    ):
        from functools import partial

        from commsdesk.p1.ui.bridge import P1Bridge
        from commsdesk.publishing.ui.bridge import PublishingBridge
        from commsdesk.scheduling.ui.bridge import ScheduleBridge
        from commsdesk.ui.desk_bridge import DeskBridge
        from commsdesk.ui.lanes import Lane

        self.settings = settings
        self.parent = parent
        self.obs_factory = obs_factory
        self.db_lane = Lane("database", parent)
        self.text_lane = Lane("text", parent)  # the text counter, templates
        self.x_lane = Lane("x", parent)
        self.obs_lane = Lane("obs", parent)  # makes and closes the OBS connection (keyring)
        self.slides_lane = Lane("slides", parent)  # draws slides off the UI thread
        self.audience_lane = Lane("audience", parent)  # viewer secrets, replays, sample writes
        opener = partial(open_services, url=database, clients=clients)
        self.bridge = DeskBridge(self.db_lane, settings, opener, parent)
        self.publishing = PublishingBridge(self.x_lane, self.bridge, parent)
        self.schedule = ScheduleBridge(self.bridge, self.publishing, parent)
        self.broadcast = None
        self.window = None
        self.p1_lane = Lane("p1", parent)  # the P-1 chain: its use cases and the phone provider
        self.p1 = P1Bridge(self.p1_lane, self.bridge, parent)
        self.bridge.remote_change.connect(self._remote_change)

    def _remote_change(self, change) -> None:
        """Another desk of the team changed the schedule or the desk's policy (pause, drill)."""
        if change.table in ("*", "scheduled_posts", "desk_policy"):
            self.schedule.changed.emit()
            scheduler = self.schedule.scheduler
            if scheduler is not None:  # the leading desk gives new posts their jobs at once
                self.db_lane.submit(scheduler.refresh, key="schedule-refresh")
        if change.table in ("*", "desk_policy"):
            self.publishing.read_drill()

    @property
    def lanes(self) -> tuple:
        """Every lane, the database's last: the others' last jobs may still write."""
        return (self.x_lane, self.obs_lane, self.slides_lane, self.text_lane,
                self.audience_lane, self.p1_lane, self.db_lane)  # fmt: skip

    @property
    def services(self):
        return self.bridge.services

    def make_window(self, *, demo: bool = False, audience: bool = True):
        from commsdesk.ui.main_window import MainWindow

        self.window = MainWindow(
            self.bridge, self.text_lane, publishing=self.publishing, schedule=self.schedule,
            obs=self.broadcast, p1=self.p1, demo=demo,
        )
        self.window.settled.connect(self.p1.start)  # follows the chain once the desk is up
        if audience:
            self.window.audience_lane = self.audience_lane
        return self.window

    def add_broadcast(self):
        from commsdesk.broadcast.ui.bridge import BroadcastBridge

        self.broadcast = BroadcastBridge(
            self.bridge, self.obs_lane, self.slides_lane, self.obs_factory, parent=self.parent
        )
        if self.window is not None:
            self.window.obs = self.broadcast
        return self.broadcast

    def idle(self) -> bool:
        """Nothing queued or running on any lane."""
        return all(lane.outstanding == 0 for lane in self.lanes)

    def stop(self) -> None:
        self.bridge.stop_listening()
        self.p1.stop()
        for lane in self.lanes:
            lane.stop()


class RunningDesk(NamedTuple):
    """Everything `build` wired together, for `main` to run."""

    app: Any
    window: Any
    wiring: Wiring
    data_dir: Path

    @property
    def bridge(self):
        return self.wiring.bridge

    def stop(self) -> None:
        self.wiring.stop()


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
    """Wire settings, lanes, bridges and window; the database opens after the first paint."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.qt_setup import prepare_qt
    from commsdesk.settings import Settings

    settle_before_threads()  # before the lanes, the OBS loop, the pollers and the scheduler
    prepare_qt()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from commsdesk.collector import take_over_collection

    collector = QTimer(app, objectName="ui-thread-collector", interval=500)  # see collector.py
    collector.timeout.connect(take_over_collection())
    collector.start()
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

    database = getattr(args, "database", None) or settings.get("team_database") or None
    wiring = Wiring(settings, app, database=database)
    bridge = wiring.bridge
    window = wiring.make_window(demo=args.demo)

    def opened(_desk) -> None:
        if bridge.actor:  # on first run, the name given is the first record
            from commsdesk.desk import Desk  # loaded by now, on the database lane

            bridge.act(Desk.record, "desk.opened", f"Desk opened (CommsDesk {__version__})")
        wiring.text_lane.submit(_load_templates, on_done=window.desk_opened)
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
        broadcast = wiring.add_broadcast()
        app.aboutToQuit.connect(broadcast.close)
        app.aboutToQuit.connect(window.stop_audience)
        window.build_panels(audience_later=True)
        window.settled.connect(broadcast.start)  # after the first listing: see MainWindow

    window.first_painted.connect(lambda: QTimer.singleShot(0, after_first_paint))
    return RunningDesk(app, window, wiring, data_dir)


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
    if getattr(desk.window, "restart_requested", False):  # Desk → Connect to a team…
        argv, env = restart_command(sys.argv, os.environ)
        os.execve(sys.executable, [sys.executable, *argv], env)
    if args.demo:
        import shutil

        logging.shutdown()
        shutil.rmtree(desk.data_dir, ignore_errors=True)  # the demo leaves nothing behind
    return code


def restart_command(argv: list[str], environ) -> tuple[list[str], dict[str, str]]:
    """The command line and environment to start again after Desk → Connect to a team…: as
    before, except the database given by --database or COMMSDESK_DATABASE_URL, which would
    override the choice just made (kept in the desk's settings)."""
    def is_database(name: str) -> bool:  # argparse takes "--datab" and longer for it too
        return name.startswith("--datab") and "--database".startswith(name)

    kept, skip = [], False
    for arg in argv:
        name, equals, _ = arg.partition("=")
        if skip:
            skip = False
        elif is_database(name):
            skip = not equals  # the URL is the next argument
        else:
            kept.append(arg)
    env = {k: v for k, v in environ.items() if k != "COMMSDESK_DATABASE_URL"}
    return kept, env


def _load_templates() -> list:
    from commsdesk.statements.templates import starting_templates

    return starting_templates()


def _bench_exit(app, window, what: str) -> None:
    """For the start-up benchmark: print CLOCK_MONOTONIC at the moment asked for, then quit."""

    def report(label: str) -> None:
        print(f"{label} {time.monotonic():.6f} {_peak_memory_kib()}", flush=True)
        app.quit()

    if what == "paint":
        window.first_painted.connect(lambda: report("painted"))
    else:
        window.statements_listed.connect(lambda _n: report("loaded"))


def _peak_memory_kib() -> int:
    """This process's peak resident memory since it started (0 where /proc is not there)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0
    line = next((ln for ln in status.splitlines() if ln.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1])


if __name__ == "__main__":
    sys.exit(main())
