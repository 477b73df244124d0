"""A local stand-in for X's API v2: a real HTTP server on 127.0.0.1 that answers like X.

Status codes, JSON bodies and headers follow recorded exchanges with the real API: `data`
envelopes, 19-digit string ids, `location` on create, `x-rate-limit-limit/remaining/reset` on
every answer, RFC 7807 problem bodies for errors (`detail`, `type`, `title`, `status`). Duplicate
text is refused with X's own 403. The media endpoints are X's v2 upload: initialize, append
(multipart), finalize, status, and metadata for alt text.

Authentication: OAuth 1.0a HMAC-SHA1, verified. The client signs for the URL it addressed
(https://api.twitter.com + path), and the server checks that signature with the account's four
keys (`consumer_key`, `consumer_secret`, `access_token`, `access_secret`); anything else gets X's
401. `POST /oauth/request_token` (consumer keys only, `oauth_callback=oob`) answers as X does,
which is how a desk tells a wrong consumer pair from a wrong access pair.

Switches, for the next call(s) (`times=n`) or until `clear_switches()` (`times=None`), optionally
only for one route (`on="POST /2/tweets"`, a method and a path prefix):
    fail_next(status, detail)     X's error answer: 400, 401, 403, 429, 500, 503...
    rate_limit_next(reset_at)     429 with x-rate-limit-remaining 0 and the given reset
    delay_next(seconds)           handle the request, then wait before answering
    drop_next()                   handle the request (store the post), then close the
                                  connection without a byte of answer
`processing_checks = n`: the next n finalize/status answers say processing is in progress.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import hmac
import json
import re
import secrets
import socket
import sys
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from urllib.parse import parse_qs, parse_qsl, quote, unquote, urlsplit

import pytest

CONSUMER_KEY = "standin-consumer-key"
CONSUMER_SECRET = "consumer-secret"
ACCESS_TOKEN = "1700000000000000001-standinaccesstoken"
ACCESS_SECRET = "access-secret"
SIGNED_FOR = "https://api.twitter.com"  # the host clients address and sign for
ACCOUNT = {"id": "1700000000000000001", "name": "Meridian Exchange", "username": "MeridianStatus"}

DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
REPLY_RESTRICTED = (
    "Reply to this conversation is not allowed because you have not been mentioned or otherwise "
    "engaged by the author of the post you are replying to."
)
REPLY_TO_MISSING = "You attempted to reply to a Tweet that is deleted or not visible to you."
INVALID_MEDIA = "Your media IDs are invalid."

JSON = "application/json; charset=utf-8"
WINDOW_SECONDS = 15 * 60
# x-rate-limit-limit per endpoint, as X answered in the recordings (media, other: plausible).
LIMITS = {"create": 200, "delete": 50, "me": 75, "timeline": 1500, "media": 500, "other": 300}


@dataclass
class StoredPost:
    id: str
    text: str
    reply_to: str | None
    media_ids: tuple[str, ...]
    created_at: datetime
    deleted: bool = False


@dataclass
class StoredMedia:
    id: str
    media_type: str
    total_bytes: int
    category: str | None
    segments: dict[int, bytes] = field(default_factory=dict)
    finalized: bool = False
    alt_text: str | None = None

    @property
    def data(self) -> bytes:
        return b"".join(self.segments[i] for i in sorted(self.segments))


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    consumer_key: str | None
    token: str | None
    signed: bool  # an oauth_signature was present


@dataclass
class _Switch:
    action: str  # "fail", "delay", "drop", "hold"
    on: str | None
    remaining: int | None
    status: int = 0
    body: dict | None = None
    reset_at: int | None = None
    seconds: float = 0.0
    skip: int = 0  # matching calls to let through untouched before this switch applies
    gate: threading.Event | None = None  # "hold": answer once the test opens it

    def matches(self, method: str, path: str) -> bool:
        if self.on is None:
            return True
        want_method, _, want_path = self.on.partition(" ")
        return method == want_method.upper() and path.startswith(want_path)


def problem(status: int, detail: str | None = None) -> dict:
    """X's RFC 7807 error body: {"detail", "type": "about:blank", "title", "status"}."""
    phrase = HTTPStatus(status).phrase
    return {"detail": detail or phrase, "type": "about:blank", "title": phrase, "status": status}


def invalid_request(parameter: str, value: list, message: str) -> dict:
    return {
        "errors": [{"parameters": {parameter: value}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }


def _x_time(moment: datetime) -> str:
    """X's created_at: 2022-10-07T22:43:18.000Z."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


class XApiStandIn:
    """The server and everything it was asked and stored: `start()`, then `stop()`."""

    def __init__(
        self,
        *,
        consumer_key: str = CONSUMER_KEY,
        consumer_secret: str = CONSUMER_SECRET,
        access_token: str = ACCESS_TOKEN,
        access_secret: str = ACCESS_SECRET,
    ):
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.access_token = access_token
        self.access_secret = access_secret
        self.account = dict(ACCOUNT)
        self.refuse_duplicates = True  # X refuses a copy of a live post; not every time
        self.processing_checks = 0
        self.requests: list[SeenRequest] = []
        self.internal_errors: list[str] = []  # tracebacks of the stand-in's own faults
        self.media: dict[str, StoredMedia] = {}
        self._posts: list[StoredPost] = []
        self._switches: list[_Switch] = []
        self._ids = count(1_850_000_000_000_000_001, 4_194_304)  # 19 digits, increasing
        self._remaining: dict[str, int] = {}
        self._window_start = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life ---------------------------------------------------------------------------------

    def start(self) -> XApiStandIn:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.block_on_close = False
        server.standin = self  # type: ignore[attr-defined]
        server.handle_error = self._handler_failed  # type: ignore[method-assign]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="x-api-standin"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def _handler_failed(self, request: object, address: object) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client hanging up is not a fault
            with self._lock:
                self.internal_errors.append(traceback.format_exc())

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- what happened ------------------------------------------------------------------------

    @property
    def posts(self) -> list[StoredPost]:
        """Every post stored, oldest first; deleted ones stay, marked `deleted`."""
        with self._lock:
            return list(self._posts)

    @property
    def live_posts(self) -> list[StoredPost]:
        return [p for p in self.posts if not p.deleted]

    def add_post(self, text: str, *, reply_to: str | None = None) -> StoredPost:
        """A post made elsewhere (another device, earlier): seeds the account's timeline."""
        with self._lock:
            return self._store(text, reply_to, ())

    # -- switches -----------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        detail: str | None = None,
        *,
        times: int | None = 1,
        on: str | None = None,
        skip: int = 0,
    ) -> None:
        """Answer the next call(s) with X's error for `status`; `detail` is X's message."""
        body = problem(status, detail)
        self._add(_Switch("fail", on, times, status=status, body=body, skip=skip))

    def rate_limit_next(
        self,
        reset_at: datetime | int,
        *,
        times: int | None = 1,
        on: str | None = None,
        skip: int = 0,
    ) -> None:
        reset = int(reset_at.timestamp()) if isinstance(reset_at, datetime) else int(reset_at)
        self._add(
            _Switch("fail", on, times, status=429, body=problem(429), reset_at=reset, skip=skip)
        )

    def delay_next(
        self, seconds: float, *, times: int | None = 1, on: str | None = None, skip: int = 0
    ) -> None:
        """Handle the call (a post is stored), then answer only after `seconds`."""
        self._add(_Switch("delay", on, times, seconds=seconds, skip=skip))

    def hold_next(self, *, on: str | None = None, skip: int = 0) -> threading.Event:
        """Handle the call (a post is stored), then answer only once the returned event is set:
        the test acts while the desk waits for X's answer."""
        gate = threading.Event()
        self._add(_Switch("hold", on, 1, skip=skip, gate=gate))
        return gate

    def drop_next(self, *, times: int | None = 1, on: str | None = None, skip: int = 0) -> None:
        """Handle the call (a post is stored), then close the connection without answering."""
        self._add(_Switch("drop", on, times, skip=skip))

    def clear_switches(self) -> None:
        with self._lock:
            self._switches.clear()

    def _add(self, switch: _Switch) -> None:
        with self._lock:
            self._switches.append(switch)

    def _take_switch(self, method: str, path: str) -> _Switch | None:
        with self._lock:
            for switch in self._switches:
                if switch.matches(method, path):
                    if switch.skip > 0:
                        switch.skip -= 1
                        continue
                    if switch.remaining is not None:
                        switch.remaining -= 1
                        if switch.remaining <= 0:
                            self._switches.remove(switch)
                    return switch
        return None

    # -- the API ------------------------------------------------------------------------------

    def _store(self, text: str, reply_to: str | None, media_ids: tuple[str, ...]) -> StoredPost:
        post = StoredPost(str(next(self._ids)), text, reply_to, media_ids, datetime.now(UTC))
        self._posts.append(post)
        return post

    def _rate_headers(self, bucket: str, reset_at: int | None = None) -> dict[str, str]:
        now = int(datetime.now(UTC).timestamp())
        with self._lock:
            if now >= self._window_start + WINDOW_SECONDS:
                self._window_start, self._remaining = now, {}
            limit = LIMITS[bucket]
            remaining = self._remaining.get(bucket, limit) - 1
            self._remaining[bucket] = max(remaining, 0)
        if reset_at is not None:
            remaining = 0
        return {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(remaining, 0)),
            "x-rate-limit-reset": str(reset_at or self._window_start + WINDOW_SECONDS),
        }

    def answer(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes, content_type: str
    ) -> tuple[int, dict, dict[str, str]]:
        """The status, JSON body and extra headers X would give for an authenticated request."""
        with self._lock:
            if method == "GET" and path == "/2/users/me":
                return 200, {"data": dict(self.account)}, {}
            if method == "POST" and path == "/2/tweets":
                return self._create(body)
            if method == "DELETE" and (m := re.fullmatch(r"/2/tweets/(\d+)", path)):
                post = next((p for p in self._posts if p.id == m[1] and not p.deleted), None)
                if post is not None:
                    post.deleted = True
                return 200, {"data": {"deleted": post is not None}}, {}
            if method == "GET" and (m := re.fullmatch(r"/2/users/(\d+)/tweets", path)):
                return self._timeline(m[1], query)
            if path.startswith("/2/media/"):
                return self._media(method, path, query, body, content_type)
        return 404, problem(404, "The requested resource could not be found."), {}

    def _create(self, body: bytes) -> tuple[int, dict, dict[str, str]]:
        try:
            request = json.loads(body or b"null")
        except ValueError:
            request = None
        if not isinstance(request, dict):
            return 400, invalid_request("body", [], "Request body is not valid JSON."), {}
        text = request.get("text")
        media_ids = tuple(str(m) for m in (request.get("media") or {}).get("media_ids") or [])
        reply_to = (request.get("reply") or {}).get("in_reply_to_tweet_id")
        if not isinstance(text, str) and not media_ids:
            return 400, invalid_request("text", [], "$.text: is missing but it is required"), {}
        text = text or ""
        live = [p for p in self._posts if not p.deleted]
        if self.refuse_duplicates and text and any(p.text == text for p in live):
            return 403, problem(403, DUPLICATE), {}
        if reply_to is not None and not any(p.id == str(reply_to) for p in live):
            return 403, problem(403, REPLY_TO_MISSING), {}
        bad = [m for m in media_ids if m not in self.media or not self.media[m].finalized]
        if bad:
            return 400, invalid_request("media.media_ids", bad, INVALID_MEDIA), {}
        post = self._store(text, str(reply_to) if reply_to else None, media_ids)
        location = {"location": f"https://api.twitter.com/2/tweets/{post.id}"}
        return 201, {"data": {"id": post.id, "text": post.text}}, location

    def _timeline(self, user_id: str, query: dict[str, list[str]]) -> tuple[int, dict, dict]:
        try:
            max_results = int(query.get("max_results", ["10"])[0])
        except ValueError:
            max_results = 0
        if not 5 <= max_results <= 100:
            message = (
                f"The `max_results` query parameter value [{max_results}] is not between 5 and 100"
            )
            return 400, invalid_request("max_results", [str(max_results)], message), {}
        fields = set(",".join(query.get("tweet.fields", [])).split(","))
        posts = [] if user_id != self.account["id"] else [p for p in self._posts if not p.deleted]
        posts.reverse()  # newest first
        token = query.get("pagination_token", [""])[0]
        try:
            start = int(token, 36) if token else 0
        except ValueError:
            return 400, invalid_request("pagination_token", [token], "Invalid token"), {}
        page = posts[start : start + max_results]
        items = [self._tweet(p, fields) for p in page]
        meta: dict = {"result_count": len(items)}
        if items:
            meta.update(newest_id=items[0]["id"], oldest_id=items[-1]["id"])
        if start + max_results < len(posts):
            meta["next_token"] = _base36(start + max_results)
        return 200, ({"data": items, "meta": meta} if items else {"meta": meta}), {}

    def _tweet(self, post: StoredPost, fields: set[str]) -> dict:
        item: dict = {"edit_history_tweet_ids": [post.id], "id": post.id, "text": post.text}
        if "created_at" in fields:
            item["created_at"] = _x_time(post.created_at)
        if post.reply_to and "in_reply_to_user_id" in fields:
            item["in_reply_to_user_id"] = self.account["id"]
        if post.reply_to and "referenced_tweets" in fields:
            item["referenced_tweets"] = [{"type": "replied_to", "id": post.reply_to}]
        return item

    def _media(
        self, method: str, path: str, query: dict, body: bytes, content_type: str
    ) -> tuple[int, dict, dict]:
        if method == "POST" and path == "/2/media/upload/initialize":
            request = json.loads(body or b"{}")
            media = StoredMedia(
                str(next(self._ids)),
                request.get("media_type", ""),
                int(request.get("total_bytes", 0)),
                request.get("media_category"),
            )
            if not media.media_type or media.total_bytes <= 0:
                message = "media_type and total_bytes are required"
                return 400, invalid_request("total_bytes", [], message), {}
            self.media[media.id] = media
            return 200, {"data": {**_media_ids(media), "expires_after_secs": 86400}}, {}
        if method == "GET" and path == "/2/media/upload":
            media = self.media.get(query.get("media_id", [""])[0])
            if media is None or query.get("command") != ["STATUS"]:
                return 400, invalid_request("media_id", [], "Invalid media id or command"), {}
            return 200, {"data": self._media_state(media)}, {}
        if method == "POST" and path == "/2/media/metadata":
            request = json.loads(body or b"{}")
            media = self.media.get(str(request.get("id")))
            alt = ((request.get("metadata") or {}).get("alt_text") or {}).get("text")
            if media is None or not isinstance(alt, str):
                return 400, invalid_request("id", [str(request.get("id"))], INVALID_MEDIA), {}
            media.alt_text = alt
            return (
                200,
                {"data": {"associated_metadata": {"alt_text": {"text": alt}}, "id": media.id}},
                {},
            )
        m = re.fullmatch(r"/2/media/upload/(\d+)/(append|finalize)", path)
        media = self.media.get(m[1]) if m else None
        if m is None or method != "POST":
            return 404, problem(404, "The requested resource could not be found."), {}
        if media is None:
            return 400, invalid_request("id", [m[1]], INVALID_MEDIA), {}
        if m[2] == "append":
            form = _multipart(body, content_type)
            if "media" not in form or "segment_index" not in form:
                return 400, invalid_request("media", [], "media and segment_index are required"), {}
            media.segments[int(form["segment_index"])] = form["media"]
            expires = int(datetime.now(UTC).timestamp()) + 86400
            return 200, {"data": {"expires_at": expires}}, {}
        if len(media.data) != media.total_bytes:
            message = f"Segments total {len(media.data)} bytes, expected {media.total_bytes}"
            return 400, invalid_request("id", [media.id], message), {}
        media.finalized = True
        return 200, {"data": {**self._media_state(media), "expires_after_secs": 86400}}, {}

    def _media_state(self, media: StoredMedia) -> dict:
        state: dict = {**_media_ids(media), "size": media.total_bytes}
        if self.processing_checks > 0:
            self.processing_checks -= 1
            state["processing_info"] = {
                "state": "in_progress",
                "check_after_secs": 0,
                "progress_percent": 50,
            }
        elif media.category == "tweet_gif":
            state["processing_info"] = {"state": "succeeded", "progress_percent": 100}
        return state


def _media_ids(media: StoredMedia) -> dict:
    return {"id": media.id, "media_key": f"3_{media.id}"}


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _multipart(body: bytes, content_type: str) -> dict[str, bytes | str]:
    message: Message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    form: dict[str, bytes | str] = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        form[name] = payload if part.get_filename() else payload.decode()
    return form


def _oauth_params(header: str) -> dict[str, str]:
    if not header.startswith("OAuth "):
        return {}
    return {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', header)}


def _signature_valid(
    method: str,
    path: str,
    raw_query: str,
    body: bytes,
    content_type: str,
    oauth: dict[str, str],
    consumer_secret: str,
    token_secret: str,
) -> bool:
    """RFC 5849 HMAC-SHA1 over the URL the client signed for, its query, form body and oauth_*
    parameters."""
    if oauth.get("oauth_signature_method") != "HMAC-SHA1":
        return False

    def enc(value: str) -> str:
        return quote(value, safe="~")

    params = [(k, v) for k, v in oauth.items() if k not in ("oauth_signature", "realm")]
    params += parse_qsl(raw_query, keep_blank_values=True)
    if content_type.startswith("application/x-www-form-urlencoded"):
        params += parse_qsl(body.decode(), keep_blank_values=True)
    normal = "&".join(f"{k}={v}" for k, v in sorted((enc(k), enc(v)) for k, v in params))
    base = "&".join([method.upper(), enc(SIGNED_FOR + path), enc(normal)])
    key = f"{enc(consumer_secret)}&{enc(token_secret)}".encode()
    expected = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()
    return hmac.compare_digest(expected, oauth.get("oauth_signature", ""))


class _Handler(BaseHTTPRequestHandler):
    # Answer in one segment as real servers do; with Nagle on, a kept-alive connection waits for
    # the client's delayed ACK (about 40 ms) between the headers and the body.
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    timeout = 10  # idle keep-alive connections close after this

    def version_string(self) -> str:
        return "tsa_b"

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: tests read `requests` and `posts` instead

    def date_time_string(self, timestamp: float | None = None) -> str:
        return datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S UTC")

    def _request_token(
        self, standin: XApiStandIn, query: str, body: bytes, content_type: str, oauth: dict
    ) -> None:
        """X's first step of the three-legged flow: answers for the consumer keys alone."""
        valid = (
            oauth.get("oauth_consumer_key") == standin.consumer_key
            and "oauth_token" not in oauth
            and _signature_valid(
                "POST", "/oauth/request_token", query, body, content_type, oauth,
                standin.consumer_secret, "",
            )
        )
        if not valid:  # v1.1-style error body, as X's OAuth endpoints answer
            body_out = json.dumps(
                {"errors": [{"code": 32, "message": "Could not authenticate you."}]}
            ).encode()
            self._send_raw(401, body_out, "application/json;charset=utf-8")
            return
        if oauth.get("oauth_callback") != "oob":
            body_out = (
                b'<?xml version="1.0" encoding="UTF-8"?><errors><error code="415">Callback URL '
                b"not approved for this client application.</error></errors>"
            )
            self._send_raw(403, body_out, "application/xml;charset=utf-8")
            return
        answer = "oauth_token=standin-request-token&oauth_token_secret=standin-request-secret" \
            "&oauth_callback_confirmed=true"
        self._send_raw(200, answer.encode(), "text/html;charset=utf-8")

    def _send_raw(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            self.close_connection = True

    def _serve(self) -> None:
        standin: XApiStandIn = self.server.standin  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        oauth = _oauth_params(self.headers.get("Authorization", ""))
        seen = SeenRequest(
            self.command,
            path,
            query,
            oauth.get("oauth_consumer_key"),
            oauth.get("oauth_token"),
            bool(oauth.get("oauth_signature")),
        )
        with standin._lock:
            standin.requests.append(seen)
        bucket = _bucket(self.command, path)

        content_type = self.headers.get("Content-Type", "")
        if (self.command, path) == ("POST", "/oauth/request_token"):
            self._request_token(standin, parts.query, body, content_type, oauth)
            return
        authorised = (
            seen.signed
            and seen.consumer_key == standin.consumer_key
            and seen.token == standin.access_token
            and _signature_valid(
                self.command, path, parts.query, body, content_type, oauth,
                standin.consumer_secret, standin.access_secret,
            )
        )
        if not authorised:
            self._send(401, problem(401), {}, "application/problem+json")
            return
        switch = standin._take_switch(self.command, path)
        if switch is not None and switch.action == "fail":
            headers = standin._rate_headers(bucket, switch.reset_at)
            kind = "application/problem+json" if switch.status == 401 else JSON
            self._send(switch.status, switch.body or problem(switch.status), headers, kind)
            return
        try:
            status, payload, extra = standin.answer(
                self.command, path, query, body, self.headers.get("Content-Type", "")
            )
        except Exception:  # a fault in the stand-in itself: answer 500, keep it for the test
            with standin._lock:
                standin.internal_errors.append(traceback.format_exc())
            status, payload, extra = 500, problem(500), {}
        if switch is not None and switch.action == "drop":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if (
            switch is not None
            and switch.action == "delay"
            and standin._stopping.wait(switch.seconds)
        ):
            self.close_connection = True  # stopping: leave without answering
            return
        if switch is not None and switch.action == "hold":
            while not switch.gate.wait(0.05):
                if standin._stopping.is_set():
                    self.close_connection = True
                    return
        self._send(status, payload, {**standin._rate_headers(bucket), **extra})

    def _send(
        self,
        status: int,
        payload: dict,
        headers: dict[str, str],
        content_type: str = JSON,
    ) -> None:
        data = json.dumps(payload, separators=(",", ":")).encode()
        gzipped = "gzip" in self.headers.get("Accept-Encoding", "")
        if gzipped:
            data = gzip.compress(data)
        try:
            self.send_response(status)
            for name, value in {
                "api-version": "2.150",
                "cache-control": "no-cache, no-store, max-age=0",
                "content-disposition": "attachment; filename=json.json",
                "content-type": content_type,
                "x-access-level": "read-write",
                "x-content-type-options": "nosniff",
                "x-frame-options": "SAMEORIGIN",
                "x-response-time": "12",
                "x-transaction-id": secrets.token_hex(8),
                "x-xss-protection": "0",
                **headers,
            }.items():
                self.send_header(name, value)
            if gzipped:
                self.send_header("content-encoding", "gzip")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client gave up (timeout) before the answer


def _bucket(method: str, path: str) -> str:
    if path == "/2/tweets" and method == "POST":
        return "create"
    if path.startswith("/2/tweets/") and method == "DELETE":
        return "delete"
    if path == "/2/users/me":
        return "me"
    if re.fullmatch(r"/2/users/\d+/tweets", path):
        return "timeline"
    if path.startswith("/2/media/"):
        return "media"
    return "other"


def x_env(url: str) -> dict[str, str]:
    """The environment that points the desk's command line at the stand-in, with its keys."""
    return {
        "COMMSDESK_X_API_URL": url,
        "COMMSDESK_X_CONSUMER_KEY": CONSUMER_KEY,
        "COMMSDESK_X_CONSUMER_SECRET": CONSUMER_SECRET,
        "COMMSDESK_X_ACCESS_TOKEN": ACCESS_TOKEN,
        "COMMSDESK_X_ACCESS_SECRET": ACCESS_SECRET,
    }


@pytest.fixture
def x_api() -> Iterator[XApiStandIn]:
    """A started stand-in X API on 127.0.0.1; stopped after the test."""
    server = XApiStandIn().start()
    try:
        yield server
    finally:
        server.stop()
    assert not server.internal_errors, "the stand-in failed:\n" + "\n".join(server.internal_errors)
