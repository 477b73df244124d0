"""What holds every post back, whoever asks: Pause all and Drill mode.

Both are desk state in the database (`desk_policy`), shared by the window, the command line, the
scheduler and every other desk on the same database. The publisher reads them in the very
transaction that records a part's intent to post, so a pause or a drill that lands between two
parts of a thread stops the next one.

- **Pause all**: nothing is sent while paused unless a person overrides it by name (the
  override names the pause and its reason, and goes on the timeline).
- **The thread limit**: a thread longer than `max_thread_posts` (25 unless set) is refused before
  anything is built, unless a person allows it for that post.
- **Drill mode**: nothing reaches a real X account. Posts prepared while it is on go to the
  SANDBOX; a post prepared for X before it went on is held for a person, never sent.

All three are read by one query (`holds`). Pause and resume themselves are use cases of the
scheduler (they also pause its jobs); drill on and off are `set_drill_mode` here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from commsdesk.clock import as_utc
from commsdesk.desk import Desk, DeskError
from commsdesk.publishing.publication import MAX_THREAD_POSTS
from commsdesk.store.models import PolicyRow
from commsdesk.timeline.chain import EventKind

PAUSED_AT_KEY = "schedule_paused_at"
PAUSED_BY_KEY = "schedule_paused_by"
PAUSED_REASON_KEY = "schedule_paused_reason"
PAUSE_KEYS = (PAUSED_AT_KEY, PAUSED_BY_KEY, PAUSED_REASON_KEY)
DRILL_KEY = "drill_mode"
MAX_POSTS_KEY = "max_thread_posts"  # the longest thread posted without an explicit go-ahead
_POLICY = PolicyRow.__table__
_HOLDS = select(_POLICY.c.key, _POLICY.c.value).where(
    or_(*(_POLICY.c.key == key for key in (*PAUSE_KEYS, DRILL_KEY, MAX_POSTS_KEY)))
)


@dataclass(frozen=True)
class PauseState:
    by: str
    reason: str
    since: datetime  # UTC

    def describe(self) -> str:
        return f"paused by {self.by} since {self.since:%Y-%m-%d %H:%M} UTC: {self.reason}"


def set_policy(session: Session, key: str, value: str) -> None:
    row = session.get(PolicyRow, key)
    if row is None:
        session.add(PolicyRow(key=key, value=value))
    else:
        row.value = value


@dataclass(frozen=True)
class Holds:
    """Pause all, Drill mode and the thread limit, as one read found them."""

    pause: PauseState | None
    drill: bool
    max_thread_posts: int


def holds(session: Session) -> Holds:
    """Every hold on posting, in one query inside the caller's transaction (a plain statement,
    so what this session changed through the ORM is flushed first)."""
    session.flush()
    values = dict(session.execute(_HOLDS).all())
    pause = None
    if PAUSED_AT_KEY in values:
        pause = PauseState(
            by=values.get(PAUSED_BY_KEY, ""),
            reason=values.get(PAUSED_REASON_KEY, ""),
            since=as_utc(datetime.fromisoformat(values[PAUSED_AT_KEY])),
        )
    try:
        limit = max(1, int(values[MAX_POSTS_KEY])) if MAX_POSTS_KEY in values else MAX_THREAD_POSTS
    except ValueError:
        limit = MAX_THREAD_POSTS
    return Holds(pause, values.get(DRILL_KEY) == "on", limit)


def pause_state(session: Session) -> PauseState | None:
    return holds(session).pause


def drill_on(session: Session) -> bool:
    return holds(session).drill


def drill_mode(desk: Desk) -> bool:
    with desk.reading() as session:
        return drill_on(session)


def paused(desk: Desk) -> PauseState | None:
    with desk.reading() as session:
        return pause_state(session)


def set_drill_mode(desk: Desk, actor: str, on: bool) -> bool:
    """Turn drill mode on or off for every desk on this database; False when it already was."""
    if not (actor or "").strip():
        raise DeskError("Say who changes drill mode.")
    with desk.transaction() as session:
        if drill_on(session) == on:
            return False
        set_policy(session, DRILL_KEY, "on" if on else "off")
        desk.append_event(
            session, actor, EventKind.DRILL_MODE,
            "Drill mode on: every post goes to the SANDBOX, nothing reaches X" if on
            else "Drill mode off: approved posts may go to X again",
            data={"on": on},
        )
    return True


def max_thread_posts(session: Session) -> int:
    return holds(session).max_thread_posts


def set_max_thread_posts(desk: Desk, actor: str, n: int) -> bool:
    """Set the thread limit for every desk on this database; False when it already was n."""
    if not isinstance(n, int) or not 1 <= n <= 1000:
        raise DeskError("A thread's limit is a whole number of posts from 1 to 1000.")
    if not (actor or "").strip():
        raise DeskError("Say who changes the thread limit.")
    with desk.transaction() as session:
        old = max_thread_posts(session)
        if old == n:
            return False
        set_policy(session, MAX_POSTS_KEY, str(n))
        desk.append_event(
            session, actor, EventKind.POLICY_CHANGED,
            f"Thread limit {old} → {n} posts: longer threads need an explicit go-ahead",
            data={MAX_POSTS_KEY: n, "was": old},
        )
    return True
