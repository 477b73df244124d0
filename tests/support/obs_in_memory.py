"""BlockingObs's own calls answered by the in-memory OBS: the drill and the command line's OBS
actions without a running OBS."""

from __future__ import annotations

from commsdesk.broadcast.obs.blocking import BlockingObs
from commsdesk.broadcast.obs.fake import FakeObs


class InMemoryObs(BlockingObs):
    def __init__(self, fake: FakeObs) -> None:
        self.timeout = 5.0
        self.connection = fake
        self.status = fake.status

    def open(self) -> InMemoryObs:
        self.connection.start()
        self.status = self.connection.status
        return self
