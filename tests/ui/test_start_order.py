"""The desk lists the statements first; the scheduler, the Audience panel and OBS start after
(they would otherwise compete with the listing for the interpreter). Run as `make run` does."""

import json
import os
import subprocess
import sys
from pathlib import Path

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity

DRIVER = Path(__file__).with_name("start_order_desk.py")
ANA = "Ana Ruiz (comms)"


def run_desk(data_dir: Path, home: Path) -> dict[str, dict]:
    (data_dir / "desk.json").write_text(json.dumps({"operator_name": ANA, "obs_port": 1}))
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
    )  # fmt: skip
    proc = subprocess.run(
        [sys.executable, str(DRIVER), str(data_dir)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    moments = {}
    for line in proc.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word in {"listed", "settled", "running"}:
            moments[word] = json.loads(rest)
    return moments


def test_statements_are_listed_before_the_rest_of_the_desk_starts(tmp_path):
    data_dir = tmp_path / "desk"
    desk = Desk.open(data_dir)
    incident = desk.start_incident(ANA, "Hot wallet drained", Severity.P1)
    for n in range(30):
        desk.create_statement(ANA, incident.id, f"Update {n}", "Withdrawals are paused.")
    desk.close()

    moments = run_desk(data_dir, tmp_path / "home")

    listed, settled, running = moments["listed"], moments["settled"], moments["running"]
    assert listed["listed"] == 30
    # While the list fills, the Audience dock says it is opening and nothing else has started.
    assert listed["audience"] == listed["audience_in_dock"] == "ComingPanel"
    assert not listed["scheduler"]
    assert listed["obs"] == "not started"
    # Then each starts: the real Audience panel in its dock, OBS connecting, the scheduler.
    assert settled["audience"] == settled["audience_in_dock"] == "AudiencePanel"
    assert settled["obs"] != "not started"
    assert running["scheduler"]


def test_a_desk_with_no_incident_starts_everything_too(tmp_path):
    data_dir = tmp_path / "desk"
    Desk.open(data_dir).close()

    moments = run_desk(data_dir, tmp_path / "home")

    assert "listed" not in moments  # nothing to list
    assert moments["settled"]["audience_in_dock"] == "AudiencePanel"
    assert moments["settled"]["obs"] != "not started"
    assert moments["running"]["scheduler"]
