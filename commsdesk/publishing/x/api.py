"""What the desk needs from an X account, as plain types: no Qt, no network.

Every failure surfaces as one `XError` whose `kind` tells the caller what it may do next; the one
to be careful with is "unknown_outcome": the request reached X (or may have) and no answer came
back, so a post may exist. Check the account's recent posts before trying again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

XErrorKind = Literal[
    "auth",  # 401: the keys or tokens were refused
    "duplicate",  # 403: X refuses a post whose text repeats a recent one
    "forbidden",  # other 403: reply restrictions, usage caps, app permissions...
    "rate_limited",  # 429: wait until reset_at
    "server",  # 5xx
    "network",  # could not connect: nothing was sent, the post surely does not exist
    "unknown_outcome",  # sent, then no answer (timeout, dropped connection): the post MAY exist
    "bad_request",  # 400 and other 4xx: X will not take this request as it is
]

ENV_CONSUMER_KEY = "COMMSDESK_X_CONSUMER_KEY"
ENV_CONSUMER_SECRET = "COMMSDESK_X_CONSUMER_SECRET"
ENV_ACCESS_TOKEN = "COMMSDESK_X_ACCESS_TOKEN"
ENV_ACCESS_SECRET = "COMMSDESK_X_ACCESS_SECRET"


@dataclass(frozen=True, repr=False)
class XCredentials:
    """OAuth 1.0a user-context keys of the account that posts. Never shown by repr or str."""

    consumer_key: str
    consumer_secret: str
    access_token: str
    access_secret: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> XCredentials | None:
        """From the COMMSDESK_X_* variables; None when any of the four is missing or blank."""
        names = (ENV_CONSUMER_KEY, ENV_CONSUMER_SECRET, ENV_ACCESS_TOKEN, ENV_ACCESS_SECRET)
        values = [env.get(name, "").strip() for name in names]
        if not all(values):
            return None
        return cls(*values)

    def __repr__(self) -> str:
        return "XCredentials(<hidden>)"

    __str__ = __repr__

    def shape_problems(self) -> list[str]:
        """What is visibly wrong with the keys before X is asked (never quotes a key)."""
        labels = {
            "consumer_key": "consumer key", "consumer_secret": "consumer secret",
            "access_token": "access token", "access_secret": "access token secret",
        }
        problems = []
        for name, label in labels.items():
            value = getattr(self, name)
            if not value:
                problems.append(f"The {label} is empty.")
            elif value != value.strip() or value[0] in "\"'" or value[-1] in "\"'":
                problems.append(
                    f"The {label} has spaces or quotes around it: paste only the key itself."
                )
        token = self.access_token.strip()
        if token and not re.fullmatch(r"\d+-\w+", token):
            problems.append(
                "The access token should begin with the account's numeric id and a dash "
                "(1234567890-…); this one does not, so another key was probably pasted there."
            )
        if self.consumer_key and self.consumer_key == self.access_token:
            problems.append("The consumer key and the access token are the same value.")
        if self.consumer_secret and self.consumer_secret == self.access_secret:
            problems.append("The consumer secret and the access token secret are the same value.")
        return problems


@dataclass(frozen=True)
class XUser:
    id: str
    username: str
    name: str


@dataclass(frozen=True)
class XPost:
    id: str
    text: str
    created_at: datetime | None = None
    in_reply_to: str | None = None  # the id of the post this one replies to
    media: tuple = ()  # the SANDBOX feed's images; X's own answers leave it empty


class XError(Exception):
    """A failed call to X. `str(err)` is X's own message verbatim when it gave one.

    `detail` adds context for the log (HTTP status line, X's problem type, the transport error);
    it never holds credentials.
    """

    def __init__(
        self,
        kind: XErrorKind,
        message: str,
        *,
        status: int | None = None,
        reset_at: datetime | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(message)
        self.kind: XErrorKind = kind
        self.message = message
        self.status = status
        self.reset_at = reset_at  # aware UTC, from x-rate-limit-reset
        self.detail = detail

    def __repr__(self) -> str:
        return f"XError(kind={self.kind!r}, status={self.status!r}, message={self.message!r})"


class XAccountClient(Protocol):
    """One X account, as the desk uses it. Every method raises `XError` on failure."""

    def me(self) -> XUser: ...

    def create_post(
        self, text: str, *, reply_to: str | None = None, media_ids: Sequence[str] = ()
    ) -> XPost: ...

    def delete_post(self, post_id: str) -> None: ...

    def recent_posts(self, user_id: str, *, max_results: int = 100) -> list[XPost]:
        """The user's latest posts, newest first, with created_at and in_reply_to filled."""
        ...

    def upload_image(self, data: bytes, mime_type: str, alt_text: str | None = None) -> str:
        """Upload one image (alt text optional); returns the media id to pass to create_post."""
        ...
