"""The timeline's end, anchored outside the database.

The hash chain shows an event edited, removed or inserted anywhere but at the end: deleting the
newest events, or every event, or rewriting the whole chain with recomputed hashes leaves a chain
that holds together. So each desk keeps the newest head it has seen (event id, hash, number of
events) in a small file beside the database, `timeline.head`:

- After each committed transaction that appended events, the desk writes the new head there
  (mode 0600): one write in place into the older of two checksummed slots, so that a torn write
  leaves the previous head whole (see AnchorFile). No fsync: the database itself commits
  without one (WAL, synchronous=NORMAL), and the anchor must never be surer than the events.
  The desk counts events as it appends, so an append costs a few microseconds more, no query.
- Before chaining onto the newest stored event, the desk checks that the chain still holds the
  head in the file. When it does not (events were cut or rewritten), the desk goes on recording
  but leaves the file alone, so the evidence stays until someone looks.
- `timeline verify` reads the file before its read transaction (so the file never names an event
  the read cannot see yet) and checks that the database still has that event, with that hash,
  and at least that many events up to it; it says what is missing.

`commsdesk timeline head` prints a head as one line to paste into a report or a post;
`timeline verify --head LINE` checks the chain against it later, which also catches a tamperer
who edits the file too. A database given by URL (a team's PostgreSQL) keeps its file in the
desk's data folder, named after the URL. Removing the file re-anchors the desk at whatever the
database holds at its next append (for example after restoring a backup on purpose).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from commsdesk.clock import as_utc

log = logging.getLogger(__name__)

ANCHOR_FILE = "timeline.head"
SLOT = 256  # bytes per head in the file, newline included
_HASH = re.compile(r"\b[0-9a-f]{64}\b")
_EVENT_ID = re.compile(r"#(\d+)")
_COUNT = re.compile(r"\b(\d+) events?\b")
_SLOT_TEXT = re.compile(
    r"(?P<text>CommsDesk timeline head: event #(?P<id>\d+), (?P<count>\d+) events?, "
    r".*sha256 (?P<hash>[0-9a-f]{64})) check (?P<check>[0-9a-f]{16})"
)
_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


class HeadUnreadable(ValueError):
    """A text or file that does not hold a timeline head."""


@dataclass(frozen=True)
class TimelineHead:
    """The newest event of a chain: its hash, and when known its id and the number of events up
    to and including it (a head pasted as a bare hash has neither)."""

    hash: str
    event_id: int | None = None
    count: int | None = None
    at: datetime | None = None  # shown only, never checked

    def line(self) -> str:
        """One line a person can paste; `parse_head` reads it back."""
        parts = ["CommsDesk timeline head:"]
        if self.event_id is not None:
            parts.append(f"event #{self.event_id},")
        if self.count is not None:
            parts.append(f"{self.count} event{'' if self.count == 1 else 's'},")
        if self.at is not None:
            parts.append(f"{as_utc(self.at):%Y-%m-%dT%H:%M:%SZ},")
        parts.append(f"sha256 {self.hash}")
        return " ".join(parts)

    def __str__(self) -> str:
        where = f"event #{self.event_id}" if self.event_id is not None else "the event"
        return f"{where} (hash {short(self.hash)})"


def short(digest: str) -> str:
    return digest[:16] + "…"


def parse_head(text: str) -> TimelineHead:
    """A head from `TimelineHead.line()` or just its 64-hex hash; raises HeadUnreadable."""
    text = text.strip().lower()
    hashes = set(_HASH.findall(text))
    if len(hashes) != 1:
        raise HeadUnreadable(
            "a timeline head is the line `commsdesk timeline head` prints, or its 64-character "
            "sha256"
        )
    (digest,) = hashes
    rest = text.replace(digest, " ")
    event_id = _EVENT_ID.search(rest)
    count = _COUNT.search(rest)
    return TimelineHead(
        digest,
        int(event_id.group(1)) if event_id else None,
        int(count.group(1)) if count else None,
    )


def anchor_beside(database: Path) -> Path:
    """`timeline.head` beside the desk's own database file; `<stem>.timeline.head` beside any
    other file, so that two databases in one folder keep apart."""
    # Imported here: the timeline panel imports this module, and SQLAlchemy stays off the UI
    # thread.
    from commsdesk.store.database import DATABASE_FILE

    if database.name == DATABASE_FILE:
        return database.with_name(ANCHOR_FILE)
    return database.with_name(f"{database.stem}.{ANCHOR_FILE}")


def anchor_for_url(data_dir: Path, url: str) -> Path:
    """For a database that is not a file here: in the data folder, named after its URL (without
    the password), so that one folder can serve several databases."""
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]
    return data_dir / f"timeline-{digest}.head"


class AnchorFile:
    """The head file of one database: two fixed-size lines ("slots"), each a head with a check
    of its own text. A write goes in place over the slot not holding the newest head, so a
    reader (or a crash) that catches a write half done still finds the previous head whole in
    the other slot. In place, not a renamed temporary file: a rename costs a hundred times more,
    and this happens on every append. Writes from one process are serialised."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._parsed: list[tuple[bytes, TimelineHead | None]] = [(b"", None), (b"", None)]
        with _WRITE_LOCKS_GUARD:
            self._lock = _WRITE_LOCKS.setdefault(str(path.absolute()), threading.Lock())

    def read(self) -> TimelineHead | None:
        """The newest head in the file; None when there is no file; HeadUnreadable when neither
        slot holds a whole head."""
        slots = self._slots()
        if slots is None:
            return None
        heads = [head for head in slots if head is not None]
        if not heads:
            raise HeadUnreadable(f"{self.path} does not hold a whole timeline head")
        return max(heads, key=lambda head: head.event_id)

    def seen(self) -> TimelineHead | None:
        """As `read`, for appends: a damaged file counts as none (logged), so the desk anchors
        afresh rather than stop recording."""
        try:
            return self.read()
        except HeadUnreadable as exc:
            log.warning("Timeline anchor ignored: %s", exc)
            return None

    def advance(self, head: TimelineHead) -> None:
        """Write `head` unless the file already names a newer event. Called after the commit,
        so a failure here cannot undo what was recorded: it is logged."""
        try:
            with self._lock:
                try:
                    slots = self._slots() or [None, None]
                except HeadUnreadable:
                    slots = [None, None]
                held = [(h.event_id, i) for i, h in enumerate(slots) if h is not None]
                newest_id, newest_slot = max(held) if held else (0, 1)
                if newest_id >= head.event_id:
                    return
                flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)
                fd = os.open(self.path, flags, 0o600)
                try:
                    os.lseek(fd, (1 - newest_slot) * SLOT, os.SEEK_SET)
                    os.write(fd, _slot(head))
                finally:
                    os.close(fd)
        except OSError as exc:
            log.warning("Timeline anchor %s not updated: %s", self.path, exc)

    def _slots(self) -> list[TimelineHead | None] | None:
        """Each slot's head, None for a slot not whole; None when there is no file."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise HeadUnreadable(f"{self.path} cannot be read ({exc.strerror})") from exc
        heads = []
        for index in (0, 1):  # a write changes one slot: parse only that one again
            raw = data[index * SLOT : (index + 1) * SLOT]
            known, head = self._parsed[index]
            if raw != known:
                head = _unslot(raw)
                self._parsed[index] = (raw, head)
            heads.append(head)
        return heads


def _check(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _slot(head: TimelineHead) -> bytes:
    text = head.line()
    return f"{text} check {_check(text)}".ljust(SLOT - 1).encode("ascii") + b"\n"


def _unslot(data: bytes) -> TimelineHead | None:
    found = _SLOT_TEXT.fullmatch(data.decode("ascii", "replace").rstrip())
    if found is None or found["check"] != _check(found["text"]):
        return None
    return TimelineHead(found["hash"], int(found["id"]), int(found["count"]))


# --- what verify says about an end --------------------------------------------------------------


@dataclass(frozen=True)
class StoredEnd:
    """What the database holds around a head, read in verify's transaction."""

    last: TimelineHead | None  # the newest stored event (count: every stored event)
    at_head: str | None  # the hash of the stored event with the head's id, if any
    upto: int  # stored events with ids up to the head's


def end_problem(head: TimelineHead, stored: StoredEnd, whose: str) -> str | None:
    """Why the chain no longer holds `head` (with an event id), or None when it does. `whose`
    names the head in the sentence: "the desk last saw" or "the head given is"."""
    seen = f"{whose} {head}"
    gone = head.count - stored.upto if head.count is not None else 0
    if stored.at_head == head.hash:
        if gone <= 0:
            return None
        return (
            f"Timeline cut: {_events(gone)} before #{head.event_id} {_are(gone)} gone: {seen}, "
            f"after {_events(head.count)}; the database holds {stored.upto:,} up to it."
        )
    if stored.at_head is not None:
        return (
            f"Timeline rewritten: {seen}, but the database holds event #{head.event_id} with "
            f"hash {short(stored.at_head)}: the events up to it were changed and their hashes "
            "recomputed."
        )
    last = stored.last
    if last is None:
        every = f"all {_events(gone)}" if gone > 0 else "the events"
        return f"Timeline cut: {every} {_are(gone)} gone: {seen}, the database holds none."
    if last.event_id < head.event_id:
        newest = {0: "the newest events", 1: "the newest event"}.get(
            max(gone, 0), f"the newest {gone:,} events"
        )
        return (
            f"Timeline cut: {newest} {_are(gone)} gone: {seen}, "
            f"the database ends at #{last.event_id}."
        )
    some = _events(gone) if gone > 0 else "events"
    return (
        f"Timeline cut: {some} up to #{head.event_id} {_are(gone)} gone: {seen}, which the "
        f"database no longer holds (it ends at #{last.event_id})."
    )


def missing_head_problem(head: TimelineHead, last: TimelineHead | None) -> str:
    """A head given as a bare hash that no stored event has."""
    end = f"the database ends at {last}" if last is not None else "the database holds no events"
    return (
        f"Timeline cut or rewritten: no event in the chain has the hash given "
        f"({short(head.hash)}), so the events up to it were removed or changed; {end}."
    )


def _events(n: int) -> str:
    return f"{n:,} event{'' if n == 1 else 's'}"


def _are(n: int) -> str:
    return "is" if n == 1 else "are"
