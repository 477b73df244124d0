"""A drill's steps against what happens around them: it never joins an incident or a P-1 chain
begun after it did, a step that needs a statement in review says so when drafting failed, and
its scorecard reads as one line on the timeline and is in its report. Real desk on SQLite; no
OBS (its steps fail, saying so); the phone the drills' stand-in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from commsdesk.broadcast.obs.api import ObsError
from commsdesk.drill.run import DrillParts, DrillRun
from commsdesk.drill.scenario import load
from commsdesk.drill.scorecard import seconds_text
from commsdesk.p1.fake_provider import FakeProvider
from commsdesk.p1.service import CallChain
from commsdesk.publishing.holds import drill_mode
from commsdesk.report.writing import write_report
from commsdesk.settings import Settings
from tests.report.reading import sections
from tests.support.cli import commsdesk, start_commsdesk
from tests.support.obs_studio import free_port

ANA = "Ana Ruiz (comms)"
LEE = "Lee Park (on call)"


def no_obs():
    raise ObsError("unreachable", "OBS is not running here")


def drill(services, data_dir: Path, scenario: str | Path = "cold-wallet-breach") -> DrillRun:
    parts = DrillParts(services, ANA, data_dir, Settings.load(data_dir), no_obs,
                       phone=lambda drill: FakeProvider.for_drills(answer_after=0.2),
                       report_path=data_dir / "report.html")  # fmt: skip
    return DrillRun(load(str(scenario)), parts)


@pytest.mark.parametrize("moment", ["before the check", "between the check and the press"])
def test_a_p1_pressed_after_the_drill_began_is_not_joined(
    services, isolated_dirs, monkeypatch, moment
):
    run = drill(services, isolated_dirs)
    run.begin()
    chain = CallChain(services.desk)
    real, started = chain.press(LEE, "Hot wallet draining", provider="fake", drill=False)
    assert started
    services.desk.close_incident(LEE, real.incident_id, "Handled; the chain still calls")
    if moment != "before the check":
        monkeypatch.setattr(DrillRun, "_nothing_began_since", lambda _self, _chain: None)

    result = run.run_step()

    assert not result.ok
    assert result.error == {
        "before the check": "a P-1 chain was pressed after the drill began; the drill does not "
        "join it",
        "between the check and the press": "a P-1 chain was pressed after the drill began; the "
        "drill did not join it, and it goes on",
    }[moment]
    assert run.made.incident_id is None  # the drill took nothing of theirs as its own
    latest = chain.latest()
    assert latest.id == real.id and latest.running  # theirs goes on, untouched
    assert services.desk.active_incident() is None  # the drill opened nothing for it
    assert not [e for e in services.desk.timeline(kinds=["p1.pressed"], limit=None)
                if e.actor == ANA and not e.data.get("joined")]  # fmt: skip
    run.finish()
    assert drill_mode(services.desk) is False


def test_an_incident_opened_by_a_p1_after_the_drill_began_is_not_joined(services, isolated_dirs):
    run = drill(services, isolated_dirs)
    run.begin()
    real, _started = CallChain(services.desk).press(LEE, "Hot wallet draining", provider="fake",
                                                    drill=False)  # fmt: skip

    result = run.run_step()

    assert result.error == ("'P-1: Hot wallet draining' was opened after the drill began; the "
                            "drill does not press P-1 into it")  # fmt: skip
    assert [e.actor for e in services.desk.timeline(kinds=["p1.pressed"], limit=None)] == [LEE]
    assert CallChain(services.desk).latest().id == real.id
    run.finish()


def test_an_incident_opened_after_the_drill_began_gets_no_drill_p1(services, isolated_dirs):
    run = drill(services, isolated_dirs)
    run.begin()
    real = services.desk.start_incident(LEE, "Withdrawals failing", "P2")

    result = run.run_step()

    assert not result.ok
    assert result.error == ("'Withdrawals failing' was opened after the drill began; the drill "
                            "does not press P-1 into it")  # fmt: skip
    assert CallChain(services.desk).latest() is None  # no chain pressed on the real incident
    assert run.made.incident_id is None
    incident = run.run_step()  # "Start the incident": refused, the real one is open
    assert incident.name == "incident" and not incident.ok
    assert services.desk.incident(real.id).title == "Withdrawals failing"
    run.finish()


def test_a_statement_not_in_review_is_not_approved_and_the_scorecard_is_one_line(
    services, isolated_dirs
):
    shipped = load("exchange-outage")
    scenario = isolated_dirs / "no-facts.toml"
    text = shipped.path.read_text(encoding="utf-8")
    start, end = text.index("[incident.facts]"), text.index("[p1]")
    scenario.write_text(text[:start] + text[end:], encoding="utf-8")  # the template's facts gone
    (isolated_dirs / shipped.audience_csv.name).write_bytes(shipped.audience_csv.read_bytes())
    run = drill(services, isolated_dirs, scenario)
    run.begin()
    for _ in range(3):  # press P-1, start the incident, draft the statement
        run.run_step()
    by_name = {step.name: step for step in run.results}
    assert by_name["p1"].ok and by_name["incident"].ok
    assert not by_name["statement"].ok and "facts are missing" in by_name["statement"].error

    approvals = run.run_step()

    assert approvals.name == "approvals" and not approvals.ok
    assert approvals.error == ("needs what 'Draft the first statement from its template' makes, "
                               "and that step failed")  # fmt: skip
    assert services.desk.approval_policy().required == 1  # nothing was raised for it
    run.finish()
    scored = services.desk.timeline(kinds=["drill.scored"], limit=1)[0]
    assert "  " not in scored.summary
    assert scored.summary.startswith("Drill scored: Exchange outage: Time to the P-1 answer ")
    assert "; Time to the first statement never; " in scored.summary


def test_a_p1_chain_running_says_how_to_end_it(services, isolated_dirs):
    from commsdesk.desk import DeskError

    CallChain(services.desk).press(LEE, "Hot wallet draining", provider="fake", drill=False)
    services.desk.close_incident(LEE, services.desk.active_incident().id, "handled")
    with pytest.raises(DeskError) as refused:
        drill(services, isolated_dirs).begin()
    assert "A P-1 chain is running" in str(refused.value)
    assert "commsdesk p1 cancel" in str(refused.value)
    assert "Incident → P-1 status…" in str(refused.value)


def test_the_command_line_says_drill_mode_is_on_only_once_it_is(services, isolated_dirs):
    services.desk.start_incident(LEE, "Real incident", "P2")
    done = commsdesk("drill", "run", data_dir=isolated_dirs, operator=ANA)
    assert done.returncode == 1
    assert done.stdout == ""  # no "Drill mode is on for the run" for a drill that did not begin
    assert "'Real incident' is open: a drill runs only when no incident is" in done.stderr


@pytest.mark.slow
def test_a_drill_runs_out_when_whoever_reads_its_lines_goes_away(services, isolated_dirs):
    """`commsdesk drill run | head -1`: the drill does not stop halfway on the closed pipe,
    leaving its incident open."""
    process = start_commsdesk("drill", "run", "--port", str(free_port()),
                              data_dir=isolated_dirs, operator=ANA)  # fmt: skip
    assert process.stdout.readline().startswith("Drill: Cold-wallet breach")
    process.stdout.close()  # as `head -1` does once it has its line
    process.wait(timeout=120)
    process.stderr.close()

    assert services.desk.active_incident() is None  # closed by the drill's own step
    assert [e.kind for e in services.desk.timeline(limit=3)][0] == "drill.scored"
    steps = services.desk.timeline(kinds=["drill.scored"], limit=1)[0].data
    assert {step["name"] for step in steps["failed"]} == {"go_live", "back_at", "back_live",
                                                          "end_stream"}  # no OBS here
    assert drill_mode(services.desk) is False


def test_the_drill_s_report_carries_its_scorecard_so_far_and_a_later_report_the_whole(
    services, isolated_dirs
):
    card = drill(services, isolated_dirs).run()

    recorded = [e.kind for e in reversed(services.desk.timeline(limit=None))]
    tail = [kind for kind in recorded if kind in ("drill.progress", "report.written",
                                                  "drill.scored")]  # fmt: skip
    assert tail == ["drill.progress", "report.written", "drill.scored"]
    section = sections((isolated_dirs / "report.html").read_text(encoding="utf-8"))["drill"]
    said = " ".join(section.split())
    assert said.startswith("Drill · Cold-wallet breach")
    assert "as it stood just before it wrote this report" in said
    answered = seconds_text(card.scores["time_to_p1_answer"])
    assert f"Time to the P-1 answer {answered}" in said
    assert "Time to live never" in said  # no OBS here
    rows = re.findall(r"^(\d+) (.+?) (done|FAILED: .+) (\d+\.\d) s$", section, re.MULTILINE)
    assert [title for _, title, _, _ in rows] == [step.title for step in card.steps[:-1]]
    for (_, _, result, _), step in zip(rows, card.steps, strict=False):
        assert result == ("done" if step.ok else f"FAILED: {step.error}")
    assert "FAILED: " in section and "OBS is not running here" in section

    audience = " ".join(sections((isolated_dirs / "report.html").read_text(
        encoding="utf-8"))["audience"].split())
    steady = re.search(r"The advice measures against the steady peak, ([\d,]+):", audience)
    assert steady and f"of the {steady.group(1)} peak" in audience  # the advice's own figure

    incident_id = card.incident_id
    later = write_report(services.desk, LEE, incident_id, isolated_dirs / "later.html",
                         audience=services.audience)  # fmt: skip
    whole = sections(later.path.read_text(encoding="utf-8"))["drill"]
    assert "Its scorecard, as recorded when it finished." in " ".join(whole.split())
    assert len(re.findall(r"^\d+ .+ (?:done|FAILED: .+) \d+\.\d s$", whole, re.MULTILINE)) == len(
        card.steps)  # the report step too


def test_an_empty_p1_chain_is_foreseen_before_the_first_step(isolated_dirs):
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    done = commsdesk("drill", "run", "--port", str(free_port()), data_dir=isolated_dirs,
                     operator=ANA, timeout=180)  # fmt: skip
    lines = done.stdout.splitlines()
    foreseen = ("  Foreseen: The P-1 call chain is empty, so the P-1 step will fail: add the "
                "people to call first (Desk → P-1 call chain…, or commsdesk p1 chain add).")
    assert lines[1] == foreseen, lines[:3]  # said before the first step, not found out at it
    assert lines[2].startswith("   1/12 Press P-1: FAILED: The P-1 call chain is empty")
    assert f"  Note: {foreseen.strip().removeprefix('Foreseen: ')}" in lines
