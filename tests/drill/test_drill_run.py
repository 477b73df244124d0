"""The scored drill end to end on real parts: a real OBS under Xvfb streaming to a local nginx
RTMP server marked as the rehearsal destination, the P-1 chain on the drill's stand-in phone
provider, posts through real tweepy to the X stand-in, and the report printed by headless
Chromium. A step that fails is on the scorecard with its reason, and the rest still run."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from pathlib import Path

import pytest

from commsdesk.app import open_services
from commsdesk.broadcast.obs.blocking import BlockingObs
from commsdesk.desk import Desk
from commsdesk.drill.run import STEPS, DrillParts, DrillRun
from commsdesk.drill.scenario import load
from commsdesk.p1.service import CallChain
from commsdesk.publishing.holds import drill_mode
from commsdesk.publishing.x.api import XCredentials
from commsdesk.publishing.x.tweepy_client import TweepyXClient
from commsdesk.settings import Settings
from tests.broadcast.test_obs_live_stream import rtmp_server  # noqa: F401
from tests.cli.test_obs_go_live import obs_request, stream_to
from tests.support.cli import commsdesk
from tests.support.obs_studio import own_obs_studio  # noqa: F401
from tests.support.x_api_standin import ACCESS_TOKEN, CONSUMER_KEY

ANA = "Ana Ruiz (comms)"
CREDENTIALS = XCredentials(CONSUMER_KEY, "consumer-secret", ACCESS_TOKEN, "access-secret")


@pytest.fixture
def data_dir(isolated_dirs) -> Path:
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    desk = Desk.open(isolated_dirs)
    try:
        chain = CallChain(desk)
        chain.add(ANA, "Mira Chen", "+15005550101")
        chain.add(ANA, "Sam Okafor", "+15005550102")
    finally:
        desk.close()
    return isolated_dirs


def kinds(data_dir: Path) -> list[str]:
    desk = Desk.open(data_dir)
    try:
        return [event.kind for event in reversed(desk.timeline(limit=None))]
    finally:
        desk.close()


def until(check, seconds: float = 15.0) -> bool:
    """OBS stops an output a moment after it accepts the request."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip


@pytest.mark.slow
def test_the_drill_runs_every_step_on_real_obs_and_prints_its_scorecard_as_json(
    own_obs_studio, rtmp_server, data_dir  # noqa: F811
):
    obs = own_obs_studio
    stream_to(obs, rtmp_server.url)
    (data_dir / "desk.json").write_text(json.dumps({"rehearsal_destinations": [rtmp_server.url]}))
    report = data_dir / "drill report.pdf"

    done = commsdesk("drill", "run", "cold-wallet-breach", "--json", "-o", str(report),
                     "--host", "127.0.0.1", "--port", str(obs.port), data_dir=data_dir,
                     operator=ANA, obs_password=obs.password, timeout=240)  # fmt: skip

    assert done.returncode == 0, done.stdout + done.stderr
    card = json.loads(done.stdout)  # one object, nothing else on standard output
    assert [step["name"] for step in card["steps"]] == [name for name, _ in STEPS]
    assert all(step["ok"] and step["error"] is None for step in card["steps"]), card["steps"]
    scores = card["scores"]
    assert 0 < scores["time_to_p1_answer"] < scores["time_to_first_statement"]
    assert scores["time_to_first_statement"] < scores["time_to_live"]
    assert scores["updates_late_by"] == 0  # posted well inside the 30 min promised
    assert card["cadence"] == "1 of 1 update kept"
    assert card["report"] == str(report)

    recorded = kinds(data_dir)
    in_order = ["drill.started", "p1.pressed", "p1.answered", "statement.approved",
                "statement.posted", "broadcast.stream_started", "broadcast.slide",
                "broadcast.back_live", "audience.advice", "broadcast.stream_stopped",
                "incident.closed", "report.written", "drill.scored"]  # fmt: skip
    positions = [recorded.index(kind) for kind in in_order]
    assert positions == sorted(positions), recorded
    assert "drill.step_failed" not in recorded
    assert obs_request(obs, "GetStreamStatus")["outputActive"] is False  # ended, as asked

    desk = Desk.open(data_dir)
    try:
        assert drill_mode(desk) is False  # put back as it was
        assert desk.approval_policy().required == 1
        started = next(e for e in desk.timeline(kinds=["broadcast.stream_started"]))
        assert started.data["destination"] == rtmp_server.url
        stopped = next(e for e in desk.timeline(kinds=["broadcast.stream_stopped"]))
        assert stopped.data["live_seconds"] > 0
        written = next(e for e in desk.timeline(kinds=["report.written"]))
    finally:
        desk.close()
    text = pdf_text(report)
    assert "DRILL: unauthorised withdrawals from a cold wallet" in text
    assert "we detected unauthorised withdrawals of ETH" in " ".join(text.split())
    assert written.data["head_sha256"] in "".join(text.split())  # the head it stands on
    said = " ".join(text.split())  # its scorecard as it stood before the report, every step done
    assert "Drill · Cold-wallet breach" in said and "as it stood just before it wrote" in said
    assert said.count(" done ") >= len(STEPS) - 1 and "FAILED" not in said
    assert written.data["sha256"] == hashlib.sha256(report.read_bytes()).hexdigest()


@pytest.mark.slow
def test_a_failing_step_is_on_the_scorecard_and_the_rest_still_run(
    own_obs_studio, data_dir, x_api  # noqa: F811
):
    obs = own_obs_studio
    stream_to(obs, "rtmp://a.rtmp.youtube.com/live2")  # not a rehearsal destination
    x_api.fail_next(403, "You are not permitted to perform this action.", times=None,
                    on="POST /2/tweets")  # fmt: skip
    services = open_services(data_dir, clients=lambda _desk, _account, _sandbox: TweepyXClient(
        CREDENTIALS, base_url=x_api.url, timeout=5))  # fmt: skip
    try:
        parts = DrillParts(
            services, ANA, data_dir, Settings.load(data_dir),
            lambda: BlockingObs("127.0.0.1", obs.port, obs.password).open(),
            report_path=data_dir / "report.html",
        )  # fmt: skip
        card = DrillRun(load("exchange-outage"), parts).run()
    finally:
        services.close()

    by_name = {step.name: step for step in card.steps}
    assert len(card.steps) == len(STEPS)
    assert not by_name["post"].ok
    assert "not permitted" in by_name["post"].error
    assert [step.name for step in card.failed] == ["post"]  # everything after it still ran
    assert card.scores["time_to_first_statement"] is None
    assert card.scores["time_to_live"] is not None
    assert card.cadence == "no update posted"
    assert any("recorded instead of streaming" in note for note in card.notes)
    assert until(lambda: obs_request(obs, "GetRecordStatus")["outputActive"] is False)
    assert any(line == f"  FAILED {by_name['post'].title}: {by_name['post'].error}"
               for line in card.lines())  # fmt: skip
    recorded = kinds(data_dir)
    assert "drill.step_failed" in recorded and "broadcast.recording_started" in recorded
    assert (data_dir / "report.html").read_text().count("trading halted") >= 1


def test_a_drill_does_not_start_while_an_incident_is_open(data_dir):
    desk = Desk.open(data_dir)
    try:
        desk.start_incident(ANA, "Real incident", "P2")
    finally:
        desk.close()
    done = commsdesk("drill", "run", "--json", data_dir=data_dir, operator=ANA)
    assert done.returncode == 1
    assert "'Real incident' is open: a drill runs only when no incident is" in done.stderr
    assert done.stdout == ""
    assert "drill.started" not in kinds(data_dir)
    assert "desk.drill_mode" not in kinds(data_dir)  # nothing was changed


def test_a_scenario_that_cannot_be_read_stops_before_anything_is_done(data_dir, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[incident]\ntitle = \n", encoding="utf-8")
    done = commsdesk("drill", "run", str(broken), data_dir=data_dir, operator=ANA)
    assert done.returncode == 2
    assert "broken.toml is not valid TOML" in done.stderr
    assert "drill.started" not in kinds(data_dir)
