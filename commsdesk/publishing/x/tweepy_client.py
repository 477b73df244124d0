"""The real X account client: tweepy's v2 `Client` for posts and the account, plus X's v2 media
upload (which tweepy 4.x lacks) on the same HTTP connection pool and OAuth 1.0a user keys.

Where requests go: tweepy always addresses https://api.twitter.com. An adapter mounted on
tweepy's requests connection pool for that prefix rewrites each URL to the configured base (the
`base_url` argument, else COMMSDESK_X_API_URL, else X itself), keeping path and query, and gives
every request the client's timeout. OAuth 1.0a signs the URL before the rewrite, so a stand-in at
another address must not check signatures against its own host.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import tweepy
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from commsdesk.publishing.x.api import XCredentials, XError, XErrorKind, XPost, XUser

log = logging.getLogger(__name__)

X_API_URL = "https://api.twitter.com"  # the host tweepy addresses
ENV_API_URL = "COMMSDESK_X_API_URL"
TWEET_FIELDS = ["created_at", "in_reply_to_user_id", "referenced_tweets"]
CHUNK_BYTES = 1024 * 1024  # media append segment size; X takes up to 5 MB per segment
PROCESSING_WAIT_SECONDS = 60.0  # longest wait for X to finish processing an upload

# oauthlib and requests-oauthlib log each signed request (consumer key, token, Authorization
# header) at DEBUG. Keep them at INFO unless the application configured them itself.
for _name in ("oauthlib", "requests_oauthlib"):
    if logging.getLogger(_name).level == logging.NOTSET:
        logging.getLogger(_name).setLevel(logging.INFO)


class _BaseUrlAdapter(HTTPAdapter):
    """Sends requests addressed to api.twitter.com to `base_url`, with a default timeout."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        if self.base_url != X_API_URL:
            parts = urlsplit(request.url)
            request.url = self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
            if proxies and _bypasses_proxy(request.url, proxies):
                proxies = {}
        return super().send(
            request,
            stream=stream,
            timeout=self.timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


def _bypasses_proxy(url: str, proxies: dict) -> bool:
    """Proxies were chosen for api.twitter.com; the real target may be loopback or in no_proxy."""
    host = urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return loopback or requests.utils.should_bypass_proxies(url, proxies.get("no_proxy"))


class TweepyXClient:
    """`XAccountClient` for one account over X's API v2, through tweepy."""

    def __init__(
        self, credentials: XCredentials, *, base_url: str | None = None, timeout: float = 10.0
    ) -> None:
        base = (base_url or os.environ.get(ENV_API_URL) or X_API_URL).rstrip("/")
        if urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc:
            raise ValueError(f"X API base URL must be http(s)://host[:port]: {base!r}")
        self.base_url = base
        self.timeout = timeout
        self._credentials = credentials
        self._client = tweepy.Client(
            consumer_key=credentials.consumer_key,
            consumer_secret=credentials.consumer_secret,
            access_token=credentials.access_token,
            access_token_secret=credentials.access_secret,
            return_type=dict,
        )
        self._client.session.mount(X_API_URL + "/", _BaseUrlAdapter(base, timeout))

    def __repr__(self) -> str:
        return f"TweepyXClient(base_url={self.base_url!r}, timeout={self.timeout!r})"

    def close(self) -> None:
        self._client.session.close()

    # -- posts and the account, through tweepy ------------------------------------------------

    def me(self) -> XUser:
        data = _data(self._call(self._client.get_me, user_auth=True))
        return XUser(id=str(data["id"]), username=data["username"], name=data["name"])

    def create_post(
        self, text: str, *, reply_to: str | None = None, media_ids: Sequence[str] = ()
    ) -> XPost:
        payload = self._call(
            self._client.create_tweet,
            text=text,
            in_reply_to_tweet_id=reply_to,
            media_ids=list(media_ids) or None,
            user_auth=True,
        )
        try:
            data = payload["data"]
            post = XPost(id=str(data["id"]), text=data.get("text", text), in_reply_to=reply_to)
        except (KeyError, TypeError) as exc:
            raise _unreadable("create post") from exc
        log.info("posted %s to X%s", post.id, f" in reply to {reply_to}" if reply_to else "")
        return post

    def delete_post(self, post_id: str) -> None:
        payload = self._call(self._client.delete_tweet, post_id, user_auth=True)
        if not _data(payload).get("deleted"):
            # X answers deleted=false for a post that is already gone: the end state holds.
            log.info("X reports post %s was not deleted (already gone?)", post_id)

    def recent_posts(self, user_id: str, *, max_results: int = 100) -> list[XPost]:
        if max_results < 1:
            raise ValueError("max_results must be at least 1")
        payload = self._call(
            self._client.get_users_tweets,
            user_id,
            max_results=min(max(max_results, 5), 100),  # X takes 5..100
            tweet_fields=TWEET_FIELDS,
            user_auth=True,
        )
        try:
            posts = [_post(item) for item in payload.get("data") or []]
        except (KeyError, TypeError, ValueError) as exc:
            raise _unreadable("recent posts") from exc
        return posts[:max_results]

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> dict:
        try:
            payload = method(*args, **kwargs)
        except tweepy.HTTPException as exc:
            raise _response_error(exc.response) from exc
        except requests.JSONDecodeError as exc:
            raise _unreadable(getattr(method, "__name__", "call")) from exc
        except requests.RequestException as exc:
            raise _transport_error(exc) from exc
        if not isinstance(payload, dict):
            raise _unreadable(getattr(method, "__name__", "call"))
        return payload

    # -- which keys X refused -----------------------------------------------------------------

    def explain_refusal(self) -> str:
        """After X answered 401: which pair of keys is wrong. X's 401 does not say, so the
        consumer pair is tried alone (the first step of X's sign-in flow, which creates
        nothing lasting); if X takes it, the access pair is the one at fault."""
        from requests_oauthlib import OAuth1

        problems = self._credentials.shape_problems()
        if problems:
            return " ".join(problems)
        c = self._credentials
        auth = OAuth1(c.consumer_key, c.consumer_secret, callback_uri="oob")
        try:
            response = self._client.session.post(X_API_URL + "/oauth/request_token", auth=auth)
        except requests.RequestException as exc:
            why = _transport_error(exc)
            return f"X refused the keys, and could not be asked which ones ({why})."
        with response:
            status = response.status_code
        if status == 200:
            return (
                "X accepts the consumer key and secret, so the access token or its secret is "
                "wrong or was revoked: generate them again for this account, with read and "
                "write permission."
            )
        if status == 401:
            return (
                "X does not accept the consumer key and secret (the app's API key and secret): "
                "check them, or regenerate them in the developer portal. The access token and "
                "secret must then be generated again too."
            )
        return (
            f"X refused the keys (HTTP {status} when asked which): check all four, and that "
            "they belong to the same app."
        )

    # -- media, X API v2 upload ---------------------------------------------------------------

    def upload_image(self, data: bytes, mime_type: str, alt_text: str | None = None) -> str:
        """initialize → append (multipart, 1 MB segments) → finalize → wait while X processes
        → alt text through media metadata. Returns the media id."""
        if not data:
            raise ValueError("no image data")
        category = "tweet_gif" if mime_type == "image/gif" else "tweet_image"
        init = self._media(
            "POST",
            "/2/media/upload/initialize",
            json={"media_type": mime_type, "total_bytes": len(data), "media_category": category},
        )
        media_id = str(_data(init)["id"])
        for index, start in enumerate(range(0, len(data), CHUNK_BYTES)):
            self._media(
                "POST",
                f"/2/media/upload/{media_id}/append",
                data={"segment_index": str(index)},
                files={"media": ("blob", data[start : start + CHUNK_BYTES], mime_type)},
            )
        final = self._media("POST", f"/2/media/upload/{media_id}/finalize")
        self._wait_for_processing(media_id, _data(final).get("processing_info"))
        if alt_text:
            self._media(
                "POST",
                "/2/media/metadata",
                json={"id": media_id, "metadata": {"alt_text": {"text": alt_text}}},
            )
        log.info("uploaded image %s (%d bytes) to X", media_id, len(data))
        return media_id

    def _wait_for_processing(self, media_id: str, info: dict | None) -> None:
        deadline = time.monotonic() + PROCESSING_WAIT_SECONDS
        while info and info.get("state") in ("pending", "in_progress"):
            if time.monotonic() > deadline:
                raise XError("server", f"X did not finish processing media {media_id} in time")
            time.sleep(min(max(float(info.get("check_after_secs", 1)), 0.0), 5.0))
            status = self._media(
                "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id}
            )
            info = _data(status).get("processing_info")
        if info and info.get("state") == "failed":
            message = (info.get("error") or {}).get("message") or "X could not process the media"
            raise XError("bad_request", message, detail=f"media {media_id} processing failed")

    def _media(self, method: str, path: str, **kwargs: Any) -> dict:
        c = self._credentials
        auth = tweepy.OAuth1UserHandler(
            c.consumer_key, c.consumer_secret, c.access_token, c.access_secret
        ).apply_auth()
        try:
            response = self._client.session.request(method, X_API_URL + path, auth=auth, **kwargs)
        except requests.RequestException as exc:
            raise _transport_error(exc) from exc
        with response:
            if not 200 <= response.status_code < 300:
                raise _response_error(response)
            if not response.content:
                return {}
            try:
                payload = response.json()
            except requests.JSONDecodeError as exc:
                raise _unreadable(path) from exc
        if not isinstance(payload, dict):
            raise _unreadable(path)
        return payload


# -- answers and failures -----------------------------------------------------------------------


def _data(payload: dict) -> dict:
    data = payload.get("data")
    if not isinstance(data, dict):
        raise _unreadable("answer")
    return data


def _post(item: dict) -> XPost:
    created = item.get("created_at")
    replied_to = next(
        (ref["id"] for ref in item.get("referenced_tweets") or [] if ref["type"] == "replied_to"),
        None,
    )
    return XPost(
        id=str(item["id"]),
        text=item["text"],
        created_at=datetime.fromisoformat(created).astimezone(UTC) if created else None,
        in_reply_to=str(replied_to) if replied_to else None,
    )


def _unreadable(what: str) -> XError:
    return XError(
        "unknown_outcome",
        "X answered but the answer could not be read; the request may have taken effect",
        detail=f"unreadable answer to {what}",
    )


def _messages(body: Any) -> list[str]:
    """X's own words: v1.1-style errors[].message, else the v2 problem's detail (as tweepy)."""
    if not isinstance(body, dict):
        return []
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    messages = [e["message"] for e in errors if isinstance(e, dict) and "message" in e]
    if not messages and isinstance(body.get("detail"), str):
        messages = [body["detail"]]
    return messages


def _response_error(response: requests.Response) -> XError:
    status = response.status_code
    try:
        body = response.json()
    except (requests.JSONDecodeError, ValueError):
        body = None
    messages = _messages(body)
    message = "; ".join(str(m) for m in messages) or f"X answered {status} {response.reason}"
    detail = f"HTTP {status} {response.reason}"
    if isinstance(body, dict) and isinstance(body.get("type"), str):
        detail += f" ({body['type']})"
    if status == 401:
        return XError("auth", message, status=status, detail=detail)
    if status == 403:
        errors = body.get("errors") if isinstance(body, dict) else None
        codes = [e.get("code") for e in errors or [] if isinstance(e, dict)]
        duplicate = 187 in codes or any("duplicate content" in str(m).lower() for m in messages)
        kind: XErrorKind = "duplicate" if duplicate else "forbidden"
        return XError(kind, message, status=status, detail=detail)
    if status == 429:
        reset_at = None
        raw = response.headers.get("x-rate-limit-reset")
        if raw and raw.strip().isdigit():
            reset_at = datetime.fromtimestamp(int(raw), UTC)
        return XError("rate_limited", message, status=status, reset_at=reset_at, detail=detail)
    if status >= 500:
        return XError("server", message, status=status, detail=detail)
    if 400 <= status < 500:
        return XError("bad_request", message, status=status, detail=detail)
    return XError("server", message, status=status, detail=detail)


def _transport_error(exc: requests.RequestException) -> XError:
    """Network when nothing can have reached X; unknown_outcome once the request may have."""
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, requests.ConnectTimeout):
        sent = False
    elif isinstance(
        exc,
        requests.Timeout
        | requests.exceptions.ChunkedEncodingError
        | requests.exceptions.ContentDecodingError,
    ):
        sent = True
    elif isinstance(exc, requests.exceptions.SSLError | requests.exceptions.ProxyError):
        sent = False  # failed while setting up the connection
    elif isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        sent = not isinstance(reason, ConnectTimeoutError)  # NewConnectionError is one of these
    else:
        sent = False  # an invalid URL or header: the request never left
    if sent:
        return XError(
            "unknown_outcome",
            "The connection to X broke before it answered; the request may have taken effect",
            detail=detail,
        )
    return XError("network", "Could not connect to X; nothing was sent", detail=detail)
