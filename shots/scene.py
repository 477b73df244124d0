"""One desk window in one state, and a picture of the whole screen once it is there.

    DISPLAY=:N python -m shots.scene STATE OUT_DIR SUFFIX

STATE is one of STATES. The window is the real one, wired as `commsdesk.app.build` wires it, on a
throwaway data folder; OBS is the one named by SHOTS_OBS_PORT and COMMSDESK_OBS_PASSWORD (a
real OBS Studio, or none: then an in-memory stand-in). For "obs-lost" the scene prints "ready"
once connected and waits for a line on its standard input (OBS has been ended) before the picture.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

STATES = ("empty", "demo", "obs", "obs-lost", "paused", "drill")
OPERATOR = "Ana Ruiz (comms)"
ZONES = ["UTC", "Asia/Singapore", "America/New_York"]
ADVICE_WAIT = 150.0  # the demo's advice comes about half a minute in; slow machines take longer


def wait(app, condition, seconds: float = 30.0, what: str = "the desk") -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError(f"{what} did not get there within {seconds:.0f} s")
        app.processEvents()
        time.sleep(0.01)


def settle(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


class Scene:
    """A started desk: `app`, `wiring`, `window`, and `shoot(name)`."""

    def __init__(self, out_dir: Path, suffix: str, *, demo=False, operator=OPERATOR, obs=None):
        from PySide6.QtWidgets import QApplication

        from commsdesk.app import DEMO_OPERATOR, Wiring, connect_obs, settle_before_threads
        from commsdesk.qt_setup import prepare_qt
        from commsdesk.settings import Settings

        settle_before_threads()
        prepare_qt()
        self.app = QApplication(sys.argv[:1])
        self.app.setApplicationName("CommsDesk")
        self.out_dir, self.suffix = out_dir, suffix
        self.data_dir = Path(tempfile.mkdtemp(prefix="commsdesk-shot-"))
        settings = Settings.load(self.data_dir)
        settings.set("team_time_zones", ZONES)
        settings.set("operator_name", DEMO_OPERATOR if demo else operator)
        if demo:
            settings.set("drill_mode", True)
        port = os.environ.get("SHOTS_OBS_PORT")
        if port:
            settings.set("obs_host", "127.0.0.1")
            settings.set("obs_port", int(port))
        self.fake_obs = None
        if obs == "fake" or (obs and not port):
            from commsdesk.broadcast.obs.fake import FakeObs

            self.fake_obs = FakeObs(("Camera", "Screen", "Guest", "Wide shot"))
            factory = lambda host, port, password: self.fake_obs  # noqa: E731
        else:
            factory = connect_obs
        self.wiring = Wiring(settings, self.app, obs_factory=factory)
        self.window = self.wiring.make_window(demo=demo)
        self.window.show()
        wait(self.app, lambda: self.window._painted)
        broadcast = self.wiring.add_broadcast()
        self.window.build_panels()
        if obs:
            broadcast.start()
        bridge = self.wiring.bridge
        bridge.open(self.data_dir, seed_demo=demo)
        wait(self.app, lambda: bridge.desk is not None)
        from commsdesk.statements.templates import starting_templates

        self.window.desk_opened(starting_templates())
        self.idle()

    @property
    def obs(self):
        return self.wiring.broadcast

    def idle(self, seconds: float = 30.0) -> None:
        wait(self.app, self.wiring.idle, seconds, "the lanes")
        settle(self.app, 0.3)

    def act(self, use_case, *args, **kwargs):
        self.wiring.bridge.act(use_case, *args, **kwargs)
        self.idle()

    def incident_with_statement(self, approved: bool = False) -> None:
        from commsdesk.desk import Desk
        from commsdesk.incidents.incident import Severity

        self.act(Desk.start_incident, title="Hot wallet drained", severity=Severity.P1,
                 summary="ETH moved out of the hot wallet; withdrawals paused.",
                 facts={"asset": "ETH"})  # fmt: skip
        self.window.new_statement(
            "Holding statement",
            "We are investigating unauthorised transfers of {{ incident.asset }} from our hot "
            "wallet. Withdrawals are paused 🚨. Client balances are backed 1:1.",
        )
        wait(self.app, lambda: self.window.statements.editor.statement is not None)
        self.idle()

    def shoot(self, name: str) -> Path:
        settle(self.app, 0.8)
        path = self.out_dir / f"{name}-{self.suffix}.png"
        picture = self.app.primaryScreen().grabWindow(0)
        if not picture.save(str(path)):
            raise OSError(f"could not write {path}")
        print(f"wrote {path}", flush=True)
        return path

    def close(self) -> None:
        import shutil

        self.window.stop_audience()
        if self.wiring.broadcast is not None:
            self.wiring.broadcast.close()
        self.window.close()
        self.idle()
        self.wiring.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def put_slide_on_air(scene: Scene) -> None:
    from commsdesk.slides.slide_kinds import SlideKind

    window, app = scene.window, scene.app
    wait(app, lambda: scene.obs.connected and scene.obs.scenes is not None, 60, "OBS")
    panel = window.broadcast
    panel.composer.set_kind(SlideKind.BACK_AT)
    panel.composer.set_value("at", "+15m")
    panel.composer.set_value("message", "The founder's Q&A resumes after a short break")
    panel.put_on_air()  # draws the slide, then pushes it
    wait(app, lambda: scene.obs.on_air is not None, 30, "the slide on air")
    settle(app, 2.5)  # the program thumbnail catches up


def run(state: str, out_dir: Path, suffix: str) -> None:
    if state == "empty":
        scene = Scene(out_dir, suffix, operator="")
        scene.shoot("empty")
    elif state == "demo":
        scene = Scene(out_dir, suffix, demo=True)
        wait(scene.app, lambda: scene.window.statements.model.rowCount() > 0)
        scene.idle()
        scene.shoot("demo")
        wait(scene.app, lambda: "advice" in scene.window.header.warnings, ADVICE_WAIT,
             "the audience advice")  # fmt: skip
        scene.window.show_panel(2)
        scene.shoot("audience-advice")
    elif state == "obs":
        scene = Scene(out_dir, suffix, obs=True)
        scene.incident_with_statement()
        scene.window.show_panel(1)
        put_slide_on_air(scene)
        scene.shoot("obs-on-air")
    elif state == "obs-lost":
        scene = Scene(out_dir, suffix, obs=True)
        scene.window.show_panel(1)
        wait(scene.app, lambda: scene.obs.connected, 60, "OBS")
        if scene.fake_obs is not None:
            from commsdesk.broadcast.obs.api import ConnectionState

            scene.fake_obs.set_state(ConnectionState.UNREACHABLE, "connection refused")
        else:
            print("ready", flush=True)
            sys.stdin.readline()  # OBS has been ended
        wait(scene.app, lambda: not scene.obs.connected, 30, "the lost connection")
        settle(scene.app, 2.0)
        scene.shoot("obs-lost")
    elif state == "paused":
        from commsdesk.scheduling.scheduler import PostScheduler

        scene = Scene(out_dir, suffix)
        scene.incident_with_statement()
        scene.wiring.schedule.call(PostScheduler.pause, "Legal is checking the figures",
                                   as_operator=True)  # fmt: skip
        scene.idle()
        wait(scene.app, lambda: "PAUSED" in scene.window.status_schedule.text(), 30, "the pause")
        scene.window.show_panel(3)
        scene.shoot("paused")
    elif state == "drill":
        scene = Scene(out_dir, suffix)
        scene.incident_with_statement()
        scene.wiring.publishing.set_drill(True)
        wait(scene.app, lambda: scene.window.header.drill.isChecked(), 30, "Drill mode")
        scene.idle()
        scene.window.show_panel(0)
        scene.shoot("drill")
    else:
        raise SystemExit(f"unknown state {state!r}; one of {', '.join(STATES)}")
    scene.close()


if __name__ == "__main__":
    run(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
    os._exit(0)  # the lanes' threads are stopped; skip Qt's teardown
