"""The rules of publishing a thread exactly once: states, retries, and recognising a post that
already went out.

The publisher records its intent before each network call and the outcome after. A part with
an intent and no outcome (the desk died, or the answer never came) is matched against the
account's recent posts before anything is sent again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class PartState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # intent recorded; outcome not yet known
    POSTED = "posted"
    FAILED = "failed"


class PublicationState(StrEnum):
    PENDING = "pending"
    POSTING = "posting"
    WAITING = "waiting"  # rate limited until wait_until
    POSTED = "posted"
    FAILED = "failed"
    REPLIES_REFUSED = "replies_refused"  # a person decides: post the rest as separate posts?

    @property
    def finished(self) -> bool:
        return self in (PublicationState.POSTED, PublicationState.FAILED)


# How a publication's error begins when X refused the account's keys (HTTP 401).
CREDENTIALS_REFUSED = "X did not accept the credentials of"

# Bounded exponential backoff for server and network errors, in seconds: five tries in all.
RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0)


def retry_delay(failures: int) -> float | None:
    """Seconds to wait after the `failures`-th failed try; None when it is time to give up."""
    if failures < 1 or failures > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[failures - 1]


@dataclass(frozen=True)
class OutboxPart:
    position: int  # 0-based
    text: str
    state: PartState
    post_id: str | None = None
    attempts: int = 0
    last_error: str = ""


@dataclass(frozen=True)
class Publication:
    id: int
    key: str
    statement_id: int | None
    account: str
    sandbox: bool
    state: PublicationState
    parts: tuple[OutboxPart, ...]
    error: str = ""
    wait_until: datetime | None = None
    standalone_from: int | None = None

    @property
    def credentials_refused(self) -> bool:
        """X answered 401: the account needs new keys before anything is tried again."""
        return self.state is PublicationState.FAILED and CREDENTIALS_REFUSED in self.error

    @property
    def post_ids(self) -> list[str]:
        return [p.post_id for p in self.parts if p.post_id]

    @property
    def next_part(self) -> OutboxPart | None:
        return next((p for p in self.parts if p.state is not PartState.POSTED), None)


class PostLike(Protocol):
    id: str
    text: str


_URL = re.compile(r"https?://\S+", re.IGNORECASE)


def match_key(text: str) -> str:
    """What a post's text looks like once X has stored it: links become t.co links, so links
    are left out; white space and Unicode forms are folded."""
    text = unicodedata.normalize("NFC", text)
    text = _URL.sub("<link>", text)
    return " ".join(text.split())


def find_posted(text: str, candidates: Iterable[PostLike]) -> PostLike | None:
    """The account's post that is this part, if it went out (oldest match first)."""
    wanted = match_key(text)
    matches = [c for c in candidates if match_key(c.text) == wanted]
    return min(matches, key=lambda c: int(c.id) if c.id.isdigit() else 0) if matches else None


def with_number(text: str, position: int, total: int) -> str:
    """A part posted on its own (replies refused) keeps its 'k/n' so readers can follow."""
    suffix = f" {position + 1}/{total}"
    return text if text.endswith(suffix) else text + suffix
