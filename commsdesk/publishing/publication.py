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
from datetime import datetime, timedelta
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
    HELD = "held"  # stopped before a part by Pause all or Drill mode; posting again resumes it

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


# X's limits for images on a post.
MAX_THREAD_POSTS = 25  # the default limit on a thread's posts (desk policy `max_thread_posts`)
MAX_IMAGES_PER_POST = 4
MAX_ALT_TEXT = 1000  # characters
MAX_IMAGE_BYTES = 5 * 1024 * 1024
# An uploaded media id is usable for 24 hours; an older one is uploaded again before posting.
MEDIA_ID_LIFETIME = timedelta(hours=23)

_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_type(data: bytes) -> str | None:
    """The image's MIME type from its first bytes (PNG, JPEG, GIF, WebP); None if not one."""
    for signature, mime in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(frozen=True)
class Attachment:
    """An image to post with a part of a thread (0 = the first post)."""

    data: bytes
    alt: str = ""
    part: int = 0
    name: str = ""  # where it came from, for messages: "slide on air", "chart.png"


def attachment_problems(attachments: Iterable[Attachment], part_count: int) -> list[str]:
    """Why these images cannot go with this thread; empty when they can."""
    problems: list[str] = []
    per_part: dict[int, int] = {}
    for a in attachments:
        label = a.name or "an image"
        if not 0 <= a.part < part_count:
            problems.append(f"{label} is for post {a.part + 1}, but the thread has {part_count}.")
            continue
        per_part[a.part] = per_part.get(a.part, 0) + 1
        if image_type(a.data) is None:
            problems.append(f"{label} is not a PNG, JPEG, GIF or WebP image.")
        elif len(a.data) > MAX_IMAGE_BYTES:
            problems.append(
                f"{label} is {len(a.data) / 1048576:.1f} MB; X takes images up to 5 MB."
            )
        if len(a.alt) > MAX_ALT_TEXT:
            problems.append(
                f"The description of {label} is {len(a.alt)} characters; X takes up to "
                f"{MAX_ALT_TEXT}."
            )
    for part, count in sorted(per_part.items()):
        if count > MAX_IMAGES_PER_POST:
            problems.append(
                f"Post {part + 1} has {count} images; X takes up to {MAX_IMAGES_PER_POST} per post."
            )
    return problems


@dataclass(frozen=True)
class OutboxMedia:
    """An image kept for a part: the stored file, its description, and X's id once uploaded."""

    file: str  # name in the desk's media folder
    mime: str
    alt: str = ""
    media_id: str | None = None
    uploaded_at: datetime | None = None  # UTC

    def needs_upload(self, now: datetime) -> bool:
        return (
            self.media_id is None
            or self.uploaded_at is None
            or now - self.uploaded_at > MEDIA_ID_LIFETIME
        )

    def to_json(self) -> dict:
        return {
            "file": self.file, "mime": self.mime, "alt": self.alt, "media_id": self.media_id,
            "uploaded_at": self.uploaded_at.isoformat() if self.uploaded_at else None,
        }

    @classmethod
    def from_json(cls, value: dict) -> OutboxMedia:
        at = value.get("uploaded_at")
        return cls(
            value["file"], value.get("mime", ""), value.get("alt", ""), value.get("media_id"),
            datetime.fromisoformat(at) if at else None,
        )


@dataclass(frozen=True)
class OutboxPart:
    position: int  # 0-based
    text: str
    state: PartState
    post_id: str | None = None
    attempts: int = 0
    last_error: str = ""
    media: tuple[OutboxMedia, ...] = ()


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
