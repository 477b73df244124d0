"""Team mode on a throwaway PostgreSQL server (the tests' own, tests/store/pg_server.py).

Change propagation: one desk commits a timeline event (`Desk.record`, a use case with its hash
chain and the team's triggers) while five desks listen through `ChangeListener`; each sample is
the time from calling the use case (its commit inside) to a listener hearing it. The baseline,
in the same run: a bare psycopg connection sends NOTIFY to five bare LISTENing connections.

Scheduler take-over: two `commsdesk scheduler run` processes; the leader gets SIGKILL; the time
until the other says it runs the posts. The baseline: a lone process's time from start to
leading (the process start and imports every take-over also waits for, on this machine).
"""

from __future__ import annotations

import os
import queue
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy.engine import make_url

SAMPLES = int(os.environ.get("BENCH_TEAM_SAMPLES", "200"))
DESKS = 5


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else values[0]  # fmt: skip


def team_database(server, tmp: Path) -> tuple[str, str]:
    from commsdesk.store.database import open_database
    from commsdesk.team.schema import add_person, install

    owner = server.new_database().render_as_string(hide_password=False)
    engine = open_database(owner)
    with engine.begin() as connection:
        install(connection)
        login = f"bench{os.getpid()}_{int(time.time() * 1000) % 100000}"
        add_person(connection, login, "Bench Desk", ("draft", "post", "approve"))
    engine.dispose()
    return owner, make_url(owner).set(username=login).render_as_string(hide_password=False)


def desk_propagation(url: str, tmp: Path) -> list[float]:
    from commsdesk.desk import Desk
    from commsdesk.store.changes import ChangeListener

    heard: queue.Queue = queue.Queue()
    listeners = []
    for _ in range(DESKS):
        listener = ChangeListener(url, lambda c: heard.put((c, time.monotonic())))
        listener.start()
        listeners.append(listener)
    for listener in listeners:
        listener.listening.wait(20)
    desk = Desk.open(tmp / "writer", url=url)
    samples = []
    try:
        for n in range(SAMPLES):
            committed = time.monotonic()  # from the call: the commit is inside it
            desk.record("Bench Desk", "note", f"bench {n}")
            got = 0
            while got < DESKS:
                change, at = heard.get(timeout=10)
                if change.table == "timeline_events":
                    samples.append(at - committed)
                    got += 1
    finally:
        desk.close()
        for listener in listeners:
            listener.stop()
    return samples


def bare_propagation(url: str) -> list[float]:
    import psycopg

    from commsdesk.store.changes import conninfo

    info = conninfo(url)
    heard: queue.Queue = queue.Queue()
    stop = threading.Event()
    ready = threading.Barrier(DESKS + 1)

    def listen() -> None:
        with psycopg.connect(info, autocommit=True) as conn:
            conn.execute("LISTEN bench")
            ready.wait()
            while not stop.is_set():
                for _ in conn.notifies(timeout=0.5):
                    heard.put(time.monotonic())

    threads = [threading.Thread(target=listen, daemon=True) for _ in range(DESKS)]
    for thread in threads:
        thread.start()
    ready.wait()
    samples = []
    with psycopg.connect(info, autocommit=True) as sender:
        for n in range(SAMPLES):
            committed = time.monotonic()
            sender.execute("SELECT pg_notify('bench', %s)", (str(n),))
            for _ in range(DESKS):
                samples.append(heard.get(timeout=10) - committed)
    stop.set()
    for thread in threads:
        thread.join()
    return samples


def scheduler_process(url: str, folder: Path) -> subprocess.Popen:
    env = {**os.environ, "COMMSDESK_DATABASE_URL": url}
    return subprocess.Popen(
        [sys.executable, "-m", "commsdesk", "--data-dir", str(folder), "scheduler", "run"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip


def until_leading(process: subprocess.Popen, lines: queue.Queue | None = None) -> None:
    for line in process.stdout:
        if line.strip() == "running the scheduled posts":
            if lines is not None:
                lines.put(time.monotonic())
            return


def take_over(url: str, tmp: Path) -> tuple[float, float]:
    start = time.monotonic()
    lone = scheduler_process(url, tmp / "lone")
    until_leading(lone)
    cold = time.monotonic() - start
    lone.send_signal(signal.SIGTERM)
    lone.wait()

    first = scheduler_process(url, tmp / "first")
    until_leading(first)
    second = scheduler_process(url, tmp / "second")
    time.sleep(3.0)  # the second is up and trying for the lead
    led: queue.Queue = queue.Queue()
    threading.Thread(target=until_leading, args=(second, led), daemon=True).start()
    killed = time.monotonic()
    first.send_signal(signal.SIGKILL)
    first.wait()
    took = led.get(timeout=60) - killed
    second.send_signal(signal.SIGTERM)
    second.wait()
    return took, cold


def main() -> None:
    from tests.store.pg_server import PostgresServer

    server = PostgresServer.start()
    try:
        with tempfile.TemporaryDirectory(prefix="commsdesk-bench-") as tmp:
            _, url = team_database(server, Path(tmp))
            desk = desk_propagation(url, Path(tmp))
            bare = bare_propagation(url)
            d50, d99, b50, b99 = p(desk, 50), p(desk, 99), p(bare, 50), p(bare, 99)
            print(
                f"change propagation to {DESKS} desks over {SAMPLES} commits: desk p50 "
                f"{d50 * 1000:.1f} ms, p99 {d99 * 1000:.1f} ms; bare psycopg LISTEN/NOTIFY p50 "
                f"{b50 * 1000:.1f} ms, p99 {b99 * 1000:.1f} ms; ratio p99 "
                f"{d99 / max(b99, 1e-6):.2f}x (goal p99 <= 100 ms)"
            )
            took, cold = take_over(url, Path(tmp))
            print(
                f"scheduler take-over after kill -9: {took:.2f} s; a lone desk's start to "
                f"leading: {cold:.2f} s; ratio {took / cold:.2f}x (goal <= 10 s)"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
