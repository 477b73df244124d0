"""Serial background lanes: the one way the desk runs work off the Qt UI thread.

Each outside system (the database, text analysis, later X and OBS) gets its own lane: one worker
thread that runs submitted calls in order, so requests to one system keep their order and a slow
system never holds up another. Results and errors come back on the UI thread through a queued
signal, to the callbacks given at submit time.
"""

from __future__ import annotations

import logging
import queue
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


@dataclass
class _Job:
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    key: str | None = None
    cancelled: bool = field(default=False)
    result: Any = None
    error: BaseException | None = None


_STOP = object()


class Lane(QObject):
    """One worker thread; `submit` never blocks the caller."""

    # Emitted on the UI thread for an error that had no on_error callback: (lane name, message).
    failed = Signal(str, str)
    # Emitted on the UI thread when the number of queued-or-running jobs changes.
    busy_changed = Signal(int)

    _finished = Signal(object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._queue: queue.Queue = queue.Queue()
        self._pending_by_key: dict[str, _Job] = {}
        self._lock = threading.Lock()
        self._outstanding = 0
        self._finished.connect(self._deliver)
        self._thread = threading.Thread(target=self._run, name=f"lane-{name}", daemon=True)
        self._thread.start()

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        key: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue `fn(*args, **kwargs)`. With `key`, a queued job of the same key not yet started
        is dropped in favour of this one (latest wins: previews, searches)."""
        job = _Job(fn, args, kwargs, on_done, on_error, key)
        with self._lock:
            if key is not None:
                stale = self._pending_by_key.get(key)
                if stale is not None:
                    stale.cancelled = True
                    self._outstanding -= 1
                self._pending_by_key[key] = job
            self._outstanding += 1
            outstanding = self._outstanding
        self._queue.put(job)
        self.busy_changed.emit(outstanding)

    @property
    def outstanding(self) -> int:
        with self._lock:
            return self._outstanding

    def stop(self, timeout: float = 5.0) -> bool:
        """Finish what is queued, then end the worker. True when it ended within the timeout."""
        self._queue.put(_STOP)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is _STOP:
                return
            with self._lock:
                if job.cancelled:
                    continue
                if job.key is not None and self._pending_by_key.get(job.key) is job:
                    del self._pending_by_key[job.key]
            try:
                job.result = job.fn(*job.args, **job.kwargs)
            except BaseException as exc:  # noqa: BLE001 - every failure goes back to the UI
                job.error = exc
                log.debug("lane %s: %s", self.name, "".join(traceback.format_exception(exc)))
            self._finished.emit(job)

    @Slot(object)
    def _deliver(self, job: _Job) -> None:
        with self._lock:
            self._outstanding -= 1
            outstanding = self._outstanding
        self.busy_changed.emit(outstanding)
        if job.error is None:
            if _still_there(job.on_done):
                job.on_done(job.result)
        elif job.on_error is not None:
            if _still_there(job.on_error):
                job.on_error(job.error)
        else:
            log.warning("lane %s: %s: %s", self.name, type(job.error).__name__, job.error)
            self.failed.emit(self.name, str(job.error) or type(job.error).__name__)


def _still_there(callback: Callable | None) -> bool:
    """False for nothing, or for a callback of a widget Qt has deleted meanwhile (a panel closed
    while its answer was on the way): that answer has no one to go to. Looks at a method's
    object, a partial's, and the Qt objects a lambda closes over."""
    if callback is None:
        return False
    return all(shiboken6.isValid(owner) for owner in _qt_owners(callback))


def _qt_owners(callback: Callable) -> list[QObject]:
    func = getattr(callback, "func", callback)  # functools.partial
    found = [getattr(func, "__self__", None)]
    found += [cell.cell_contents for cell in getattr(func, "__closure__", None) or ()
              if _filled(cell)]  # fmt: skip
    return [owner for owner in found if isinstance(owner, QObject)]


def _filled(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True
