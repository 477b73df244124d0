"""In a team, one desk polls the viewer sources; every other desk shows what it reads.

The desk holding a PostgreSQL advisory lock of its own (see commsdesk.scheduling.leader) polls
and writes the samples; the others stop their pollers and, told by the change feed that samples
were written, read the new rows and show them as if they had polled them (never writing them
again). When the polling desk goes, the lock is freed and another desk takes over within a few
seconds. On SQLite, one machine's file, the desk simply polls. Mixed into AudienceBridge.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QTimer

AUDIENCE_LOCK_KEY = 0x436F6D6D7341  # "CommsA": the audience poller's advisory lock
FOLLOW_DELAY_MS = 100  # samples written together are read together
POLLING_HERE = "Viewer sources are polled by this desk; the team's other desks show its numbers."
POLLING_ELSEWHERE = "Viewer sources are polled by another desk of the team; its numbers show here."


class SharedPolling:
    polls = True  # this desk polls the sources (in a team, while it holds the lock)
    _leadership = None
    _follow_after = 0  # the newest sample id shown from another desk's polling
    _follow_timer: QTimer | None = None

    def _start_sharing(self) -> None:
        """Before the first load: in a team, poll only while holding the lock."""
        desk = self.desk_bridge.desk
        if desk.engine.dialect.name != "postgresql":
            return
        from commsdesk.scheduling.leader import Leadership

        self.polls = False
        self._follow_timer = QTimer(self, singleShot=True, interval=FOLLOW_DELAY_MS)
        self._follow_timer.timeout.connect(self._follow)
        self.polling_changed.connect(self._set_polling)
        self.desk_bridge.remote_change.connect(self._heard_change)
        self._leadership = Leadership(
            desk.engine, lambda: self.polling_changed.emit(True),
            lambda: self.polling_changed.emit(False), key=AUDIENCE_LOCK_KEY,
            role="polls the audience's viewer sources",
        )  # fmt: skip
        self._show_polling()
        self._leadership.start()

    def _stop_sharing(self) -> None:
        leadership, self._leadership = self._leadership, None
        if leadership is not None:
            self.lane.submit(leadership.stop)  # frees the lock at once for another desk

    def _set_polling(self, polls: bool) -> None:
        if self.closed or polls == self.polls:
            return
        self.polls = polls
        self._show_polling()
        if not polls:  # from now on, what another desk reads
            self._follow()
        self._sync_polling()

    def _show_polling(self) -> None:
        if self.panel is not None and self._leadership is not None:
            self.panel.set_polling_note(POLLING_HERE if self.polls else POLLING_ELSEWHERE)

    def _heard_change(self, change) -> None:
        if not self.polls and change.table in ("audience_samples", "*"):
            self._follow_timer.start()

    def _follow(self) -> None:
        """Read the samples written since the last read, and show them."""
        if self.polls or self.closed or self.store is None:
            return
        store, after, incident_id = self.store, self._follow_after, self.incident_id
        generation = self._generation

        def read():
            return store.samples_since(after, incident_id=incident_id)

        def show(found) -> None:
            readings, newest = found
            if self.closed or generation != self._generation:
                return
            self._follow_after = max(self._follow_after, newest)
            fresh = [
                r for r in readings
                if r.at > (self.buffer.latest(r.source) or (-math.inf,))[0]
            ]  # fmt: skip
            if fresh:
                self._apply(fresh, write=False)
            if newest > after and len(readings) >= 5000:
                self._follow()  # more than one read's worth

        self.desk_bridge.lane.submit(read, on_done=show, on_error=self._refuse)
