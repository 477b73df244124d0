"""Opening a desk window onto 5,000 statements, on SQLite and on PostgreSQL: from asking for the
list (the database open) to the newest rows on screen, and to the whole list in the model.

The baseline, in the same run on the same database, is the bare driver (sqlite3, psycopg)
fetching every statement with its newest text in one query: what the list cannot do without.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from commsdesk.qt_setup import prepare_qt

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
prepare_qt()

from PySide6.QtWidgets import QApplication  # noqa: E402

STATEMENTS = 5000
RUNS = 7
BARE_QUERY = (
    "SELECT s.*, v.body, v.number FROM statements s JOIN statement_versions v "
    "ON v.statement_id = s.id WHERE s.incident_id = {mark} ORDER BY s.updated_at DESC"
)


def bare_sqlite(path: Path, incident_id: int) -> float:
    import sqlite3

    started = time.perf_counter()
    connection = sqlite3.connect(path)
    rows = connection.execute(BARE_QUERY.format(mark="?"), (incident_id,)).fetchall()
    connection.close()
    assert len(rows) == STATEMENTS, len(rows)
    return time.perf_counter() - started


def bare_postgres(url: str, incident_id: int) -> float:
    import psycopg

    from commsdesk.store.changes import conninfo

    started = time.perf_counter()
    with psycopg.connect(conninfo(url)) as connection:
        rows = connection.execute(BARE_QUERY.format(mark="%s"), (incident_id,)).fetchall()
    assert len(rows) == STATEMENTS, len(rows)
    return time.perf_counter() - started


def window_listing(app, data_dir: Path, url: str | None) -> list[tuple[float, float]]:
    """(seconds to the newest rows shown, seconds to all listed) per run, in one window."""
    from bench.ui_stall import wait_until
    from commsdesk.app import Wiring
    from commsdesk.settings import Settings

    wiring = Wiring(Settings.load(data_dir), database=url)
    window = wiring.make_window(audience=False)
    window.build_panels()
    window.show()
    opened = []
    wiring.bridge.opened.connect(opened.append)
    wiring.bridge.open(data_dir)
    wait_until(app, lambda: opened)
    incident = wiring.bridge.desk.active_incident()
    panel = window.statements
    results = []
    for _ in range(RUNS):
        panel.set_incident(None)
        wait_until(app, wiring.idle)
        first, whole = [], []

        def shown(_n: int, first=first) -> None:
            first.append(time.perf_counter())

        def listed(n: int, whole=whole) -> None:
            whole.append((time.perf_counter(), n))

        panel.first_listed.connect(shown)
        panel.loaded.connect(listed)
        started = time.perf_counter()
        panel.set_incident(incident)
        wait_until(app, lambda whole=whole: whole and wiring.idle())
        assert whole[0][1] == STATEMENTS, whole
        results.append((first[0] - started, whole[0][0] - started))
        panel.first_listed.disconnect(shown)
        panel.loaded.disconnect(listed)
    desk = wiring.bridge.desk
    window.close()
    wiring.stop()
    desk.close()
    return results


def report(label: str, results, bare: list[float]) -> None:
    first = statistics.median(r[0] for r in results)
    whole = statistics.median(r[1] for r in results)
    base = statistics.median(bare)
    print(
        f"{label}, {STATEMENTS:,} statements: newest rows shown {first * 1000:.0f} ms, all listed "
        f"{whole * 1000:.0f} ms (goal <= 300 ms); bare driver fetching them "
        f"{base * 1000:.0f} ms; ratio {whole / base:.2f}x (all) / {first / base:.2f}x (newest)"
    )


def main() -> None:
    from bench.seed import seed_large
    from commsdesk.desk import Desk
    from tests.store.pg_server import PostgresServer

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="commsdesk-bench-") as tmp:
        lite = Path(tmp) / "sqlite"
        seed_large(lite, statements=STATEMENTS, events=0)
        desk = Desk.open(lite)
        incident_id = desk.active_incident().id
        desk.close()
        results = window_listing(app, lite, None)
        bare = [bare_sqlite(lite / "commsdesk.sqlite3", incident_id) for _ in range(RUNS)]
        report("SQLite", results, bare)

        server = PostgresServer.start()
        try:
            url = server.new_database().render_as_string(hide_password=False)
            folder = Path(tmp) / "postgres"
            seed_large(folder, statements=STATEMENTS, events=0, url=url)
            desk = Desk.open(folder, url=url)
            incident_id = desk.active_incident().id
            desk.close()
            results = window_listing(app, folder, url)
            bare = [bare_postgres(url, incident_id) for _ in range(RUNS)]
            report("PostgreSQL", results, bare)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
