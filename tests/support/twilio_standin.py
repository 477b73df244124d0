"""A local stand-in for Twilio's REST API (2010-04-01): a real HTTP server on 127.0.0.1.

HTTP Basic auth with one account SID and auth token (Twilio's 401, code 20003, otherwise). JSON
shapes follow Twilio's Call and Message resources and list pages; errors are Twilio's legacy
shape `{"code", "message", "more_info", "status"}`. Times are RFC 2822, as Twilio writes them.

Calls progress by a per-number script of (seconds after placing, status, answered_by) steps,
read on each request: `script(number, ["ringing", "no-answer"])`, `answer(number, "human")`,
`busy`, `no_answer`, `fail`. An unscripted number rings until the call's Timeout, then
no-answer; so does any script still ringing then. `fail_next(status)` answers the next
request(s) with Twilio's error; `receive_sms(from_number, body)` makes an inbound text listable.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

ACCOUNT_SID = "AC3f0c5d1e9a8b7c6d5e4f3a2b1c0d9e8f"
AUTH_TOKEN = "5e7b1c0ffee4a9d2b8e6f3a1c7d9e2b4"
PHONE_NUMBER = "+15005550006"  # the account's number: calls and texts come from it
API = "/2010-04-01/Accounts/"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
ENDED = {"completed", "busy", "no-answer", "failed", "canceled"}
RING_START = 0.02  # seconds from queued to ringing

Step = tuple[float, str, "str | None"]  # (seconds after placing, status, answered_by)


def rfc2822(moment: datetime | None) -> str | None:
    return format_datetime(moment.astimezone(UTC)) if moment else None


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]


@dataclass
class StoredCall:
    sid: str
    form: dict[str, str]  # what the desk posted: To, From, Twiml, Timeout, MachineDetection...
    created: datetime
    placed: float  # monotonic
    steps: list[Step]

    @property
    def say(self) -> str:
        """The text the Twiml speaks, unescaped."""
        return "".join(ET.fromstring(self.form.get("Twiml", "<Response/>")).itertext())

    def state(self, now: float) -> tuple[Step, Step | None, Step | None]:
        """The step in force, the first step past ringing, and the one that ended the call."""
        reached = [step for step in self.steps if step[0] <= now - self.placed]
        answered = next((s for s in reached if s[1] not in ("queued", "ringing")), None)
        return reached[-1], answered, next((s for s in reached if s[1] in ENDED), None)


@dataclass
class StoredMessage:
    sid: str
    to: str
    from_: str
    body: str
    direction: str
    status: str
    sent: datetime
    form: dict[str, str] = field(default_factory=dict)


class TwilioStandIn:
    """The server and everything it was asked: `start()`, `url`, then `stop()`."""

    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.phone_number = PHONE_NUMBER
        self.requests: list[SeenRequest] = []
        self.calls: dict[str, StoredCall] = {}
        self.messages: list[StoredMessage] = []
        self._scripts: dict[str, list[Step]] = {}
        self._failures: list[tuple[int, float | None]] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self.answer_after = 0.0  # seconds each request waits for its answer (as over a network)

    # -- life -----------------------------------------------------------------------------------

    def start(self) -> TwilioStandIn:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.standin = self  # type: ignore[attr-defined]
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- scripting ------------------------------------------------------------------------------

    def script(
        self, number: str, steps: Sequence[str | Step], *, step_seconds: float = 0.05
    ) -> None:
        """Calls to `number` go queued, then through `steps`: statuses `step_seconds` apart, or
        (seconds after placing, status, answered_by)."""
        built: list[Step] = [(0.0, "queued", None)]
        for i, step in enumerate(steps, 1):
            built.append((i * step_seconds, step, None) if isinstance(step, str) else tuple(step))
        self._scripts[number] = sorted(built, key=lambda step: step[0])

    def answer(
        self, number: str, answered_by: str = "human", after: float = 0.1, *,
        detect: float = 0.0, talk: float | None = None,
    ) -> None:
        """Answered after `after` s; machine detection's verdict `detect` s later; the call
        completes `talk` s after that (None: stays in progress)."""
        steps: list[Step] = [(RING_START, "ringing", None)]
        steps.append((after, "in-progress", None if detect else answered_by))
        if detect:
            steps.append((after + detect, "in-progress", answered_by))
        if talk is not None:
            steps.append((after + detect + talk, "completed", answered_by))
        self.script(number, steps)

    def busy(self, number: str, after: float = 0.05) -> None:
        self.script(number, [(after, "busy", None)])

    def no_answer(self, number: str, after: float = 0.1) -> None:
        self.script(number, [(RING_START, "ringing", None), (after, "no-answer", None)])

    def fail(self, number: str, after: float = 0.0) -> None:
        self.script(number, [(after, "failed", None)])

    def fail_next(self, status: int, times: int = 1, retry_after: float | None = None) -> None:
        """Answer the next `times` requests with Twilio's error for `status`."""
        with self._lock:
            self._failures.extend([(status, retry_after)] * times)

    def receive_sms(self, from_number: str, body: str, *, at: datetime | None = None) -> str:
        """An inbound text to the account's number, sent at `at` (now)."""
        with self._lock:
            message = StoredMessage(
                _sid("SM"), self.phone_number, from_number, body, "inbound", "received",
                at or datetime.now(UTC),
            )
            self.messages.append(message)
            return message.sid

    # -- what was asked -------------------------------------------------------------------------

    @property
    def calls_placed(self) -> list[StoredCall]:
        with self._lock:
            return list(self.calls.values())

    @property
    def messages_sent(self) -> list[StoredMessage]:
        with self._lock:
            return [message for message in self.messages if message.direction != "inbound"]

    def call_json(self, sid: str) -> dict:
        """The Call resource as Twilio would answer it now."""
        call = self.calls[sid]
        (_, status, answered_by), answered, ended = call.state(time.monotonic())

        def at(step: Step) -> datetime:
            return call.created + timedelta(seconds=step[0])

        ringing = next((s for s in call.steps if s[1] != "queued"), None)
        started = at(ringing) if ringing and ringing[0] <= time.monotonic() - call.placed else None
        duration = None
        if ended:
            talked = at(ended) - at(answered) if answered and status == "completed" else None
            duration = str(int(talked.total_seconds()) if talked else 0)
        uri = f"{API}{self.account_sid}/Calls/{sid}.json"
        return {
            "sid": sid, "account_sid": self.account_sid, "api_version": "2010-04-01",
            "to": call.form.get("To"), "to_formatted": call.form.get("To"),
            "from": call.form.get("From"), "from_formatted": call.form.get("From"),
            "status": status, "answered_by": answered_by, "direction": "outbound-api",
            "date_created": rfc2822(call.created), "date_updated": rfc2822(datetime.now(UTC)),
            "start_time": rfc2822(started), "end_time": rfc2822(at(ended) if ended else None),
            "duration": duration, "price": None, "price_unit": "USD", "parent_call_sid": None,
            "phone_number_sid": "PN" + "0" * 32, "forwarded_from": None, "caller_name": None,
            "group_sid": None, "queue_time": "0", "trunk_sid": None, "uri": uri,
            "subresource_uris": {"notifications": uri.replace(".json", "/Notifications.json")},
        }

    def message_json(self, message: StoredMessage) -> dict:
        uri = f"{API}{self.account_sid}/Messages/{message.sid}.json"
        return {
            "sid": message.sid, "account_sid": self.account_sid, "api_version": "2010-04-01",
            "to": message.to, "from": message.from_, "body": message.body,
            "status": message.status, "direction": message.direction,
            "date_created": rfc2822(message.sent), "date_updated": rfc2822(message.sent),
            "date_sent": rfc2822(message.sent), "num_segments": "1", "num_media": "0",
            "error_code": None, "error_message": None, "price": None, "price_unit": "USD",
            "messaging_service_sid": None, "uri": uri,
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
        }

    # -- answering ------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict, form: dict, auth: str) -> tuple:
        """(status, JSON body, extra headers) for one request."""
        if self.answer_after:
            time.sleep(self.answer_after)
        with self._lock:
            self.requests.append(SeenRequest(method, path, query, form))
            if self._failures:
                status, retry_after = self._failures.pop(0)
                headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
                return status, injected(status), headers
            expected = f"{self.account_sid}:{self.auth_token}".encode()
            if auth != "Basic " + base64.b64encode(expected).decode():
                return 401, injected(401), {"WWW-Authenticate": 'Basic realm="Twilio API"'}
            route = re.fullmatch(rf"{API}([^/]+)/(Calls|Messages)(?:/([A-Z]{{2}}\w+))?\.json", path)
            if route is None or route[1] != self.account_sid:
                return 404, error(404, 20404, f"The requested resource {path} was not found"), {}
            kind, sid = route[2], route[3]
            if kind == "Calls" and sid is None and method == "POST":
                return self._place_call(form)
            if kind == "Calls" and sid in self.calls:
                if method == "POST" and form.get("Status"):
                    return self._update_call(sid, form["Status"])
                return 200, self.call_json(sid), {}
            if kind == "Messages" and sid is None and method == "POST":
                return self._send_message(form)
            if kind == "Messages" and sid is None and method == "GET":
                return 200, self._message_page(path, query), {}
            return 404, error(404, 20404, f"The requested resource {path} was not found"), {}

    def _place_call(self, form: dict) -> tuple:
        if not E164.match(form.get("To", "")):
            return 400, error(400, 21211, f"Invalid 'To' Phone Number: {form.get('To')}"), {}
        if form.get("From") != self.phone_number:
            return 400, error(400, 21210, "The source phone number provided is not verified"), {}
        timeout = float(form.get("Timeout", 60))
        ringing: list[Step] = [(0.0, "queued", None), (RING_START, "ringing", None)]
        steps = self._scripts.get(form["To"], ringing)
        outcome = next((step for step in steps if step[1] not in ("queued", "ringing")), None)
        if outcome is None or outcome[0] > timeout:  # Twilio stops ringing at Timeout
            steps = [s for s in steps if s[0] < timeout] + [(timeout, "no-answer", None)]
        call = StoredCall(_sid("CA"), form, datetime.now(UTC), time.monotonic(), list(steps))
        self.calls[call.sid] = call
        return 201, self.call_json(call.sid), {}

    def _update_call(self, sid: str, wanted: str) -> tuple:
        call = self.calls[sid]
        elapsed = time.monotonic() - call.placed
        (_, status, answered_by), _, _ = call.state(time.monotonic())
        if status in ENDED:
            return 400, error(400, 21220, "Call is not in-progress. Cannot redirect."), {}
        if status in ("queued", "ringing") and wanted in ("canceled", "completed"):
            new = "canceled"
        elif status == "in-progress" and wanted == "completed":
            new = "completed"
        else:  # Twilio ignores "canceled" once a call is answered
            return 200, self.call_json(sid), {}
        call.steps = [s for s in call.steps if s[0] <= elapsed] + [(elapsed, new, answered_by)]
        return 200, self.call_json(sid), {}

    def _send_message(self, form: dict) -> tuple:
        if not E164.match(form.get("To", "")):
            return 400, error(400, 21211, f"The 'To' number {form.get('To')} is not valid."), {}
        if form.get("From") != self.phone_number:
            return 400, error(400, 21606, "The From phone number is not a valid number."), {}
        if not form.get("Body"):
            return 400, error(400, 21602, "Message body is required."), {}
        message = StoredMessage(
            _sid("SM"), form["To"], form["From"], form["Body"], "outbound-api", "queued",
            datetime.now(UTC), form,
        )
        self.messages.append(message)
        answer = self.message_json(message)
        message.status = "sent"
        return 201, answer, {}

    def _message_page(self, path: str, query: dict) -> dict:
        found = [
            m for m in self.messages
            if query.get("To", m.to) == m.to and query.get("From", m.from_) == m.from_
            and _since(query.get("DateSent>"), m.sent)
        ]
        found.sort(key=lambda m: m.sent, reverse=True)  # Twilio lists newest first
        size, page = int(query.get("PageSize", 50)), int(query.get("Page", 0))
        filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def page_uri(n: int) -> str:
            return f"{path}?{urlencode({**filters, 'PageSize': size, 'Page': n})}"

        more = len(found) > (page + 1) * size
        return {
            "messages": [self.message_json(m) for m in found[page * size:(page + 1) * size]],
            "page": page, "page_size": size, "start": page * size,
            "end": min(len(found), (page + 1) * size) - 1, "uri": page_uri(page),
            "first_page_uri": page_uri(0), "next_page_uri": page_uri(page + 1) if more else None,
            "previous_page_uri": page_uri(page - 1) if page else None,
        }


def error(status: int, code: int, message: str) -> dict:
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    return {"code": code, "message": message, "more_info": more_info, "status": status}


def injected(status: int) -> dict:
    """Twilio's generic error for `status`: 20003 Authenticate, 20429 Too Many Requests..."""
    if status == 401:
        return error(401, 20003, "Authenticate")
    return error(status, 20000 + status, HTTPStatus(status).phrase)


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def _since(value: str | None, sent: datetime) -> bool:
    """Twilio's `DateSent>` (on or after): a day (YYYY-MM-DD) or a moment, in UTC."""
    if value is None:
        return True
    form = "%Y-%m-%d" if len(value) == 10 else "%Y-%m-%dT%H:%M:%SZ"
    return sent.replace(microsecond=0) >= datetime.strptime(value, form).replace(tzinfo=UTC)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        self._answer()

    def do_POST(self) -> None:  # noqa: N802
        self._answer()

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
        standin: TwilioStandIn = self.server.standin  # type: ignore[attr-defined]
        if standin._server is None:  # stopped: a kept-alive connection gets no answer
            self.close_connection = True
            return
        status, body, headers = standin.handle(
            self.command, parts.path, dict(parse_qsl(parts.query)), form,
            self.headers.get("Authorization", ""),
        )
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Twilio-Request-Id", _sid("RQ"))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass
