"""`commsdesk p1 …` as a Stream Deck or a script runs it: real processes, the real twilio SDK
over real HTTP to the Twilio stand-in; a press killed mid-chain and carried on."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from commsdesk.desk import Desk
from tests.support.cli import commsdesk, start_commsdesk
from tests.support.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn

BEN = "Ben Zhou (founder)"
PEOPLE = [("Mira Chen", "+15550100001"), ("Sam Okafor", "+15550100002"),
          ("Ada Park", "+15550100003")]  # fmt: skip


@pytest.fixture
def twilio():
    standin = TwilioStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def data_dir(isolated_dirs):
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    return isolated_dirs


def env_for(twilio: TwilioStandIn) -> dict[str, str]:
    return {"COMMSDESK_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "COMMSDESK_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "COMMSDESK_TWILIO_FROM": twilio.phone_number,
            "COMMSDESK_TWILIO_API_URL": twilio.url}  # fmt: skip


def run(data_dir, *args, env=None, **kw):
    return commsdesk(*args, data_dir=data_dir, operator=BEN, env=env, timeout=120, **kw)


def set_up_chain(data_dir, rounds=1):
    for name, phone in PEOPLE:
        run(data_dir, "p1", "chain", "add", name, phone, "--ring", "10", check=True)
    run(data_dir, "p1", "chain", "rounds", str(rounds), check=True)


def test_press_rings_in_order_until_someone_answers_and_says_so(data_dir, twilio):
    set_up_chain(data_dir)
    twilio.no_answer(PEOPLE[0][1], after=0.1)
    twilio.answer(PEOPLE[1][1], "human", after=0.1)
    done = run(data_dir, "p1", "press", "--reason", "Hot wallet drained", env=env_for(twilio))
    assert done.returncode == 0, done.stderr
    assert "Sam Okafor answered. Texted 3 of 3." in done.stdout
    assert [c.form["To"] for c in twilio.calls_placed] == [PEOPLE[0][1], PEOPLE[1][1]]
    assert twilio.calls_placed[0].form["MachineDetection"] == "Enable"
    assert "Hot wallet drained" in twilio.calls_placed[0].say
    assert len(twilio.messages_sent) == 3

    status = run(data_dir, "p1", "status", "--json", check=True)
    shown = json.loads(status.stdout)
    assert shown["state"] == "answered" and shown["answered_by"] == "Sam Okafor"
    assert [(c["name"], c["outcome"]) for c in shown["calls"]] == [
        ("Mira Chen", "no_answer"), ("Sam Okafor", "human")
    ]
    assert all(c["started_at"] and c["ended_at"] for c in shown["calls"])


def test_without_a_provider_a_real_press_cannot_run_and_a_drill_uses_the_stand_in(data_dir):
    set_up_chain(data_dir)
    done = run(data_dir, "p1", "press", "--reason", "Hot wallet drained")
    assert done.returncode == 2
    assert done.stderr.startswith("commsdesk: No phone provider is set up")
    assert json.loads(run(data_dir, "p1", "status", "--json").stdout)["state"] is None


def test_an_empty_chain_is_refused_with_exit_1(data_dir, twilio):
    done = run(data_dir, "p1", "press", "--reason", "x", env=env_for(twilio))
    assert done.returncode == 1 and "call chain is empty" in done.stderr


def test_killed_mid_chain_and_carried_on_every_person_is_called_once_a_round(data_dir, twilio):
    set_up_chain(data_dir, rounds=2)
    for _name, phone in PEOPLE:
        twilio.no_answer(phone, after=0.3)
    press = start_commsdesk("p1", "press", "--reason", "Hot wallet drained",
                            data_dir=data_dir, operator=BEN, env=env_for(twilio))  # fmt: skip
    try:
        calling = 0
        for line in press.stdout:
            calling += line.rstrip().endswith("calling…")
            if calling == 2:  # the second person's phone is ringing
                break
        os.kill(press.pid, signal.SIGKILL)
    finally:
        press.wait(timeout=30)
    assert press.returncode == -signal.SIGKILL

    carried = run(data_dir, "p1", "run", env=env_for(twilio))
    assert carried.returncode == 3, carried.stderr  # no one answered, said as such
    assert "NO ONE ANSWERED after 2 round(s)" in carried.stdout
    numbers = [phone for _name, phone in PEOPLE]
    assert [c.form["To"] for c in twilio.calls_placed] == numbers * 2
    assert len(twilio.messages_sent) == 3
    desk = Desk.open(data_dir)
    try:
        assert desk.active_incident() is not None  # kept open
        assert len(desk.timeline(kinds=["p1.call_placed"])) == 6
    finally:
        desk.close()


def test_a_headless_scheduler_carries_on_a_chain_its_desk_left_running(data_dir, twilio):
    set_up_chain(data_dir, rounds=1)
    twilio.no_answer(PEOPLE[0][1], after=0.2)
    twilio.answer(PEOPLE[1][1], "human", after=0.2)
    press = start_commsdesk("p1", "press", "--reason", "Hot wallet drained",
                            data_dir=data_dir, operator=BEN, env=env_for(twilio))  # fmt: skip
    try:
        for line in press.stdout:
            if line.rstrip().endswith("calling…"):
                break
        os.kill(press.pid, signal.SIGKILL)
    finally:
        press.wait(timeout=30)
    server = start_commsdesk("scheduler", "run", data_dir=data_dir, operator=BEN,
                             env=env_for(twilio))  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            shown = json.loads(run(data_dir, "p1", "status", "--json", check=True).stdout)
            if shown["state"] == "answered" and len(twilio.messages_sent) == 3:
                break
            time.sleep(0.5)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert shown["answered_by"] == "Sam Okafor"
    assert [c.form["To"] for c in twilio.calls_placed] == [PEOPLE[0][1], PEOPLE[1][1]]
    assert len(twilio.messages_sent) == 3
