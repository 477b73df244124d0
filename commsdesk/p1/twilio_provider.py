"""The P-1 chain's phone provider on Twilio's REST API (2010-04-01), through the official SDK.

Polled only: a call's progress is read with `call_status`, replies with `replies`; no webhook.
Every failure leaves as a `ProviderError`; the auth token never appears in a message or a log.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import escape

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from commsdesk.p1.provider import CallOutcome, CallStatus, ProviderError, Reply

log = logging.getLogger(__name__)

ENV_ACCOUNT_SID = "COMMSDESK_TWILIO_ACCOUNT_SID"
ENV_AUTH_TOKEN = "COMMSDESK_TWILIO_AUTH_TOKEN"
ENV_FROM = "COMMSDESK_TWILIO_FROM"
ENV_API_URL = "COMMSDESK_TWILIO_API_URL"  # tests and staging only

_RINGING = {"queued", "ringing"}
_ENDED_WITHOUT_ANSWER = {
    "busy": CallOutcome.BUSY,
    "no-answer": CallOutcome.NO_ANSWER,
    "failed": CallOutcome.FAILED,
    "canceled": CallOutcome.CANCELED,
}
_CALL_NOT_IN_PROGRESS = 21220  # Twilio's answer to changing a call that has already ended


def call_outcome(status: str | None, answered_by: str | None) -> CallOutcome:
    """The chain's reading of a Twilio call's `status` and `answered_by` (machine detection).

    A person (`human`) counts as soon as detection says so, even mid-call; any `machine_*` or
    `fax` is a machine. Detection answers `unknown` when it cannot tell; Twilio then speaks the
    message anyway, and a machine is nearly always recognised by its greeting or beep, so a
    call that *completed* after `unknown` most likely reached a person: HUMAN. While such a call
    is still in progress it stays PENDING. A completed call with no verdict at all was hung up
    during detection, before the message was spoken: nobody heard it, so NO_ANSWER and the
    chain goes on.
    """
    if status in _ENDED_WITHOUT_ANSWER:
        return _ENDED_WITHOUT_ANSWER[status]
    if status in ("in-progress", "completed"):
        if answered_by == "human":
            return CallOutcome.HUMAN
        if answered_by == "fax" or (answered_by or "").startswith("machine"):
            return CallOutcome.MACHINE
        if status == "in-progress":
            return CallOutcome.PENDING
        return CallOutcome.HUMAN if answered_by == "unknown" else CallOutcome.NO_ANSWER
    return CallOutcome.PENDING  # queued, ringing, or a status this desk does not know yet


def twiml_say(text: str) -> str:
    """TwiML that speaks `text` (escaped) to whoever answers."""
    return f"<Response><Say>{escape(text)}</Say></Response>"


def utc_time(value: datetime | str | None) -> datetime | None:
    """A Twilio time (a datetime, or an RFC 2822 string) as aware UTC; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class RoutedHttpClient(TwilioHttpClient):
    """The SDK's HTTP client, optionally sending every request to another base URL, and
    remembering each thread's last answer (for Retry-After, which the SDK's errors drop)."""

    def __init__(self, base_url: str | None = None, *, timeout: float = 10.0) -> None:
        super().__init__(timeout=timeout)
        self._base = urlsplit(base_url.rstrip("/")) if base_url else None
        self._local = threading.local()

    @property
    def last_response(self) -> Response | None:
        return getattr(self._local, "response", None)

    def route(self, url: str) -> str:
        if self._base is None:
            return url
        parts = urlsplit(url)
        path = self._base.path + parts.path
        return urlunsplit((self._base.scheme, self._base.netloc, path, parts.query, ""))

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> Response:
        self._local.response = None
        response = super().request(method, self.route(url), *args, **kwargs)
        self._local.response = response
        return response


class TwilioProvider:
    """`PhoneProvider` on a Twilio account: calls and texts from `from_number` (E.164)."""

    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        *,
        api_url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.from_number = from_number
        self._secret = auth_token
        self._http = RoutedHttpClient(api_url, timeout=timeout)
        self._client = Client(account_sid, auth_token, http_client=self._http)

    def __repr__(self) -> str:
        return f"TwilioProvider(from_number={self.from_number!r})"

    # -- calls ----------------------------------------------------------------------------------

    def place_call(self, to: str, say: str, ring_seconds: int) -> str:
        with self._translated("placing a call"):
            call = self._client.calls.create(
                to=to,
                from_=self.from_number,
                twiml=twiml_say(say),
                timeout=ring_seconds,
                machine_detection="Enable",
            )
        log.info("call %s placed to %s", call.sid, to)
        return str(call.sid)

    def call_status(self, sid: str) -> CallStatus:
        with self._translated("reading a call"):
            call = self._client.calls(sid).fetch()
        return CallStatus(
            sid=sid,
            outcome=call_outcome(call.status, call.answered_by),
            started_at=utc_time(call.start_time),
            ended_at=utc_time(call.end_time),
            detail=f"{call.status}, answered_by={call.answered_by or 'none'}",
        )

    def hang_up(self, sid: str) -> None:
        """Cancel a queued or ringing call; end one already answered (the chain was cancelled,
        so the message may be cut short); leave one that has ended as it is."""
        with self._translated("hanging up a call"):
            status = self._client.calls(sid).fetch().status
            if status in _RINGING:
                # Twilio ignores "canceled" once a call is answered: it may have just been.
                status = self._update_call(sid, "canceled")
            if status == "in-progress":
                self._update_call(sid, "completed")
        log.info("call %s hung up", sid)

    def _update_call(self, sid: str, status: str) -> str | None:
        try:
            return self._client.calls(sid).update(status=status).status
        except TwilioRestException as exc:
            if exc.code == _CALL_NOT_IN_PROGRESS:
                return None  # it ended meanwhile
            raise

    # -- texts ----------------------------------------------------------------------------------

    def send_sms(self, to: str, body: str) -> str:
        with self._translated("sending a text"):
            message = self._client.messages.create(to=to, from_=self.from_number, body=body)
        log.info("text %s sent to %s", message.sid, to)
        return str(message.sid)

    def replies(self, since: datetime) -> list[Reply]:
        """Inbound texts to the desk's number sent at or after `since` (to the second: a reply
        may come again on the next poll; its sid tells)."""
        since = (utc_time(since) or since).replace(microsecond=0)
        with self._translated("reading replies"):
            messages = self._client.messages.list(to=self.from_number, date_sent_after=since)
        found = []
        for message in messages:
            at = utc_time(message.date_sent) or utc_time(message.date_created)
            if message.direction != "inbound" or at is None or at < since:
                continue
            found.append(Reply(str(message.sid), message.from_ or "", message.body or "", at))
        return sorted(found, key=lambda reply: reply.at)

    # -- errors ---------------------------------------------------------------------------------

    @contextmanager
    def _translated(self, doing: str) -> Iterator[None]:
        """Every failure while `doing` as a ProviderError, with no SDK exception chained."""
        try:
            yield
            return
        except ProviderError:
            raise
        except TwilioRestException as exc:
            error = self._http_error(doing, exc.status, exc.code, _own_words(exc.msg))
        except TwilioServiceException as exc:
            error = self._http_error(doing, exc.status, exc.code, exc.detail or exc.title)
        except requests.Timeout:
            error = ProviderError("unreachable", f"Twilio did not answer in time while {doing}")
        except requests.RequestException as exc:
            reason = type(exc).__name__
            error = ProviderError("unreachable", f"could not reach Twilio while {doing} ({reason})")
        except TwilioException as exc:
            response = next((arg for arg in exc.args if isinstance(arg, Response)), None)
            if response is None:
                error = ProviderError("server", f"Twilio's answer was not understood while {doing}")
            else:
                code, words = _error_body(response.text)
                error = self._http_error(doing, response.status_code, code, words)
        except (ValueError, TypeError, KeyError, AttributeError):  # a body not as documented
            error = ProviderError("server", f"Twilio's answer was not understood while {doing}")
        log.log(logging.WARNING if error.kind == "auth" else logging.INFO, "%s", error.message)
        raise error from None

    def _http_error(self, doing: str, status: int, code: int | None, words: str) -> ProviderError:
        words = self._scrubbed(words)
        said = f"{words} (" + (f"Twilio error {code}, " if code else "") + f"HTTP {status})"
        if status in (401, 403):
            return ProviderError("auth", f"Twilio refused the credentials while {doing}: {said}")
        if status == 429:
            return ProviderError(
                "rate_limited", f"Twilio asks to slow down while {doing}: {said}",
                retry_after=self._retry_after(),
            )
        if status >= 500:
            return ProviderError("server", f"Twilio failed while {doing}: {said}")
        return ProviderError("refused", f"Twilio refused {doing}: {said}")

    def _retry_after(self) -> float | None:
        response = self._http.last_response
        headers = (response.headers if response is not None else None) or {}
        value = headers.get("Retry-After")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            moment = utc_time(value)
            if moment is None:
                return None
            return max(0.0, (moment - datetime.now(UTC)).total_seconds())

    def _scrubbed(self, text: str) -> str:
        return text.replace(self._secret, "[redacted]") if self._secret else text


def _own_words(message: str) -> str:
    """Twilio's message without the SDK's "Unable to create record: " prefix."""
    prefix, colon, rest = message.partition(": ")
    return rest if colon and prefix.startswith("Unable to") else message


def _error_body(text: str) -> tuple[int | None, str]:
    """Twilio's error code and message from an error body, as far as it has them."""
    try:
        body = json.loads(text)
    except ValueError:
        return None, "an answer that was not JSON"
    if not isinstance(body, dict):
        return None, "an unexpected answer"
    code = body.get("code")
    return (code if isinstance(code, int) else None), str(body.get("message") or "no message")


def from_environment(env: Mapping[str, str] = os.environ) -> TwilioProvider | None:
    """A provider from the COMMSDESK_TWILIO_* variables; None when the account SID, the auth
    token or the from number is missing."""
    account_sid, auth_token, from_number = (
        env.get(ENV_ACCOUNT_SID), env.get(ENV_AUTH_TOKEN), env.get(ENV_FROM)
    )
    if not (account_sid and auth_token and from_number):
        return None
    api_url = env.get(ENV_API_URL) or None
    return TwilioProvider(account_sid, auth_token, from_number, api_url=api_url)
