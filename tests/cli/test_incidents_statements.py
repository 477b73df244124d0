"""`commsdesk incident ...` and `commsdesk statement ...` as scripts run them: the desk's own
rules, each change on the timeline under who acts (--as, else COMMSDESK_OPERATOR)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from commsdesk.desk import Desk
from tests.cli.conditions import cli
from tests.support.desks import ANA, SAM


@pytest.fixture
def desk_dir(tmp_path) -> Path:
    return tmp_path / "desk"


def run(desk_dir: Path, command: str, *, who: str | None = None, **kwargs):
    """`commsdesk --data-dir DESK [--as WHO] COMMAND` (COMMAND split as a shell would)."""
    acting = ["--as", who] if who else []
    return cli("--data-dir", str(desk_dir), *acting, *shlex.split(command), **kwargs)


def ok(done) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def events(desk_dir: Path) -> list:
    desk = Desk.open(desk_dir)
    try:
        return list(reversed(desk.timeline(limit=None)))
    finally:
        desk.close()


def test_an_incident_from_start_to_close(desk_dir):
    started = run(
        desk_dir,
        "incident start --title 'Hot wallet drained' --severity P2 --summary 'ETH hot wallet' "
        "--fact asset=ETH --fact 'amount=4,000 ETH' --json",
        who=ANA,
    )
    assert json.loads(ok(started)) == {"id": 1}
    update = "incident update 1 --severity P1 --fact amount= --fact 'back_at=18:30 UTC'"
    ok(run(desk_dir, update, who=SAM))
    [incident] = json.loads(ok(run(desk_dir, "incident list --json")))
    assert incident["severity"] == "P1" and incident["summary"] == "ETH hot wallet"
    assert incident["facts"] == {"asset": "ETH", "back_at": "18:30 UTC"}
    assert incident["created_by"] == ANA and incident["closed_at"] is None

    refused = run(desk_dir, "incident update 1 --fact 'Bad Name=x'", who=SAM)
    assert refused.returncode == 1 and "Fact name 'Bad Name'" in refused.stderr
    ok(run(desk_dir, "incident close 1 --note 'funds recovered'", who=SAM))
    assert "closed" in ok(run(desk_dir, "incident list"))
    kinds = [(e.kind, e.actor) for e in events(desk_dir)]
    assert kinds == [("incident.started", ANA), ("incident.edited", SAM), ("incident.closed", SAM)]
    assert "fact amount removed" in events(desk_dir)[1].summary


def test_who_acts_is_as_else_the_environment(desk_dir):
    as_sam = {"COMMSDESK_OPERATOR": SAM}
    assert ok(run(desk_dir, "incident start --title Outage", env=as_sam)) == "1\n"
    blank = run(desk_dir, "incident close 1", who=" ")
    assert blank.returncode == 2 and "--as: give a name" in blank.stderr
    ok(run(desk_dir, "incident close 1", who=ANA, env=as_sam))
    assert [e.actor for e in events(desk_dir)] == [SAM, ANA]


def test_a_statement_from_draft_to_approved_with_the_desk_rules(desk_dir, tmp_path):
    ok(run(desk_dir, "incident start --title Breach --fact asset=ETH", who=ANA))
    draft = tmp_path / "holding.txt"
    draft.write_text("We are investigating the {{ incident.asset }} wallet.\n", encoding="utf-8")
    created = run(desk_dir, f"statement new --title Holding {draft} --json", who=ANA)
    assert json.loads(ok(created)) == {"id": 1}

    ok(run(desk_dir, "statement submit 1", who=ANA))
    own = run(desk_dir, "statement approve 1", who=ANA)
    assert own.returncode == 1
    assert own.stderr == (
        "commsdesk: You wrote v1; approval must come from someone else (1 required); the "
        "approver signs in as themselves under Desk → Who is at the desk… (or `--as` on the "
        "command line).\n"
    )
    retyped = run(desk_dir, "statement approve 1", who="ana  RUIZ (Comms)")  # still Ana
    assert retyped.returncode == 1 and "must come from someone else" in retyped.stderr
    approved = ok(run(desk_dir, "statement approve 1", who=SAM))
    assert approved == "#1 Approved, v1 (approved by Sam Okafor (legal))  Holding\n"
    shown = json.loads(ok(run(desk_dir, "statement show 1 --json")))
    assert shown["state"] == "approved" and shown["version"] == 1
    assert shown["approvals"] == [SAM] and shown["version_author"] == ANA
    assert shown["approved_text"] == "We are investigating the ETH wallet."
    text = ok(run(desk_dir, "statement show 1"))
    assert "Approved by: Sam Okafor (legal)" in text
    assert text.endswith(
        "--- approved text, as it will be posted ---\nWe are investigating the ETH wallet.\n"
    )

    # Editing an approved statement is a new version, back to draft: approval was for v1.
    frozen = b"We have frozen the {{ incident.asset }} wallet.\n"
    assert ok(run(desk_dir, "statement edit 1 -", who=SAM, stdin=frozen)) == "#1 v2 saved; draft\n"
    shown = json.loads(ok(run(desk_dir, "statement show 1 --json")))
    assert (shown["state"], shown["version"], shown["approvals"]) == ("draft", 2, [])
    assert shown["approved_text"] is None

    ok(run(desk_dir, "statement withdraw 1 --reason superseded", who=ANA))
    [listed] = json.loads(ok(run(desk_dir, "statement list --json")))
    assert (listed["id"], listed["state"], listed["title"]) == (1, "withdrawn", "Holding")
    assert [e.kind for e in events(desk_dir) if e.statement_id == 1] == [
        "statement.created",
        "statement.version_saved",
        "statement.submitted",
        "statement.approved",
        "statement.approval_voided",
        "statement.version_started",
        "statement.version_saved",
        "statement.withdrawn",
    ]


def test_statements_need_an_incident_and_placeholders_that_render(desk_dir):
    orphan = run(desk_dir, "statement new --title Early -", stdin=b"Hello.\n")
    assert orphan.returncode == 1 and "No incident is active" in orphan.stderr
    ok(run(desk_dir, "incident start --title Breach", who=ANA))
    typo = b"Back at {{ incident.back_at }}.\n"
    ok(run(desk_dir, "statement new --title Typo -", stdin=typo, who=ANA))
    refused = run(desk_dir, "statement submit 1", who=ANA)
    assert refused.returncode == 1 and "back_at" in refused.stderr
    missing = run(desk_dir, "statement show 9")
    assert missing.returncode == 1 and missing.stderr == "commsdesk: There is no statement #9.\n"
