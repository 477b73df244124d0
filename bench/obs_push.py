"""Slide push: the desk's OBS adapter against a bare simpleobsws batch, on the same real OBS.

Each push is timed from the call until the pusher hears CurrentProgramSceneChanged for the
slides scene. The desk goes through `ObsConnection.push_slide` (its lane thread, the batch built
by `batches.slide_push`, the return scene remembered in OBS after the cut); the baseline sends the
same requests as one simpleobsws `call_batch` from its own asyncio loop. They alternate, with a
cut back to the live scene (not timed) between pushes; medians and their ratio are printed.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import threading
import time
import zlib
from pathlib import Path

import simpleobsws

from commsdesk.broadcast.obs import batches
from commsdesk.broadcast.obs.api import SLIDES_SCENE, ConnectionState
from commsdesk.broadcast.obs.connection import ObsConnection
from tests.support.obs_studio import running_obs

PUSHES = int(os.environ.get("BENCH_OBS_PUSHES", "30"))
WAIT = 10.0


def _png(path: Path, rgb: tuple[int, int, int], width: int = 320, height: int = 180) -> None:
    import struct

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )  # fmt: skip


class _Bare:
    """simpleobsws on its own loop thread; `push` blocks until its scene-change event."""

    def __init__(self, url: str, password: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client = simpleobsws.WebSocketClient(url=url, password=password)
        self.changed: asyncio.Event | None = None
        self.wanted = ""

        async def on_change(data: dict) -> None:
            if data.get("sceneName") == self.wanted and self.changed is not None:
                self.changed.set()

        async def connect() -> None:
            self.changed = asyncio.Event()
            self.client.register_event_callback(on_change, "CurrentProgramSceneChanged")
            await self.client.connect()
            assert await self.client.wait_until_identified(WAIT)

        self._run(connect())

    def _run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(WAIT * 2)

    def push(self, image: str, countdown: str) -> float:
        requests = [
            simpleobsws.Request(r.type, dict(r.data) or None)
            for r in batches.slide_push(image, countdown, with_countdown=True)
        ]

        async def push() -> float:
            self.wanted = SLIDES_SCENE
            self.changed.clear()
            start = time.perf_counter()
            results = await self.client.call_batch(requests, halt_on_failure=True)
            assert all(r.ok() for r in results)
            await asyncio.wait_for(self.changed.wait(), WAIT)
            return time.perf_counter() - start

        return self._run(push())

    def close(self) -> None:
        self._run(self.client.disconnect())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def push_times(pushes: int = PUSHES) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="commsdesk-bench-") as tmp, running_obs(
        Path(tmp)
    ) as obs:
        images = []
        for n, rgb in enumerate(((200, 40, 40), (40, 200, 40), (40, 40, 200))):
            images.append(str(Path(tmp) / f"slide-{n}.png"))
            _png(Path(images[-1]), rgb)
        desk = ObsConnection("127.0.0.1", obs.port, obs.password)
        connected = threading.Event()
        changed = threading.Event()
        desk.add_state_listener(
            lambda s: connected.set() if s.state is ConnectionState.CONNECTED else None
        )
        desk.add_event_listener(
            lambda kind, data: changed.set()
            if kind == "CurrentProgramSceneChanged" and data.get("sceneName") == SLIDES_SCENE
            else None
        )
        desk.start()
        assert connected.wait(WAIT), desk.status
        desk.prepare_slides().result(WAIT)  # first use creates the scene: not timed
        bare = _Bare(obs.url, obs.password)
        desk_times, bare_times = [], []
        try:
            for n in range(pushes):
                image, countdown = images[n % len(images)], f"Back in {pushes - n} min"
                desk.switch_scene("Camera").result(WAIT)
                bare_times.append(bare.push(image, countdown))
                desk.switch_scene("Camera").result(WAIT)
                changed.clear()
                start = time.perf_counter()
                desk.push_slide(image, countdown)
                assert changed.wait(WAIT), "no CurrentProgramSceneChanged"
                desk_times.append(time.perf_counter() - start)
        finally:
            bare.close()
            desk.close()
    return statistics.median(desk_times), statistics.median(bare_times)


def main() -> None:
    desk_s, bare_s = push_times()
    print(
        f"slide push to CurrentProgramSceneChanged on OBS (median of {PUSHES}): desk "
        f"{desk_s * 1000:.1f} ms, bare simpleobsws batch {bare_s * 1000:.1f} ms, ratio "
        f"{desk_s / bare_s:.2f}x (goal <= 1.2x)"
    )


if __name__ == "__main__":
    main()
