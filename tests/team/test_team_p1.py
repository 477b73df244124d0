"""P-1 on a team database: anyone presses, as themselves; only an admin changes the chain; two
desks stepping the chain call each person once and text them once."""

from __future__ import annotations

import time

import pytest

from commsdesk.desk import DeskError
from commsdesk.p1.chain import RunState
from commsdesk.p1.fake_provider import FakeProvider
from commsdesk.p1.runner import ChainRunner
from commsdesk.p1.service import CallChain
from tests.team.test_identity import ADA, MIRA, SAM, Team

PEOPLE = [("Mira Chen", "+15550100001"), ("Sam Okafor", "+15550100002")]


def test_p1_on_a_team(pg_url, tmp_path):
    team = Team(pg_url, tmp_path)
    try:
        ada, mira, sam = (CallChain(team.desk(who)) for who in (ADA, MIRA, SAM))
        with pytest.raises(DeskError, match="may not change the P-1 call chain"):
            mira.add(MIRA, *PEOPLE[0])
        for name, phone in PEOPLE:
            ada.add(ADA, name, phone, 10)
        with pytest.raises(DeskError, match="Changing p1_rounds needs the admin capability"):
            mira.set_rounds(MIRA, 5)
        ada.set_rounds(ADA, 2)
        # A hand-written press claiming someone else is refused by the server.
        with pytest.raises(Exception, match="cannot act as"):
            team.sql(MIRA, "INSERT INTO p1_runs (reason, pressed_by, pressed_at, drill, "
                     "provider, rounds, chain, state) VALUES ('x', :who, now(), false, 'fake', "
                     "1, '[]', 'running')", who=SAM)  # fmt: skip

        run, started = mira.press(MIRA, "Hot wallet drained", provider="fake")
        assert started and run.pressed_by == MIRA
        fake = FakeProvider()
        for _name, phone in PEOPLE:
            fake.no_answer(phone, after=0.02)
        desks = [ChainRunner(mira, fake), ChainRunner(sam, fake)]
        desks[0].start(run)  # the pressing desk places the first call
        end = time.monotonic() + 30
        while time.monotonic() < end:
            latest = [runner.step() for runner in desks][-1]
            if latest.texted_at is not None:
                break
            time.sleep(0.01)
        assert latest.state is RunState.EXHAUSTED
        assert [c.to for c in fake.calls_placed] == [p for _n, p in PEOPLE] * 2
        assert len(fake.messages_sent) == 2
        actors = {e.actor for e in mira.desk.timeline(kinds=["p1.call_placed"])}
        assert actors <= {f"Scheduler ({MIRA})", f"Scheduler ({SAM})"}
    finally:
        team.close()
