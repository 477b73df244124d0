"""In a team, one desk polls each viewer source and the others show its numbers: samples are
never doubled, and when the polling desk goes another takes over within seconds."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QSystemTrayIcon
from sqlalchemy import text

from commsdesk.app import Wiring
from commsdesk.audience.sources.replay import replay_config
from commsdesk.audience.store import AudienceStore
from commsdesk.audience.ui.shared_polling import POLLING_ELSEWHERE, POLLING_HERE
from commsdesk.incidents.incident import Severity
from commsdesk.settings import Settings
from tests.support.memory_keyring import memory_keyring  # noqa: F401
from tests.team.test_identity import MIRA, SAM, Team

TAKE_OVER = 15_000  # ms: the lock is tried every 3 s; a lone desk needs one try


class TeamAudienceDesk:
    """One person's window with the Audience panel, on the team database."""

    def __init__(self, qtbot, folder, url) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.wiring = Wiring(Settings.load(folder), database=url)
        self.bridge = self.wiring.bridge
        with qtbot.waitSignal(self.bridge.opened, timeout=20_000):
            self.bridge.open(folder)
        self.window = self.wiring.make_window()
        qtbot.addWidget(self.window)
        self.window.tray = QSystemTrayIcon(self.window)
        self.window.build_panels()
        self.audience = self.window.audience_bridge
        self.panel = self.window.audience

    def polls(self) -> bool:
        return self.audience.polls and self.audience.poller.labels() == ["Twitch"]

    def shows_numbers(self) -> bool:
        latest = self.audience.buffer.latest("Twitch") if self.audience.buffer else None
        return latest is not None and latest[1] == 700.0

    def close(self) -> None:
        self.window.stop_audience()
        deadline = time.monotonic() + 10
        while not self.wiring.idle() and time.monotonic() < deadline:
            time.sleep(0.01)
        self.wiring.stop()
        self.bridge.stop_listening()
        self.bridge.desk.close()


def test_one_desk_polls_the_other_shows_its_numbers_and_takes_over(
    qtbot, pg_url, tmp_path, memory_keyring  # noqa: F811
):
    team = Team(pg_url, tmp_path)
    mira = team.desk(MIRA)
    mira.start_incident(MIRA, "Hot wallet drained", Severity.P1)
    curve = tmp_path / "curve.csv"
    curve.write_text("".join(f"{t},700,twitch\n" for t in range(0, 3600)))
    AudienceStore(mira).add_source(
        MIRA, "replay", "Twitch", replay_config(str(curve), "twitch", speed=1,
                                                started_at=time.time()),
        interval=1.0,
    )  # fmt: skip
    desks = [TeamAudienceDesk(qtbot, tmp_path / "w1", team.url(MIRA))]
    desks.append(TeamAudienceDesk(qtbot, tmp_path / "w2", team.url(SAM)))
    try:
        qtbot.waitUntil(lambda: any(d.polls() for d in desks), timeout=TAKE_OVER)
        leader = next(d for d in desks if d.polls())
        follower = next(d for d in desks if d is not leader)
        qtbot.wait(4000)  # long enough for the other desk to have taken the lock, if it could
        assert leader.polls() and not follower.audience.polls
        assert follower.audience.poller.labels() == []
        assert leader.panel.polling_note.text() == POLLING_HERE
        assert follower.panel.polling_note.text() == POLLING_ELSEWHERE
        # The follower shows what the leader reads, from the change feed.
        qtbot.waitUntil(follower.shows_numbers, timeout=10_000)
        qtbot.waitUntil(lambda: "700 viewers" in follower.panel.chips["Twitch"].text(),
                        timeout=10_000)  # fmt: skip

        # Each moment of the curve is written once: nobody polled it twice.
        def doubled() -> int:
            with mira.engine.connect() as connection:
                return connection.execute(
                    text("SELECT count(*) - count(DISTINCT at) FROM audience_samples")
                ).scalar()

        assert doubled() == 0

        leader.close()
        desks.remove(leader)
        qtbot.waitUntil(follower.polls, timeout=TAKE_OVER)
        assert follower.panel.polling_note.text() == POLLING_HERE
        written = AudienceStore(mira).sample_count()
        qtbot.waitUntil(lambda: AudienceStore(mira).sample_count() > written + 2, timeout=10_000)
        assert doubled() == 0
    finally:
        for desk in desks:
            desk.close()
        team.close()

