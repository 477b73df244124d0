"""Runs every viewer source on its own interval, each on its own thread, so one failing or
hanging source never delays the others; every reading goes to one callback (called on the
source's thread: a Qt bridge queues it to the UI thread).

A source is asked again `interval` seconds after the previous ask began (at once if the ask
took longer), or not before its reading's `retry_at` (rate limits, quota). A source that raises
gives a FAILED gap and is asked again; a callback that raises is logged and polling goes on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from commsdesk.audience.sources.reading import Reading, SourceState, ViewerSource, gap

log = logging.getLogger(__name__)


class _Runner:
    def __init__(self, source: ViewerSource, poller: ViewerPoller) -> None:
        self.source = source
        self.poller = poller
        self.stop = threading.Event()
        self.last: Reading | None = None
        self.thread = threading.Thread(
            target=self.run, name=f"viewers-{source.label}", daemon=True
        )

    def run(self) -> None:
        source, poller = self.source, self.poller
        while not self.stop.is_set():
            began = time.monotonic()
            try:
                reading = source.fetch()
            except Exception as exc:  # noqa: BLE001 - a broken source is a state, not a crash
                log.debug("viewer source %s failed", source.label, exc_info=True)
                reading = gap(
                    source.label, SourceState.FAILED,
                    f"{source.label} failed unexpectedly ({type(exc).__name__}: {exc})",
                )
            if self.stop.is_set():
                break
            last = self.last
            repeated = (
                last is not None and reading.at == last.at and reading.viewers == last.viewers
                and reading.state == last.state
            )
            self.last = reading
            if not repeated:
                poller._deliver(reading)
            delay = source.interval - (time.monotonic() - began)
            if reading.retry_at is not None:
                delay = max(delay, reading.retry_at - time.time())
            if delay > 0:
                self.stop.wait(delay)


class ViewerPoller:
    def __init__(self, on_reading: Callable[[Reading], None]) -> None:
        self.on_reading = on_reading
        self._runners: dict[str, _Runner] = {}
        self._lock = threading.Lock()
        self._started = False

    def add(self, source: ViewerSource) -> None:
        with self._lock:
            if source.label in self._runners:
                raise ValueError(f"a source called {source.label!r} is already polled")
            runner = _Runner(source, self)
            self._runners[source.label] = runner
            if self._started:
                runner.thread.start()

    def remove(self, label: str, timeout: float = 1.0) -> bool:
        """Stop polling one source; True when its thread ended within the timeout."""
        with self._lock:
            runner = self._runners.pop(label)
        return self._end(runner, timeout)

    def labels(self) -> list[str]:
        with self._lock:
            return list(self._runners)

    def last(self, label: str) -> Reading | None:
        with self._lock:
            runner = self._runners.get(label)
        return None if runner is None else runner.last

    def start(self) -> None:
        with self._lock:
            self._started = True
            for runner in self._runners.values():
                if not runner.thread.is_alive():
                    runner.thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop every source; True when all threads ended within `timeout` (a source stuck in a
        call longer than that is left to end on its own: its thread is a daemon)."""
        with self._lock:
            runners = list(self._runners.values())
            self._runners.clear()
            self._started = False
        for runner in runners:
            runner.stop.set()
        deadline = time.monotonic() + timeout
        ended = True
        for runner in runners:
            ended &= self._end(runner, max(deadline - time.monotonic(), 0.0))
        return ended

    @staticmethod
    def _end(runner: _Runner, timeout: float) -> bool:
        runner.stop.set()
        if runner.thread.is_alive():
            runner.thread.join(timeout)
        alive = runner.thread.is_alive()
        if not alive:
            try:
                runner.source.close()
            except Exception:  # noqa: BLE001
                log.debug("closing %s failed", runner.source.label, exc_info=True)
        return not alive

    def _deliver(self, reading: Reading) -> None:
        try:
            self.on_reading(reading)
        except Exception:  # noqa: BLE001 - the callback's trouble must not stop polling
            log.exception("the viewer reading callback failed for %s", reading.source)
