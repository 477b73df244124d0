"""The desk's way to X: posting runs on the X lane, never on the UI thread.

Where posts go is shown from what the desk knows: Drill mode (database state, shared by every
desk on it) or no account means the SANDBOX feed; otherwise the chosen account, with its keys
from the keyring (or, for the 'env' account, from the COMMSDESK_X_* variables). The publisher
decides again when it posts, so what is shown here can never send a post where the rules forbid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from commsdesk.ui.desk_bridge import DeskBridge
from commsdesk.ui.lanes import Lane


@dataclass(frozen=True)
class Destination:
    account: str
    sandbox: bool
    label: str  # what a person reads: "the SANDBOX (drill mode)", "X as @exchange"
    short: str  # for the status bar: "X: SANDBOX (drill)", "X: @exchange"


class PublishingBridge(QObject):
    publication_changed = Signal(object)  # Publication, from any step of a run
    finished = Signal(object)  # Publication, when a run ends
    refused = Signal(str)
    verified = Signal(str, str)  # account, @handle
    verify_failed = Signal(str, str)  # account, what is wrong
    drill_changed = Signal(bool)  # drill mode as the database holds it

    _progress = Signal(object)

    def __init__(self, lane: Lane, desk_bridge: DeskBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lane = lane
        self.desk_bridge = desk_bridge
        self.settings = desk_bridge.settings
        self.drill = False  # as last read from the database
        self._progress.connect(self.publication_changed)

    # --- drill mode -------------------------------------------------------------------------
    def read_drill(self) -> None:
        """Read drill mode from the database (on the lane); drill_changed tells the result."""
        from commsdesk.publishing.holds import drill_mode

        self.desk_bridge.lane.submit(
            lambda: drill_mode(self.desk_bridge.desk), on_done=self._drill_read
        )

    def set_drill(self, on: bool) -> None:
        """Turn drill mode on or off for every desk on the database, on the record."""
        from commsdesk.publishing.holds import drill_mode, set_drill_mode

        actor = self.desk_bridge.actor
        desk = self.desk_bridge.desk

        def work() -> bool:
            set_drill_mode(desk, actor, on)
            return drill_mode(desk)

        def failed(exc: BaseException) -> None:
            self.refused.emit(str(exc) or type(exc).__name__)
            self.drill_changed.emit(self.drill)  # the switch shows the truth again

        self.desk_bridge.lane.submit(work, on_done=self._drill_read, on_error=failed)

    def _drill_read(self, on: bool) -> None:
        changed = on != self.drill
        self.drill = on
        self.drill_changed.emit(on)
        if changed:
            self.desk_bridge.timeline_changed.emit()

    # --- where posts go ---------------------------------------------------------------------
    def destination(self) -> Destination:
        account = self.settings.get("x_account")
        if self.drill:
            return Destination(
                "sandbox", True, "the SANDBOX (drill mode)", "X: SANDBOX (drill)"
            )
        if not account:
            return Destination(
                "sandbox", True, "the SANDBOX (no X account set up)", "X: SANDBOX (no account)"
            )
        handle = self.settings.get("x_handle")
        who = f"@{handle}" if handle else account
        return Destination(account, False, f"X as {who}", f"X: {who}")

    def _client_for(self, account: str, sandbox: bool):
        return self.desk_bridge.services.x_client(account, sandbox)

    def publisher(self):
        """The desk's one publisher (call it off the UI thread: it loads the counter)."""
        return self.desk_bridge.services.publisher

    # --- posting ----------------------------------------------------------------------------
    def post_now(
        self, statement_id: int, images: Sequence = (), *, despite_pause: bool = False
    ) -> None:
        """Post the approved version; `images` (path, alt, name) go with the first post, read
        here on the X lane. `despite_pause`: a person chose to override Pause all."""
        actor = self.desk_bridge.actor
        target = self.destination()
        numbering = bool(self.settings.get("thread_numbering"))

        def work():
            from commsdesk.desk import DeskError
            from commsdesk.publishing.publication import Attachment

            attachments = []
            for image in images:
                try:
                    data = image.path.read_bytes()
                except OSError as exc:
                    raise DeskError(f"Cannot read {image.name}: {exc.strerror}.") from exc
                attachments.append(Attachment(data, image.alt, 0, image.name))
            publisher = self.publisher()
            publication = publisher.prepare_statement(
                actor, statement_id, target.account, sandbox=target.sandbox, numbering=numbering,
                attachments=attachments,
            )
            self._progress.emit(publication)
            return publisher.run(
                actor, publication.id, on_progress=self._progress.emit,
                despite_pause=despite_pause,
            )

        def done(publication) -> None:
            from commsdesk.desk import Desk  # not at module level: see DeskBridge

            self.finished.emit(publication)
            self.desk_bridge.query(
                Desk.statement, statement_id, on_done=self.desk_bridge.statement_changed.emit
            )
            self.desk_bridge.timeline_changed.emit()

        def failed(exc: BaseException) -> None:
            self.refused.emit(str(exc) or type(exc).__name__)
            self.desk_bridge.timeline_changed.emit()

        self.lane.submit(work, on_done=done, on_error=failed)

    def post_rest_separately(self, publication_id: int) -> None:
        """After X refused replies, a person chose to post the rest as separate posts."""
        actor = self.desk_bridge.actor

        def work():
            return self.publisher().post_rest_separately(actor, publication_id)

        def done(publication) -> None:
            self.finished.emit(publication)
            if publication.statement_id is not None:
                from commsdesk.desk import Desk

                self.desk_bridge.query(
                    Desk.statement, publication.statement_id,
                    on_done=self.desk_bridge.statement_changed.emit,
                )
            self.desk_bridge.timeline_changed.emit()

        self.lane.submit(work, on_done=done, on_error=lambda e: self.refused.emit(str(e)))

    def verify(self, account: str) -> None:
        """GET /2/users/me with the account's keys; answers through verified / verify_failed."""

        def work():
            from commsdesk.publishing.x.api import XError

            client = self._client_for(account, False)
            try:
                return client.me()
            except XError as exc:
                explain = getattr(client, "explain_refusal", None)
                if exc.kind == "auth" and explain is not None:
                    raise XError("auth", f"{exc}. {explain()}", status=exc.status) from exc
                raise

        def done(user) -> None:
            self.verified.emit(account, user.username)

        def failed(exc: BaseException) -> None:
            kind = getattr(exc, "kind", "")
            advice = {
                "network": "X could not be reached: check the network.",
                "rate_limited": "X says too many requests: try again in a few minutes.",
            }.get(kind, "")
            self.verify_failed.emit(account, " ".join(filter(None, [str(exc), advice])))

        self.lane.submit(work, on_done=done, on_error=failed)
