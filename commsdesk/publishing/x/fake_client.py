"""An in-memory X account for tests of the desk: no network, every call answered at once.

It behaves like X where the desk cares: increasing post ids, replies, duplicate text refused with
X's own message, newest-first recent posts. Failures are scripted: `fail_next` makes the next
call(s) raise a given XError; `drop_next_post` stores the next post and then raises
"unknown_outcome", as when the connection breaks after X has taken the post.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count

from commsdesk.publishing.x.api import XError, XErrorKind, XPost, XUser

DUPLICATE_MESSAGE = "You are not allowed to create a Tweet with duplicate content."

_DEFAULT_STATUS: dict[str, int | None] = {
    "auth": 401,
    "duplicate": 403,
    "forbidden": 403,
    "rate_limited": 429,
    "server": 503,
    "bad_request": 400,
    "network": None,
    "unknown_outcome": None,
}


@dataclass(frozen=True)
class FakeMedia:
    id: str
    data: bytes
    mime_type: str
    alt_text: str | None


class FakeXClient:
    """`XAccountClient` in memory. `posts` holds the live posts, oldest first."""

    def __init__(
        self,
        user: XUser | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        first_id: int = 1_900_000_000_000_000_001,
    ) -> None:
        self.user = user or XUser(id="1700000000000000001", username="commsdesk", name="CommsDesk")
        self.posts: list[XPost] = []
        self.deleted: list[XPost] = []
        self.media: dict[str, FakeMedia] = {}
        self.calls: list[str] = []  # method names, in order, failed ones included
        self._clock = clock
        self._ids = count(first_id)
        self._failures: list[XError] = []
        self._drops = 0

    # -- scripting ----------------------------------------------------------------------------

    def fail_next(
        self, error: XError | XErrorKind, *, times: int = 1, message: str | None = None
    ) -> None:
        """The next `times` calls (any method) raise `error`; a kind alone gets X-like defaults."""
        if not isinstance(error, XError):
            error = XError(
                error, message or f"simulated {error}", status=_DEFAULT_STATUS.get(error)
            )
        if times < 1:
            return
        self._failures.append(error)
        for _ in range(times - 1):  # fresh exceptions, so tracebacks do not pile up
            self._failures.append(
                XError(
                    error.kind,
                    error.message,
                    status=error.status,
                    reset_at=error.reset_at,
                    detail=error.detail,
                )
            )

    def drop_next_post(self, times: int = 1) -> None:
        """The next `times` create_post calls store the post, then raise "unknown_outcome"."""
        self._drops += times

    def post(self, post_id: str) -> XPost | None:
        return next((p for p in self.posts if p.id == post_id), None)

    # -- XAccountClient -----------------------------------------------------------------------

    def me(self) -> XUser:
        self._begin("me")
        return self.user

    def create_post(
        self, text: str, *, reply_to: str | None = None, media_ids: Sequence[str] = ()
    ) -> XPost:
        self._begin("create_post")
        if any(p.text == text for p in self.posts):
            raise XError("duplicate", DUPLICATE_MESSAGE, status=403)
        if reply_to is not None and self.post(reply_to) is None:
            raise XError(
                "forbidden",
                "You attempted to reply to a Tweet that is deleted or not visible to you.",
                status=403,
            )
        unknown = [m for m in media_ids if m not in self.media]
        if unknown:
            raise XError("bad_request", "Your media IDs are invalid.", status=400)
        post = XPost(
            id=str(next(self._ids)), text=text, created_at=self._clock(), in_reply_to=reply_to
        )
        self.posts.append(post)
        if self._drops:
            self._drops -= 1
            raise XError(
                "unknown_outcome",
                "The connection to X broke before it answered; the request may have taken effect",
                detail="simulated dropped connection after the post was stored",
            )
        return post

    def delete_post(self, post_id: str) -> None:
        self._begin("delete_post")
        post = self.post(post_id)
        if post is not None:
            self.posts.remove(post)
            self.deleted.append(post)

    def recent_posts(self, user_id: str, *, max_results: int = 100) -> list[XPost]:
        self._begin("recent_posts")
        if max_results < 1:
            raise ValueError("max_results must be at least 1")
        if user_id != self.user.id:
            return []
        return list(reversed(self.posts))[:max_results]

    def upload_image(self, data: bytes, mime_type: str, alt_text: str | None = None) -> str:
        self._begin("upload_image")
        if not data:
            raise ValueError("no image data")
        media_id = str(next(self._ids))
        self.media[media_id] = FakeMedia(media_id, bytes(data), mime_type, alt_text)
        return media_id

    def _begin(self, name: str) -> None:
        self.calls.append(name)
        if self._failures:
            raise self._failures.pop(0)
