"""The window's side of posting: where posts go, Drill mode, Post now, scheduling, the X account,
and what the publisher reports back (progress, rate-limit waits, refusals).

Every question names where the posts will go, as the publishing bridge's `destination()` says.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from commsdesk.ui.theme import MUTED


def destination_without_drill(publishing):
    """Where posts would go with Drill mode off: the bridge's own `destination()`, asked as if
    drill were off (on the UI thread, the only one that reads the flag)."""
    drill = publishing.drill
    publishing.drill = False
    try:
        return publishing.destination()
    finally:
        publishing.drill = drill


class PostingFlow(QObject):
    """Posting for one MainWindow; `publishing` is its PublishingBridge (None: the window never
    posts, and every action here does nothing)."""

    def __init__(self, window, publishing, schedule) -> None:
        super().__init__(window)
        self.window = window
        self.publishing = publishing
        self.schedule = schedule
        self._wait_until: datetime | None = None
        self._wait_timer = QTimer(self, interval=1000)
        self._wait_timer.timeout.connect(self._show_wait)
        if publishing is not None:
            publishing.publication_changed.connect(self._progress)
            publishing.finished.connect(self._published)
            publishing.refused.connect(lambda message: window._refused(message))
            publishing.verified.connect(lambda *_: self.show_destination())
            publishing.drill_changed.connect(self._drill_changed)

    def _status(self, message: str, timeout: int = 0) -> None:
        self.window.statusBar().showMessage(message, timeout)

    # --- where posts go ---------------------------------------------------------------------
    def show_destination(self) -> None:
        if self.publishing is None:
            return
        target = self.publishing.destination()
        label = self.window.status_x
        label.setText(target.short)
        label.setToolTip("Posts go to " + target.label)
        label.setStyleSheet(
            f"color: {'#6a1b9a' if target.sandbox else MUTED}; padding: 0 8px;"
            + (" font-weight: 600;" if target.sandbox else "")
        )
        self.window.header.set_destination(target.short, target.label, target.sandbox)

    def set_drill_mode(self, on: bool) -> None:
        """The header's switch: asks first, naming where posts will go, then changes Drill mode
        for every desk on this database. Until the database says so, the switch shows the mode
        as it was."""
        if self.publishing is None:
            return
        self.window.header.set_drill(self.publishing.drill)
        if on:
            question = ("Turn Drill mode on?\n\nEvery post from every desk on this database goes "
                        "to the SANDBOX feed; nothing reaches X. A post already prepared for X "
                        "is held until drill mode is off.")
        else:
            target = destination_without_drill(self.publishing)
            question = (f"Turn Drill mode off?\n\nApproved posts will go to {target.label}, "
                        "from every desk on this database.")
            if not target.sandbox:
                question += " They will be public."
        answer = QMessageBox.question(
            self.window, "Drill mode", question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.publishing.set_drill(on)

    def _drill_changed(self, on: bool) -> None:
        self.window.header.set_drill(on)
        self.show_destination()

    # --- post now ---------------------------------------------------------------------------
    def confirm_post(self, statement) -> None:
        """Post now: first whether all posting is paused (read on the database lane), then the
        dialog naming where the posts go."""
        if self.publishing is None:
            return
        from commsdesk.publishing.holds import paused

        bridge = self.window.bridge
        desk = bridge.desk
        bridge.lane.submit(
            lambda: paused(desk), on_done=lambda held: self._confirm_post(statement, held)
        )

    def _confirm_post(self, statement, held) -> None:
        from commsdesk.publishing.ui.post_dialog import PostDialog

        window = self.window
        if held is not None:
            answer = QMessageBox.warning(
                window, "All posting is paused",
                f"All posting is {held.describe()}\n\nPost “{statement.title}” anyway? The "
                "override goes on the timeline, naming this pause and its reason.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        target = self.publishing.destination()
        preview = window.statements.editor.last_preview
        parts = len(preview.thread.parts) if preview and preview.thread else 1
        slide = window.slide_on_air() if window.slide_on_air is not None else None
        dialog = PostDialog(
            statement.title, target.label, target.sandbox, parts,
            statement.approved_text or "", slide_on_air=slide, parent=window,
        )
        if dialog.exec() == PostDialog.DialogCode.Accepted:
            self._status(f"Posting “{statement.title}” to {target.label}…")
            self.publishing.post_now(
                statement.id, images=dialog.chosen(), despite_pause=held is not None
            )

    def _progress(self, publication) -> None:
        from commsdesk.publishing.publication import PublicationState

        if publication.state is PublicationState.WAITING and publication.wait_until:
            self._wait_until = publication.wait_until
            self._wait_timer.start()
            self._show_wait()
            return
        self._wait_timer.stop()
        self._status(f"Posting: {len(publication.post_ids)} of {len(publication.parts)} out…")

    def _show_wait(self) -> None:
        left = int((self._wait_until - datetime.now(UTC)).total_seconds())
        if left < 0:
            self._wait_timer.stop()
            return
        self._status(
            f"X rate limit: posting continues in {left // 60}:{left % 60:02d} "
            f"(at {self._wait_until:%H:%M:%S} UTC), in order"
        )

    def _published(self, publication) -> None:
        from commsdesk.publishing.publication import PublicationState

        self._wait_timer.stop()
        window = self.window
        if publication.state is PublicationState.REPLIES_REFUSED:
            answer = QMessageBox.question(
                window, "X refused the replies",
                f"{publication.error}\n\nPost the remaining "
                f"{counted(len(publication.parts) - len(publication.post_ids), 'part')} now as "
                "separate numbered posts?",
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.publishing.post_rest_separately(publication.id)
            return
        if publication.state is PublicationState.POSTED:
            where = "the SANDBOX" if publication.sandbox else "X"
            self._status(
                f"Posted to {where}: {counted(len(publication.parts), 'post')}: "
                + ", ".join(publication.post_ids), 15000
            )
            return
        message = publication.error or f"Posting stopped ({publication.state.value})."
        if publication.credentials_refused:
            window.status_x.setText(f"X: {publication.account} needs new credentials")
            window.status_x.setStyleSheet("color: white; background: #c62828; padding: 0 8px;")
        self._status(message, 15000)
        window.notices.notify("Posting needs attention", message)
        QMessageBox.warning(window, "Posting stopped", message)

    # --- scheduling and the account ---------------------------------------------------------
    def ask_schedule(self, statement) -> None:
        from commsdesk.scheduling.ui.schedule_dialog import ScheduleDialog

        target = self.publishing.destination()
        dialog = ScheduleDialog(
            statement.title, target.label, self.window.settings.get("team_time_zones"),
            parent=self.window,
        )

        def chosen() -> None:
            from commsdesk.scheduling.scheduler import PostScheduler

            day, clock, zone_name, fold = dialog.values()
            self.schedule.call(
                PostScheduler.schedule_local, statement.id, day, clock, zone_name,
                fold=fold if fold is not None and fold >= 0 else None,
                account=target.account, sandbox=target.sandbox, as_operator=True,
            )

        dialog.accepted.connect(chosen)
        dialog.open()

    def ask_account(self) -> None:
        if self.publishing is None:
            return
        from commsdesk.keyring_secrets import keyring_status
        from commsdesk.publishing.ui.account_dialog import AccountDialog

        window = self.window

        def show(problem: str | None) -> None:
            dialog = AccountDialog(self.publishing, problem, window)

            def chosen() -> None:
                window.bridge.lane.submit(window.settings.save, window.settings.snapshot())
                self.show_destination()

            dialog.accepted.connect(chosen)
            dialog.open()

        # Asking the keyring whether it works is I/O: on the X lane, then the dialog.
        self.publishing.lane.submit(keyring_status, on_done=show)


def counted(n: int, noun: str) -> str:
    """'1 post', '3 posts'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
