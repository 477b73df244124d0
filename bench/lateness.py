"""Scheduled-post lateness: how long after its due time a scheduled post reaches X.

The desk schedules approved statements through PostScheduler (jobs in its SQLite database,
posting through the outbox to the SANDBOX); the client notes the instant create_post is called.
The baseline is a bare APScheduler BackgroundScheduler (UTC, memory job store, default executor)
whose jobs only note the instant they run. Both get the same schedule shape, in the same run:
POSTS due times SPACING apart, the first LEAD after scheduling starts. Lateness is the noted
instant minus the due time; p99 is interpolated over the POSTS samples.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.publishing.publisher import Publisher
from commsdesk.publishing.x.api import XPost, XUser
from commsdesk.publishing.x.sandbox_client import SandboxXClient
from commsdesk.scheduling.scheduler import PostScheduler

POSTS = int(os.environ.get("BENCH_SCHEDULED_POSTS", "50"))
SPACING = 0.3  # seconds between due times
LEAD = 4.0  # seconds from the start of scheduling to the first due time
MIN_MARGIN = 1.0  # the first due time must be at least this far after the last scheduling
TIMEOUT = 15.0  # seconds allowed after the last due time before giving up


class RecordingClient:
    """The SANDBOX client, noting when each post is asked for (epoch seconds, by text)."""

    def __init__(
        self, inner: SandboxXClient, calls: dict[str, float], done: threading.Event
    ) -> None:
        self.inner = inner
        self.calls = calls
        self.done = done

    def me(self) -> XUser:
        return self.inner.me()

    def create_post(
        self, text: str, *, reply_to: str | None = None, media_ids: Sequence[str] = ()
    ) -> XPost:
        self.calls.setdefault(text, time.time())
        if len(self.calls) >= POSTS:
            self.done.set()
        return self.inner.create_post(text, reply_to=reply_to, media_ids=media_ids)

    def delete_post(self, post_id: str) -> None:
        self.inner.delete_post(post_id)

    def recent_posts(self, user_id: str, *, max_results: int = 100) -> list[XPost]:
        return self.inner.recent_posts(user_id, max_results=max_results)

    def upload_image(self, data: bytes, mime_type: str, alt_text: str | None = None) -> str:
        return self.inner.upload_image(data, mime_type, alt_text)


def due_times(start: float) -> list[float]:
    """Epoch seconds: the first LEAD after `start`, then every SPACING."""
    return [start + LEAD + n * SPACING for n in range(POSTS)]


def as_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def check_margin(first_due: float, scheduled: float, side: str) -> None:
    margin = first_due - scheduled
    if margin < MIN_MARGIN:
        raise RuntimeError(
            f"{side}: scheduling ended {margin:.2f} s before the first due time "
            f"(needs {MIN_MARGIN:.1f} s); raise LEAD"
        )


def desk_lateness() -> list[float]:
    """Seconds late of each scheduled post through the desk."""
    calls: dict[str, float] = {}
    done = threading.Event()
    with tempfile.TemporaryDirectory(prefix="commsdesk-bench-") as tmp:
        desk = Desk.open(Path(tmp))
        incident = desk.start_incident("Bench", "Hot wallet drained", Severity.P1)
        texts = []
        for n in range(POSTS):
            text = f"Update {n:02d}: withdrawals stay open; the next update follows shortly."
            statement = desk.create_statement("Bench", incident.id, f"Update {n:02d}", text)
            desk.submit("Bench", statement.id)
            desk.approve("Reviewer", statement.id)
            texts.append((statement.id, desk.statement(statement.id).approved_text))
        publisher = Publisher(
            desk,
            lambda account, _sandbox: RecordingClient(SandboxXClient(desk, account), calls, done),
        )
        scheduler = PostScheduler(desk, publisher, executor=None)
        scheduler.start()
        try:
            dues = due_times(time.time())
            for (statement_id, _), due in zip(texts, dues, strict=True):
                scheduler.schedule(
                    "Bench", statement_id, as_datetime(due), "UTC", account="sandbox", sandbox=True
                )
            check_margin(dues[0], time.time(), "desk")
            if not done.wait(dues[-1] - time.time() + TIMEOUT):
                raise RuntimeError(
                    f"desk: only {len(calls)} of {POSTS} scheduled posts were sent within "
                    f"{TIMEOUT:.0f} s of the last due time"
                )
        finally:
            scheduler.shutdown()
            desk.close()
    due_by_text = {text: due for (_, text), due in zip(texts, dues, strict=True)}
    unknown = set(calls) - set(due_by_text)
    if unknown:
        raise RuntimeError(f"desk: posted texts that were not scheduled: {sorted(unknown)}")
    return [calls[text] - due for text, due in due_by_text.items()]


def baseline_lateness() -> list[float]:
    """Seconds late of each job of a bare APScheduler BackgroundScheduler."""
    calls: dict[int, float] = {}
    done = threading.Event()

    def job(n: int) -> None:
        calls[n] = time.time()
        if len(calls) >= POSTS:
            done.set()

    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.start()
    try:
        dues = due_times(time.time())
        for n, due in enumerate(dues):
            scheduler.add_job(job, trigger="date", run_date=as_datetime(due), args=[n])
        check_margin(dues[0], time.time(), "baseline")
        if not done.wait(dues[-1] - time.time() + TIMEOUT):
            raise RuntimeError(f"baseline: only {len(calls)} of {POSTS} jobs ran")
    finally:
        scheduler.shutdown()
    return [calls[n] - due for n, due in enumerate(dues)]


def summary(lateness: list[float]) -> tuple[float, float, float]:
    """p50, p99 and max, in milliseconds."""
    ms = [seconds * 1000 for seconds in lateness]
    p99 = statistics.quantiles(ms, n=100, method="inclusive")[98]
    return statistics.median(ms), p99, max(ms)


def main() -> None:
    desk_p50, desk_p99, desk_max = summary(desk_lateness())
    base_p50, base_p99, base_max = summary(baseline_lateness())
    print(
        f"scheduled-post lateness over {POSTS} posts {SPACING * 1000:.0f} ms apart: "
        f"desk p50 {desk_p50:.1f} ms, p99 {desk_p99:.1f} ms, max {desk_max:.1f} ms; "
        f"bare APScheduler p50 {base_p50:.1f} ms, p99 {base_p99:.1f} ms, max {base_max:.1f} ms"
    )
    print(
        f"scheduled-post lateness p99: desk {desk_p99:.1f} ms, baseline {base_p99:.1f} ms, "
        f"ratio {desk_p99 / max(base_p99, 0.001):.2f}x (goal p99 <= 250 ms)"
    )


if __name__ == "__main__":
    main()
