"""The UI thread while three real viewer sources poll through the Audience bridge.

A desk window with the Audience panel over a SQLite file holding 12 hours of samples from three
sources (one a second each, 129,600 rows, loaded onto the chart at start). Three local stand-in
HTTP servers (tests/support/viewer_apis.py, in a process of their own as real platforms would
be) answer in YouTube's, Twitch's and Kick's shapes; the sources poll them every second
through the real bridge: httpx on the poller threads, readings drained onto the UI thread every
250 ms, chart, chips, advisor and wall view updated, samples written on the audience lane.

A 5 ms heartbeat timer notes the longest gap between its ticks, first for the same window idle
(the sources switched off), then while the three sources poll. Goal: <= 16 ms.
BENCH_AUDIENCE_VIEW picks the chart's view ("all", the default, "hour" or "15min").
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from commsdesk.qt_setup import prepare_qt

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
prepare_qt()  # as the desk does

from PySide6.QtWidgets import QApplication  # noqa: E402

SECONDS = float(os.environ.get("BENCH_AUDIENCE_SECONDS", "10"))
HOURS = 12
OPERATOR = "Bench"
ROOT = Path(__file__).resolve().parents[1]

# Three stand-ins in their own process: their URLs on stdout, they stop when stdin closes.
SERVE = """
import sys
from tests.support.viewer_apis import ViewerApis
servers = [ViewerApis().start() for _ in range(3)]
servers[0].videos["live1"] = {"concurrentViewers": "24100"}
servers[1].streams["meridian"] = 11200
servers[2].kick["4242"] = 3800
print(" ".join(server.url for server in servers), flush=True)
sys.stdin.read()
for server in servers:
    server.stop()
"""


class StandIns:
    def __enter__(self) -> list[str]:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE], cwd=ROOT, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True,
        )
        return self.process.stdout.readline().split()

    def __exit__(self, *_exc) -> None:
        self.process.stdin.close()
        self.process.wait(10)


def seed(data_dir: Path, urls: list[str]) -> None:
    """Three sources (switched off) pointing at the stand-ins, and 12 hours of their samples."""
    import numpy as np

    from commsdesk.audience.series import Sample
    from commsdesk.audience.store import AudienceStore
    from commsdesk.desk import Desk
    from commsdesk.keyring_secrets import store_viewer_secret
    from tests.support.viewer_apis import TWITCH_CLIENT_ID, TWITCH_SECRET, YOUTUBE_KEY

    youtube, twitch, kick = urls
    desk = Desk.open(data_dir)
    store = AudienceStore(desk)
    configs = (
        ("youtube", "YouTube", {"video_id": "live1", "base_url": youtube}),
        ("twitch", "Twitch", {"user_login": "meridian", "client_id": TWITCH_CLIENT_ID,
                              "base_url": twitch, "id_url": twitch}),
        ("kick", "Kick", {"broadcaster_user_id": "4242", "base_url": kick}),
    )
    for kind, label, config in configs:
        store.add_source(OPERATOR, kind, label, config, interval=1.0, enabled=False)
    store_viewer_secret("YouTube", "api_key", YOUTUBE_KEY)
    store_viewer_secret("Twitch", "client_secret", TWITCH_SECRET)
    rng = np.random.default_rng(5)
    points = HOURS * 3600
    start = time.time() - points
    base = np.maximum(40_000 * np.exp(-np.arange(points) / 60 / 200), 3_000)
    for (_, label, _), share in zip(configs, (0.6, 0.28, 0.12), strict=True):
        values = base * share * (1 + 0.01 * rng.standard_normal(points))
        for chunk in range(0, points, 20_000):
            store.append_samples(
                Sample(start + i, label, float(round(values[i])))
                for i in range(chunk, min(chunk + 20_000, points))
            )
    desk.close()


def measure(app) -> tuple[int, int]:
    from bench.ui_stall import Heartbeat, wait_until
    from commsdesk.app import Wiring
    from commsdesk.collector import settle
    from commsdesk.settings import Settings

    with StandIns() as urls, tempfile.TemporaryDirectory(prefix="commsdesk-bench-") as tmp:
        data_dir = Path(tmp)
        seed(data_dir, urls)
        settings = Settings.load(data_dir)
        settings.set("operator_name", OPERATOR)
        wiring = Wiring(settings)
        bridge = wiring.bridge
        opened = []
        bridge.opened.connect(opened.append)
        bridge.open(data_dir)
        wait_until(app, lambda: opened)
        window = wiring.make_window()
        window.build_panels()
        settle()  # as the desk does once its database is open and its panels are built
        window.resize(1440, 900)
        window.show()
        window.docks[2].raise_()  # the Audience dock in front
        window.audience.set_view(os.environ.get("BENCH_AUDIENCE_VIEW", "all"))
        audience = window.audience_bridge
        loaded = []
        audience.history_loaded.connect(loaded.append)
        wait_until(app, lambda: loaded and wiring.audience_lane.outstanding == 0)
        beat = Heartbeat()
        beat.timer.setInterval(5)

        def run_for(seconds: float) -> int:
            beat.start()
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                app.processEvents()
                time.sleep(0.0005)
            return beat.stop()

        idle = run_for(SECONDS)
        for source in list(audience.sources.values()):
            audience.set_enabled(source.id, True)
        panel = window.audience
        wait_until(app, lambda: all(
            panel.chips.get(label) is not None and panel.chips[label].text().endswith(
                "viewers") for label in ("YouTube", "Twitch", "Kick")
        ))
        polled = run_for(SECONDS)
        window.stop_audience()
        wait_until(app, wiring.idle)
        window.close()
        wiring.stop()
        bridge.desk.close()
        return polled, idle


def main() -> None:
    import keyring

    from tests.support.memory_keyring import MemoryKeyring

    app = QApplication.instance() or QApplication([])
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())  # the bench's keys stay out of the machine's keyring
    try:
        polled, idle = measure(app)
    finally:
        keyring.set_keyring(previous)
    print(
        f"longest UI stall over {SECONDS:.0f} s, 5 ms heartbeat, while YouTube, Twitch and Kick "
        f"stand-ins are polled every second through the audience bridge onto a chart holding "
        f"{HOURS} h from 3 sources: {polled} ms (goal <= 16 ms); the same window idle: {idle} ms;"
        f" ratio {polled / max(1, idle):.1f}x"
    )


if __name__ == "__main__":
    main()
