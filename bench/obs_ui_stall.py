"""Longest UI-thread stall while the desk's Broadcast panel rides out OBS being killed and
restarted, against the same window idle, in the same run.

A 5 ms heartbeat timer notes the largest gap between its ticks. The desk window (with its
Broadcast panel on a real OBS Studio under Xvfb) is first left idle, OBS not connected; then, still
not connected, OBS is killed and started again as often as later (the baseline: what OBS starting
up on the same two cores costs any window); then the desk connects, and OBS is killed (SIGKILL, as
a crash) and started again, with a slide push while OBS is gone and another once it is back. OBS
is killed and started by a keeper process (asked from a worker thread), so the UI thread only runs
its event loop and this process never forks during the measurement. Goal: the worst stall stays
under 16 ms.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from commsdesk.qt_setup import prepare_qt

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
prepare_qt()  # as the desk does

from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.ui_stall import Heartbeat, wait_until  # noqa: E402

CYCLES = int(os.environ.get("BENCH_OBS_RESTARTS", "3"))
IDLE_SECONDS = float(os.environ.get("BENCH_OBS_IDLE_SECONDS", "8"))


def in_background(work) -> threading.Thread:
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def keep_obs() -> None:
    """The OBS keeper, in its own process: starts OBS, prints "port password", then obeys
    "kill" and "restart" lines on standard input until "stop" or the end of input."""
    import sys

    from tests.support.obs_studio import running_obs

    with running_obs() as obs:
        print(obs.port, obs.password, flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "kill":
                obs.kill()
            elif command == "restart":
                obs.restart()
            else:
                break
            print("done", flush=True)


class ObsKeeper:
    """Drives the keeper process. Starting OBS again forks; done from another process, the
    fork's cost (copying a big process's page tables) is not counted against the desk."""

    def __init__(self) -> None:
        import subprocess
        import sys

        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.obs_ui_stall", "--keep-obs"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        port, password = self.process.stdout.readline().split()
        self.port, self.password = int(port), password

    def _do(self, command: str) -> None:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        if self.process.stdout.readline().strip() != "done":
            raise RuntimeError(f"the OBS keeper did not {command} OBS")

    def kill(self) -> None:
        self._do("kill")

    def restart(self) -> None:
        self._do("restart")

    def stop(self) -> None:
        self.process.stdin.write("stop\n")
        self.process.stdin.close()
        self.process.wait(60)


class BroadcastDesk(NamedTuple):
    window: Any
    broadcast: Any  # the BroadcastBridge
    panel: Any  # the Broadcast panel


@contextlib.contextmanager
def broadcast_desk(app, **settings_values: Any) -> Iterator[BroadcastDesk]:
    """A desk window on a throwaway database with its Broadcast panel in front, opened and
    settled as the desk does, a Standby slide already drawn in the composer."""
    from commsdesk.app import Wiring
    from commsdesk.collector import settle
    from commsdesk.settings import Settings
    from commsdesk.slides.slide_kinds import SlideKind

    with tempfile.TemporaryDirectory(prefix="commsdesk-bench-") as tmp:
        data_dir = Path(tmp) / "desk"
        data_dir.mkdir()
        settings = Settings.load(data_dir)
        settings.set("operator_name", "Bench")
        for key, value in settings_values.items():
            settings.set(key, value)
        wiring = Wiring(settings)
        bridge = wiring.bridge
        broadcast = wiring.add_broadcast()
        window = wiring.make_window(audience=False)
        window.build_panels()
        window.docks[1].raise_()
        window.show()
        opened = []
        bridge.opened.connect(opened.append)
        bridge.open(data_dir)
        wait_until(app, lambda: opened)
        settle()  # as the desk does once its database is open
        panel = window.broadcast
        panel.composer.set_kind(SlideKind.STANDBY)
        wait_until(app, lambda: panel.composer.rendering is not None)
        try:
            yield BroadcastDesk(window, broadcast, panel)
        finally:
            broadcast.close()
            window.close()
            wait_until(app, wiring.idle)
            wiring.stop()
            bridge.desk.close()


def main() -> None:
    app = QApplication.instance() or QApplication([])
    beat = Heartbeat()
    beat.timer.setInterval(5)
    obs = ObsKeeper()
    os.environ["COMMSDESK_OBS_PASSWORD"] = obs.password
    with broadcast_desk(app, obs_host="127.0.0.1", obs_port=obs.port) as desk:
        broadcast, panel = desk.broadcast, desk.panel
        beat.start()
        end = time.monotonic() + IDLE_SECONDS
        wait_until(app, lambda: time.monotonic() > end)
        idle = beat.stop()

        beat.start()  # the same restarts, the desk not connected: OBS's own cost to this machine
        for _ in range(CYCLES):
            for step in (obs.kill, obs.restart):
                worker = in_background(step)
                wait_until(app, lambda t=worker: not t.is_alive())
        restarts_only = beat.stop()

        broadcast.start()
        wait_until(app, lambda: broadcast.connected and broadcast.scenes is not None)
        beat.start()
        started = time.monotonic()
        for _ in range(CYCLES):
            killer = in_background(obs.kill)
            wait_until(app, lambda t=killer: not t.is_alive() and not broadcast.connected)
            panel.put_on_air()  # fails at once: OBS is gone
            restarter = in_background(obs.restart)
            wait_until(app, lambda t=restarter: not t.is_alive() and broadcast.connected)
            wait_until(app, lambda: broadcast.scenes is not None)
            panel.put_on_air()
            wait_until(app, lambda: broadcast.on_air is not None)
            panel.back_to_live()
            wait_until(app, lambda: broadcast.on_air is None)
        busy = beat.stop()
        seconds = time.monotonic() - started

    obs.stop()
    print(
        f"longest UI stall with OBS killed and restarted {CYCLES}× ({seconds:.0f} s, pushes "
        f"included): {busy} ms; the same restarts with the desk not connected: "
        f"{restarts_only} ms (ratio {busy / max(1, restarts_only):.1f}x); idle window: {idle} ms "
        f"(goal ≤ 16 ms: {'met' if busy <= 16 else 'NOT met'})"
    )


if __name__ == "__main__":
    import sys

    if "--keep-obs" in sys.argv:
        keep_obs()
    else:
        main()
