"""An incident two hours long on a real SQLite desk, seeded through the desk's own use cases on a
clock the test moves: the P-1 button pressed and answered, a promised update cadence, three
statements (English, Japanese, Arabic) drafted, approved by another person and posted to the
SANDBOX through the real publisher, the stream started and stopped, slides and back-to-live,
a failed push, audience samples from two platforms and the advice to end the stream.

Minute by minute (T+ from the incident's start):

    0   incident started          1  P-1 pressed        2  P-1 answered by Mira Chen
    3   updates promised every 30 min
    10  "Holding statement" posted   (due 33: kept, 23 min to spare)
    12  stream started            15  slide Back at …    25  back to live (Camera)
    50  "Update for Japan" posted    (due 40: late by 10 min; 2 versions)
    65  slide Standby             70  slide push failed  72  back to live (Camera)
    75  "Update for the Gulf" posted (due 80: kept)
    100 advice to end the stream  110 stream stopped
    120 incident closed           (next update was due at 105: late by 15 min)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commsdesk.app import Services
from commsdesk.audience.advisor import Advice, AdviceKind
from commsdesk.audience.series import Sample
from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.p1.provider import CallOutcome, CallStatus
from commsdesk.p1.service import CallChain
from commsdesk.timeline.chain import EventKind
from tests.support.desks import ANA, SAM

BEN = "Ben Zhou (founder)"
LEE = "Lee Park (producer)"
MIRA = "Mira Chen"
TITLE = "Cold wallet drained"
ENGLISH = "We are investigating unusual withdrawals from one cold wallet. Client funds are safe."
JAPANESE = "お客様の資産は安全です。出金は日本時間の午前三時に再開します。"
ARABIC = "أموال المستخدمين آمنة. ستستأنف عمليات السحب قريبا."
PEAK = 41_800


class Clock:
    """The desk's clock, moved by the test: minutes after the incident's start."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, minutes: float) -> datetime:
        self.now = self.start + timedelta(minutes=minutes)
        return self.now


@dataclass
class Seeded:
    data: Path
    desk: Desk
    services: Services
    clock: Clock
    incident_id: int
    statements: dict[str, int]

    def t(self, minutes: float) -> datetime:
        return self.clock.start + timedelta(minutes=minutes)


def post(services: Services, clock: Clock, minute: float, title: str, *bodies: str) -> int:
    """A statement by Ana (one version per body), approved by Sam, posted to the SANDBOX at
    `minute`; its id."""
    desk = services.desk
    incident = desk.active_incident()
    clock.at(minute - 4)
    statement = desk.create_statement(ANA, incident.id, title, bodies[0])
    desk.save_version(ANA, statement.id, bodies[0])
    for body in bodies[1:]:
        clock.at(minute - 3)
        desk.autosave(SAM, statement.id, body)  # a second person's edit: a new version
        desk.save_version(SAM, statement.id, body)
    clock.at(minute - 2)
    desk.submit(ANA, statement.id)
    clock.at(minute - 1)
    approver = SAM if len(bodies) == 1 else BEN  # never the author of the approved version
    desk.approve(approver, statement.id)
    clock.at(minute)
    publisher = services.publisher
    publication = publisher.prepare_statement(ANA, statement.id, "sandbox", sandbox=True)
    publisher.run(ANA, publication.id)
    return statement.id


def seed(data: Path, *, close: bool = True) -> Seeded:
    start = (datetime.now(UTC) - timedelta(hours=3)).replace(second=0, microsecond=0)
    clock = Clock(start)
    desk = Desk.open(data, clock=clock)
    services = Services(desk)
    clock.at(-10)
    chain = CallChain(desk)
    chain.add(BEN, MIRA, "+15550100001", 10)
    clock.at(0)
    incident = desk.start_incident(MIRA, TITLE, Severity.P1, "Withdrawals paused.",
                                   {"asset": "ETH"})  # fmt: skip
    clock.at(1)
    run, _ = chain.press(BEN, "Cold wallet drained", provider="fake", drill=False)
    clock.at(2)
    call = run.calls[0]
    chain.call_placed(call.id, "CA-1", "fake")
    chain.call_ended(call.id, CallStatus("CA-1", CallOutcome.HUMAN))
    clock.at(3)
    desk.set_update_cadence(MIRA, incident.id, 30)

    statements = {"holding": post(services, clock, 10, "Holding statement", ENGLISH)}
    clock.at(12)
    desk.record_stream_state(LEE, True, where="YouTube")
    clock.at(15)
    desk.record(LEE, EventKind.BROADCAST_SLIDE, "Slide on air: Back at 18:30 UTC (from Camera)",
                data={"kind": "back_at", "file": "back_at.png", "return_scene": "Camera"})
    clock.at(25)
    desk.record(LEE, EventKind.BROADCAST_LIVE, "Back to live: Camera", data={"scene": "Camera"})
    statements["japan"] = post(services, clock, 50, "Update for Japan", "出金は停止中です。",
                               JAPANESE)  # fmt: skip
    clock.at(65)
    desk.record(LEE, EventKind.BROADCAST_SLIDE, "Slide on air: Standby: Investigation update",
                data={"kind": "standby", "file": "standby.png", "return_scene": "Camera"})
    clock.at(70)
    desk.record(LEE, EventKind.BROADCAST_FAILED, "Slide push failed: Statement: funds: timeout")
    clock.at(72)
    desk.record(LEE, EventKind.BROADCAST_LIVE, "Back to live: Camera", data={"scene": "Camera"})
    statements["gulf"] = post(services, clock, 75, "Update for the Gulf", ARABIC)

    _audience(services, clock, incident.id)
    clock.at(110)
    desk.record_stream_ended(LEE, 98 * 60)
    if close:
        clock.at(120)
        desk.close_incident(MIRA, incident.id, "Funds secured")
    clock.at(121)
    return Seeded(data, desk, services, clock, incident.id, statements)


def _audience(services: Services, clock: Clock, incident_id: int) -> None:
    store = services.audience
    store.add_source(LEE, "manual", "YouTube", {"platform": "YouTube"})
    store.add_source(LEE, "manual", "Kick", {"platform": "Kick"})
    samples = []
    for step in range(12 * 2, 110 * 2):  # every 30 s from T+12 to T+110
        minute = step / 2
        at = clock.start.timestamp() + minute * 60
        rise = min(1.0, (minute - 12) / 18)  # up to the peak at T+30, then down
        fall = max(0.08, 1 - max(0.0, minute - 30) / 70)
        youtube = round(30_000 * rise * fall)
        kick = round(11_800 * rise * fall)
        samples += [Sample(at, "YouTube", youtube), Sample(at, "Kick", kick)]
    store.append_samples(samples, incident_id=incident_id)
    clock.at(100)
    at = clock.start.timestamp() + 100 * 60
    advice = Advice(at, AdviceKind.SUGGEST_END,
                    "The audience has stayed below 10% of its peak for 10 minutes: consider "
                    "ending the stream.", 3_300, PEAK, clock.start.timestamp() + 30 * 60)
    store.record_advice("CommsDesk advisor", advice, incident_id=incident_id)


@pytest.fixture
def seeded(isolated_dirs):
    seeded = seed(isolated_dirs)
    yield seeded
    seeded.desk.close()
