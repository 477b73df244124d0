"""The panels' way to the post scheduler: it lives and is called on the database lane; what it
reports from its own threads comes back as queued signals.

Whatever changes the schedule (this window, the scheduler's own threads) also reads the
statements list again: a statement's row says what its scheduled post is doing.

Panels pass the method itself, `schedule.call(PostScheduler.pause, reason, as_operator=True)`,
imported inside the calling method for the reason given in `commsdesk.ui.desk_bridge`: the
scheduler module imports SQLAlchemy and APScheduler, which must not load on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from commsdesk.publishing.ui.bridge import PublishingBridge
from commsdesk.ui.desk_bridge import DeskBridge
from commsdesk.ui.lanes import Lane


class ScheduleBridge(QObject):
    ready = Signal()
    changed = Signal()  # anything scheduled changed: read upcoming() and paused() again
    missed = Signal(object)  # ScheduledPost: a person must review it
    refused = Signal(str)

    def __init__(
        self, desk_bridge: DeskBridge, publishing: PublishingBridge, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.desk_bridge = desk_bridge
        self.publishing = publishing
        self.lane: Lane = desk_bridge.lane
        self.scheduler = None
        self.changed.connect(self._statements_changed)  # on the UI thread, like every slot here

    def start(self) -> None:
        """Build and start the scheduler once the desk is open (off the UI thread)."""

        def build():
            scheduler = self.desk_bridge.services.scheduler(
                executor=lambda work: self.publishing.lane.submit(work, on_done=self._posted),
                numbering=lambda: bool(self.publishing.settings.get("thread_numbering")),
            )
            scheduler.on_change = self.changed.emit
            scheduler.on_missed = self.missed.emit
            scheduler.start()
            return scheduler

        def done(scheduler) -> None:
            self.scheduler = scheduler
            self.ready.emit()

        self.lane.submit(build, on_done=done, on_error=self._refuse)

    def stop(self) -> None:
        if self.scheduler is not None:
            self.lane.submit(self.scheduler.shutdown)

    def _statements_changed(self) -> None:
        self.desk_bridge.statements_changed.emit()

    def _posted(self, _result) -> None:
        self.changed.emit()
        self.desk_bridge.timeline_changed.emit()

    def call(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        as_operator: bool = False,
        key: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Run `fn(scheduler, *args, **kwargs)`, such as `PostScheduler.upcoming`, on the lane;
        `as_operator` passes the operator first, `fn(scheduler, actor, *args, **kwargs)`. With
        `key`, a call of that key still queued is dropped for this one (reads only)."""
        actor = self.desk_bridge.actor

        def work():
            if self.scheduler is None:
                from commsdesk.desk import DeskError

                raise DeskError("The scheduler is still starting; try again in a moment.")
            call_args = (actor, *args) if as_operator else args
            return fn(self.scheduler, *call_args, **kwargs)

        def done(result) -> None:
            if as_operator:
                self.changed.emit()
                self.desk_bridge.timeline_changed.emit()
            if on_done is not None and _receiver_alive(on_done):
                on_done(result)

        def failed(exc: BaseException) -> None:
            if on_error is None:
                self._refuse(exc)
            elif _receiver_alive(on_error):
                on_error(exc)

        self.lane.submit(work, on_done=done, on_error=failed, key=key)

    def _refuse(self, exc: BaseException) -> None:
        self.refused.emit(str(exc) or type(exc).__name__)


def _receiver_alive(callback: Callable) -> bool:
    """False for a method of a widget Qt has deleted meanwhile (the window closed while the
    answer was on its way): that answer has no one to go to."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)
