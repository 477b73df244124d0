"""Shared HTTP handling for the viewer sources: one httpx client with timeouts per source,
transport failures and common statuses turned into gap readings, and app access tokens from the
OAuth client-credentials grant (Twitch, Kick), renewed before they expire."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from commsdesk.audience.sources.reading import Reading, SourceState, gap
from commsdesk.audience.validation import Rejected, check_count

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "CommsDesk audience desk"


class Refusal(Exception):
    """An answer that is a gap: carries the reading to give."""

    def __init__(self, reading: Reading) -> None:
        super().__init__(reading.detail)
        self.reading = reading


def retry_after(response: httpx.Response, now: float) -> float | None:
    """When to ask again: Ratelimit-Reset (epoch seconds, Twitch), else Retry-After."""
    reset = response.headers.get("Ratelimit-Reset")
    if reset:
        try:
            return float(reset)
        except ValueError:
            pass
    after = response.headers.get("Retry-After")
    if after:
        try:
            return now + float(after)
        except ValueError:
            try:
                return parsedate_to_datetime(after).timestamp()
            except (TypeError, ValueError):
                pass
    return None


class HttpSource:
    """Base of the HTTP sources: `_get_json` returns the decoded JSON or raises Refusal. A count
    above the platform's plausible bound (`bound_platform`, see commsdesk.audience.validation)
    is answered as a REJECTED gap, never as a number."""

    platform = "HTTP"
    bound_platform = ""  # "youtube", "twitch", "kick", "x"; "" for the bound on any stream

    def __init__(
        self,
        label: str,
        interval: float,
        *,
        timeout: httpx.Timeout | float = TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.label = label
        self.interval = interval
        self.clock = clock
        self.client = httpx.Client(
            timeout=timeout, transport=transport, headers={"User-Agent": USER_AGENT},
            follow_redirects=True,
        )

    def close(self) -> None:
        self.client.close()

    def _gap(self, state: SourceState, detail: str, retry_at: float | None = None) -> Reading:
        return gap(self.label, state, detail, at=self.clock(), retry_at=retry_at)

    def _ok(self, viewers: float) -> Reading:
        try:
            count = check_count(viewers, self.bound_platform)
        except Rejected as exc:
            return self._gap(SourceState.REJECTED, f"{self.platform} answered {exc}")
        return Reading(self.label, self.clock(), float(count))

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise Refusal(
                self._gap(SourceState.SLOW, f"{self.platform} did not answer in time")
            ) from None
        except httpx.TransportError as exc:
            raise Refusal(
                self._gap(
                    SourceState.UNREACHABLE,
                    f"{self.platform} cannot be reached ({type(exc).__name__})",
                )
            ) from None

    def _common_refusals(self, response: httpx.Response) -> None:
        """429 and server errors, the same for every platform."""
        if response.status_code == 429:
            until = retry_after(response, self.clock()) or self.clock() + max(self.interval, 30)
            raise Refusal(
                self._gap(
                    SourceState.RATE_LIMITED,
                    f"{self.platform} is rate limiting the desk until "
                    f"{time.strftime('%H:%M:%S', time.gmtime(until))} UTC",
                    retry_at=until,
                )
            )
        if response.status_code >= 500:
            raise Refusal(
                self._gap(
                    SourceState.UNREACHABLE,
                    f"{self.platform} answered with a server error ({response.status_code})",
                )
            )

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            raise Refusal(
                self._gap(
                    SourceState.MALFORMED,
                    f"{self.platform} answered with something that is not JSON "
                    f"(HTTP {response.status_code})",
                )
            ) from None

    def _malformed(self, what: str) -> Refusal:
        return Refusal(self._gap(SourceState.MALFORMED, f"{self.platform}'s answer {what}"))

    def fetch(self) -> Reading:
        try:
            return self._fetch()
        except Refusal as refusal:
            return refusal.reading

    def _fetch(self) -> Reading:
        raise NotImplementedError


class ClientCredentials:
    """An app access token from an OAuth client-credentials grant, kept until shortly before
    it expires (`renew_before` seconds, or a tenth of its life when shorter), renewed on
    demand (`invalidate()` after a 401). Thread-safe. The secret never appears in errors."""

    def __init__(
        self,
        client: httpx.Client,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        platform: str,
        renew_before: float = 300.0,
        clock: Callable[[], float] = time.time,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        self.client = client
        self.token_url = token_url
        self.client_id = client_id
        self._secret = client_secret
        self.platform = platform
        self.renew_before = renew_before
        self.clock = clock
        self.extra = dict(extra or {})
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()
        self.grants = 0  # how many tokens were obtained (for the status line and tests)

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def token(self, make_gap: Callable[[SourceState, str], Reading]) -> str:
        with self._lock:
            if self._token is not None and self.clock() < self._expires_at:
                return self._token
            form = {
                "client_id": self.client_id,
                "client_secret": self._secret,
                "grant_type": "client_credentials",
                **self.extra,
            }
            try:
                response = self.client.post(self.token_url, data=form)
            except httpx.TimeoutException:
                raise Refusal(
                    make_gap(SourceState.SLOW, f"{self.platform}'s token service did not answer")
                ) from None
            except httpx.TransportError as exc:
                raise Refusal(
                    make_gap(
                        SourceState.UNREACHABLE,
                        f"{self.platform}'s token service cannot be reached "
                        f"({type(exc).__name__})",
                    )
                ) from None
            if response.status_code in (400, 401, 403):
                raise Refusal(
                    make_gap(
                        SourceState.CREDENTIALS_REFUSED,
                        f"{self.platform} refused the client id and secret "
                        f"(HTTP {response.status_code}); check them in the source's settings",
                    )
                )
            try:
                body = response.json()
                token = str(body["access_token"])
                lifetime = float(body.get("expires_in", 3600))
            except (ValueError, KeyError, TypeError):
                raise Refusal(
                    make_gap(
                        SourceState.MALFORMED,
                        f"{self.platform}'s token service gave no access token "
                        f"(HTTP {response.status_code})",
                    )
                ) from None
            self._token = token
            self._expires_at = self.clock() + lifetime - min(self.renew_before, lifetime / 10)
            self.grants += 1
            return token
