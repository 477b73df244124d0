"""Scenario files: the shipped ones load, and a scenario with a mistake is refused before the
drill starts, naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from commsdesk.drill.scenario import ScenarioProblem, find, load, shipped
from commsdesk.incidents.incident import Severity

GOOD = """
name = "Test breach"
[incident]
title = "DRILL: test"
severity = "p2"
cadence_minutes = 15
[incident.facts]
asset = "ETH"
[p1]
reason = "Drill: test"
[statement]
template = "first_acknowledgement"
title = "First word"
author = "Mira Chen"
approvers = ["Sam Okafor", "Lee Park"]
[broadcast]
back_at = "+10m"
[audience]
curve = "curve.csv"
"""


def write(folder: Path, text: str, name: str = "test.toml") -> Path:
    (folder / "curve.csv").write_text("time,viewers,platform\n0,100,youtube\n")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_two_shipped_scenarios_load_by_name():
    names = {path.stem for path in shipped()}
    assert {"cold-wallet-breach", "exchange-outage"} <= names
    breach, outage = load("cold-wallet-breach"), load("exchange-outage")
    assert breach.severity is Severity.P1 and breach.template == "first_acknowledgement"
    assert outage.severity is Severity.P2 and outage.template == "live_now"
    for scenario in (breach, outage):
        assert scenario.audience_csv.is_file()
        assert len(set(scenario.approvers) | {scenario.author}) == 3


def test_a_written_scenario_is_read_with_its_defaults(tmp_path):
    scenario = load(str(write(tmp_path, GOOD)))
    assert scenario.name == "Test breach"
    assert scenario.severity is Severity.P2
    assert scenario.cadence_minutes == 15
    assert scenario.approvers == ("Sam Okafor", "Lee Park")
    assert scenario.p1_wait_seconds == 120
    assert scenario.advice_share == pytest.approx(0.10)
    assert scenario.audience_csv == tmp_path / "curve.csv"


@pytest.mark.parametrize(("change", "said"), [
    (lambda t: t.replace('template = "first_acknowledgement"', 'template = "first_ack"'),
     "template 'first_ack' is not one of the starting templates"),
    (lambda t: t.replace('["Sam Okafor", "Lee Park"]', '["Sam Okafor"]'),
     "approvers must name two people"),
    (lambda t: t.replace('["Sam Okafor", "Lee Park"]', '["Mira Chen", "Lee Park"]'),
     "three different people"),
    (lambda t: t.replace('severity = "p2"', 'severity = "P9"'), "severity is one of P1"),
    (lambda t: t.replace("cadence_minutes = 15", "cadence_minutes = 5000"),
     "cadence_minutes must be a number from 0 to 1440"),
    (lambda t: t.replace('curve = "curve.csv"', 'curve = "other.csv"'),
     "curve other.csv is not beside the scenario"),
    (lambda t: t.replace("[p1]\nreason = \"Drill: test\"\n", ""), "the [p1] section is missing"),
    (lambda t: t.replace('title = "DRILL: test"', "title = ["), "is not valid TOML"),
    (lambda t: t.replace('back_at = "+10m"', 'back_at = "half past six"'),
     "[broadcast] back_at: 'half past six' is not a time"),
    (lambda t: t.replace("[incident.facts]", "[incident.fact]"),
     "[incident] has no key 'fact'"),
    (lambda t: t.replace('reason = "Drill: test"', 'reason = "Drill: test"\nwait_second = 10'),
     "[p1] has no key 'wait_second'"),
    (lambda t: t.replace("[audience]", "[audiance]"), "the top level has no key 'audiance'"),
    (lambda t: t.replace('asset = "ETH"', 'Asset = "ETH"'),
     "[incident.facts] Fact name 'Asset' must start with a lower-case letter"),
])  # fmt: skip
def test_a_mistake_is_refused_naming_the_file_and_the_key(tmp_path, change, said):
    path = write(tmp_path, change(GOOD))
    with pytest.raises(ScenarioProblem) as refused:
        load(str(path))
    assert said in str(refused.value)
    assert "test.toml" in str(refused.value)


def test_an_unknown_name_lists_the_shipped_scenarios(tmp_path):
    with pytest.raises(ScenarioProblem) as refused:
        find("no-such-drill")
    assert "cold-wallet-breach" in str(refused.value)
    with pytest.raises(ScenarioProblem, match="No scenario file"):
        find(str(tmp_path / "missing.toml"))
