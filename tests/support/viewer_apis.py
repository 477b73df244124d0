"""A local stand-in for the viewer-count APIs: a real threaded HTTP server on 127.0.0.1 that
answers in the platforms' own shapes.

- YouTube Data API v3 `GET /youtube/v3/videos?part=liveStreamingDetails&id=...&key=...`:
  a `youtube#videoListResponse` whose items carry `liveStreamingDetails` as set per video
  (`concurrentViewers` a string; `{}`; absent), `items: []` for an unknown id; Google's error
  envelope for a wrong key (400 keyInvalid) and, once `quota_exceeded`, 403 quotaExceeded.
- Twitch: `POST /oauth2/token` (client-credentials grant) and `GET /helix/streams?user_login=`
  with `Client-Id` + `Authorization: Bearer`; `{"data":[],"pagination":{}}` when offline;
  `Ratelimit-Limit/Remaining/Reset` on every answer; 401 for an unknown or expired token
  (`expire_tokens()`).
- Kick: `POST /oauth/token` and `GET /public/v1/livestreams?broadcaster_user_id=`.
- Any JSON: `GET /json/<name>` answers the body set in `documents[name]`.

Faults, for the next `times` requests whose path starts with `on`:
    fail_next(on, status, body, headers)   that answer instead
    delay_next(on, seconds)                wait before answering
    hold_next(on)                          answer only once `release()` is called
    garble_next(on)                        200 with a body that is not JSON
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

YOUTUBE_KEY = "AIzaSy-standin-key"
TWITCH_CLIENT_ID = "standin-twitch-client"
TWITCH_SECRET = "standin-twitch-secret"
KICK_CLIENT_ID = "standin-kick-client"
KICK_SECRET = "standin-kick-secret"
JSON = "application/json; charset=utf-8"

QUOTA_BODY = {
    "error": {
        "code": 403,
        "message": "The request cannot be completed because you have exceeded your "
        '<a href="/youtube/v3/getting-started#quota">quota</a>.',
        "errors": [
            {
                "message": "The request cannot be completed because you have exceeded your "
                '<a href="/youtube/v3/getting-started#quota">quota</a>.',
                "domain": "youtube.quota",
                "reason": "quotaExceeded",
            }
        ],
    }
}
KEY_INVALID_BODY = {
    "error": {
        "code": 400,
        "message": "API key not valid. Please pass a valid API key.",
        "errors": [
            {"message": "API key not valid. Please pass a valid API key.",
             "domain": "global", "reason": "badRequest"}
        ],
        "status": "INVALID_ARGUMENT",
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                     "reason": "API_KEY_INVALID", "domain": "googleapis.com"}],
    }
}


@dataclass
class Fault:
    on: str
    times: int
    status: int = 200
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hold: threading.Event | None = None


class ViewerApis:
    def __init__(self) -> None:
        # video id -> liveStreamingDetails (None: a video that is not a broadcast)
        self.videos: dict[str, dict | None] = {}
        self.quota_exceeded = False
        self.streams: dict[str, int] = {}  # Twitch login -> viewers (absent: offline)
        self.kick: dict[str, int] = {}  # broadcaster_user_id -> viewers (absent: offline)
        self.documents: dict[str, object] = {}
        self.token_lifetime = 5_000_000
        self.ratelimit_remaining = 800
        self.ratelimit_reset = int(time.time()) + 60
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.token_grants = {"twitch": 0, "kick": 0}
        self._tokens: dict[str, str] = {}  # token -> "twitch" | "kick"
        self._faults: list[Fault] = []
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- switches -------------------------------------------------------------------------------

    def fail_next(self, on: str, status: int, body: object = None, headers=None, times=1) -> None:
        raw = json.dumps(body).encode() if body is not None else b""
        with self._lock:
            self._faults.append(Fault(on, times, status, raw, dict(headers or {})))

    def delay_next(self, on: str, seconds: float, times: int = 1) -> None:
        with self._lock:
            self._faults.append(Fault(on, times, delay=seconds))

    def hold_next(self, on: str, times: int = 1) -> None:
        with self._lock:
            self._faults.append(Fault(on, times, hold=self._released))

    def release(self) -> None:
        self._released.set()

    def garble_next(self, on: str, times: int = 1) -> None:
        with self._lock:
            self._faults.append(Fault(on, times, 200, b'{"data": [{"viewer_count": 12'))

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for _, p in self.requests if p.startswith(path))

    # --- life -----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ViewerApis:
        apis = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args) -> None:
                pass

            def do_GET(self) -> None:
                apis._handle(self, "GET")

            def do_POST(self) -> None:
                apis._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- answering ------------------------------------------------------------------------------

    def _fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.on):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        form = {k: v[-1] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        with self._lock:
            self.requests.append((method, parts.path))
        fault = self._fault(parts.path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.hold is not None:
            fault.hold.wait(30)
        if fault is not None and fault.body is not None:
            status, body, headers = fault.status, fault.body, fault.headers
        else:
            status, payload, headers = self._route(method, parts.path, query, form, handler)
            body = json.dumps(payload).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", JSON)
            handler.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a slow answer)

    def _route(self, method, path, query, form, handler):
        if method == "POST" and path in ("/oauth2/token", "/oauth/token"):
            return self._token(path, form)
        if method == "GET" and path == "/youtube/v3/videos":
            return self._youtube(query)
        if method == "GET" and path == "/helix/streams":
            return self._twitch(query, handler)
        if method == "GET" and path == "/public/v1/livestreams":
            return self._kick(query, handler)
        if method == "GET" and path.startswith("/json/"):
            name = path.removeprefix("/json/")
            if name in self.documents:
                return 200, self.documents[name], {}
        return 404, {"error": "Not Found", "status": 404}, {}

    def _token(self, path, form):
        platform = "twitch" if path == "/oauth2/token" else "kick"
        expected = {
            "twitch": (TWITCH_CLIENT_ID, TWITCH_SECRET), "kick": (KICK_CLIENT_ID, KICK_SECRET)
        }[platform]
        if form.get("grant_type") != "client_credentials":
            return 400, {"status": 400, "message": "invalid grant type"}, {}
        if (form.get("client_id"), form.get("client_secret")) != expected:
            if platform == "twitch" and form.get("client_id") == expected[0]:
                return 403, {"status": 403, "message": "invalid client secret"}, {}
            return 400, {"status": 400, "message": "invalid client"}, {}
        token = secrets.token_hex(15)
        with self._lock:
            self._tokens[token] = platform
            self.token_grants[platform] += 1
        return 200, {
            "access_token": token, "expires_in": self.token_lifetime, "token_type": "bearer"
        }, {}

    def _bearer_ok(self, handler, platform) -> bool:
        auth = handler.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        with self._lock:
            return self._tokens.get(token) == platform

    def _youtube(self, query):
        if query.get("key") != YOUTUBE_KEY:
            return 400, KEY_INVALID_BODY, {}
        if self.quota_exceeded:
            return 403, QUOTA_BODY, {}
        items = []
        video_id = query.get("id", "")
        if video_id in self.videos:
            item = {"kind": "youtube#video", "etag": "standin-etag", "id": video_id}
            details = self.videos[video_id]
            if details is not None:
                item["liveStreamingDetails"] = details
            items.append(item)
        return 200, {
            "kind": "youtube#videoListResponse",
            "etag": "standin-list-etag",
            "items": items,
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
        }, {}

    def _ratelimit_headers(self) -> dict[str, str]:
        return {
            "Ratelimit-Limit": "800",
            "Ratelimit-Remaining": str(self.ratelimit_remaining),
            "Ratelimit-Reset": str(self.ratelimit_reset),
        }

    def _twitch(self, query, handler):
        headers = self._ratelimit_headers()
        if handler.headers.get("Client-Id") != TWITCH_CLIENT_ID:
            return 401, {"error": "Unauthorized", "status": 401,
                         "message": "Client ID and OAuth token do not match"}, headers
        if not self._bearer_ok(handler, "twitch"):
            return 401, {"error": "Unauthorized", "status": 401,
                         "message": "Invalid OAuth token"}, headers
        login = query.get("user_login", "")
        data = []
        if login in self.streams:
            data.append({
                "id": "40952121085", "user_id": "101051819", "user_login": login,
                "user_name": login.title(), "game_id": "509658", "game_name": "Just Chatting",
                "type": "live", "title": "Live update", "viewer_count": self.streams[login],
                "started_at": "2026-11-26T13:00:00Z", "language": "en",
                "thumbnail_url": "https://static-cdn.jtvnw.net/previews-ttv/x-{width}x{height}.jpg",
                "tag_ids": [], "tags": ["English"], "is_mature": False,
            })
        return 200, {"data": data, "pagination": {}}, headers

    def _kick(self, query, handler):
        if handler.headers.get("Authorization") and not self._bearer_ok(handler, "kick"):
            return 401, {"message": "Unauthorized"}, {}
        user = query.get("broadcaster_user_id", "")
        data = []
        if user in self.kick:
            data.append({
                "broadcaster_user_id": int(user), "channel_id": 7, "slug": "meridian",
                "stream_title": "Live update", "language": "en", "has_mature_content": False,
                "viewer_count": self.kick[user], "started_at": "2026-11-26T13:00:00Z",
                "category": {"id": 15, "name": "Just Chatting", "thumbnail": ""},
            })
        return 200, {"data": data, "message": "OK"}, {}


@pytest.fixture
def viewer_apis() -> Iterator[ViewerApis]:
    apis = ViewerApis().start()
    yield apis
    apis.stop()
