"""Twitch Helix: `GET /helix/streams?user_login=NAME` with `Client-Id` and an app access token
from the client-credentials grant (POST to id.twitch.tv/oauth2/token), renewed before it
expires and once on a 401. An offline channel answers `{"data":[],"pagination":{}}`.
`Ratelimit-Remaining: 0` holds the next call until `Ratelimit-Reset`; a 429 too.
"""

from __future__ import annotations

from commsdesk.audience.sources.http_source import ClientCredentials, HttpSource, Refusal
from commsdesk.audience.sources.reading import Reading, SourceState

TWITCH_API = "https://api.twitch.tv"
TWITCH_ID = "https://id.twitch.tv"


class TwitchSource(HttpSource):
    platform = "Twitch"
    bound_platform = "twitch"

    def __init__(
        self, label: str, user_login: str, client_id: str, client_secret: str, *,
        interval: float = 5.0, base_url: str = TWITCH_API, id_url: str = TWITCH_ID, **kwargs,
    ) -> None:
        super().__init__(label, interval, **kwargs)
        self.user_login = user_login.strip().lstrip("@").lower()
        self.url = base_url.rstrip("/") + "/helix/streams"
        self.credentials = ClientCredentials(
            self.client, id_url.rstrip("/") + "/oauth2/token", client_id, client_secret,
            platform="Twitch", clock=self.clock,
        )

    def _ask(self) -> object:
        token = self.credentials.token(self._gap)
        headers = {"Client-Id": self.credentials.client_id, "Authorization": f"Bearer {token}"}
        return self._send("GET", self.url, params={"user_login": self.user_login}, headers=headers)

    def _fetch(self) -> Reading:
        response = self._ask()
        if response.status_code == 401:  # expired or revoked: one fresh token, one more try
            self.credentials.invalidate()
            response = self._ask()
            if response.status_code == 401:
                raise Refusal(
                    self._gap(
                        SourceState.TOKEN_EXPIRED,
                        "Twitch refused a freshly issued app token (401); check the client id",
                    )
                )
        self._common_refusals(response)
        if response.status_code != 200:
            raise Refusal(
                self._gap(SourceState.FAILED, f"Twitch answered HTTP {response.status_code}")
            )
        body = self._json(response)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise self._malformed("has no data list")
        hold = self._hold(response)
        if not data:
            reading = self._gap(SourceState.OFFLINE, f"{self.user_login} is not live")
        else:
            viewers = data[0].get("viewer_count") if isinstance(data[0], dict) else None
            if not isinstance(viewers, int) or isinstance(viewers, bool) or viewers < 0:
                raise self._malformed(f"has viewer_count {viewers!r}, not a count")
            reading = self._ok(viewers)
        if hold is not None:
            from dataclasses import replace

            reading = replace(reading, retry_at=hold)
        return reading

    def _hold(self, response) -> float | None:
        """Ratelimit-Remaining 0: no call before Ratelimit-Reset."""
        remaining = response.headers.get("Ratelimit-Remaining")
        reset = response.headers.get("Ratelimit-Reset")
        if remaining is None or reset is None:
            return None
        try:
            if int(remaining) > 0:
                return None
            return float(reset)
        except ValueError:
            return None
