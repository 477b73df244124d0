"""Kick's public API: `GET /public/v1/livestreams?broadcaster_user_id=ID` answers
`{"data":[{"viewer_count":...,"started_at":...}],"message":"OK"}`, `data` empty when not live.
With a client id and secret it sends an app token from id.kick.com's client-credentials grant."""

from __future__ import annotations

from commsdesk.audience.sources.http_source import ClientCredentials, HttpSource, Refusal
from commsdesk.audience.sources.reading import Reading, SourceState

KICK_API = "https://api.kick.com"
KICK_ID = "https://id.kick.com"


class KickSource(HttpSource):
    platform = "Kick"
    bound_platform = "kick"

    def __init__(
        self, label: str, broadcaster_user_id: int | str, *, client_id: str = "",
        client_secret: str = "", interval: float = 10.0, base_url: str = KICK_API,
        id_url: str = KICK_ID, **kwargs,
    ) -> None:
        super().__init__(label, interval, **kwargs)
        self.broadcaster_user_id = str(broadcaster_user_id)
        self.url = base_url.rstrip("/") + "/public/v1/livestreams"
        self.credentials = None
        if client_id and client_secret:
            self.credentials = ClientCredentials(
                self.client, id_url.rstrip("/") + "/oauth/token", client_id, client_secret,
                platform="Kick", clock=self.clock,
            )

    def _ask(self):
        headers = {"Accept": "application/json"}
        if self.credentials is not None:
            headers["Authorization"] = f"Bearer {self.credentials.token(self._gap)}"
        params = {"broadcaster_user_id": self.broadcaster_user_id}
        return self._send("GET", self.url, params=params, headers=headers)

    def _fetch(self) -> Reading:
        response = self._ask()
        if response.status_code == 401 and self.credentials is not None:
            self.credentials.invalidate()
            response = self._ask()
        if response.status_code in (401, 403):
            raise Refusal(
                self._gap(
                    SourceState.TOKEN_EXPIRED if response.status_code == 401
                    else SourceState.CREDENTIALS_REFUSED,
                    f"Kick refused the request (HTTP {response.status_code})",
                )
            )
        self._common_refusals(response)
        if response.status_code != 200:
            raise Refusal(
                self._gap(SourceState.FAILED, f"Kick answered HTTP {response.status_code}")
            )
        body = self._json(response)
        data = body.get("data") if isinstance(body, dict) else None
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            raise self._malformed("has no data list")
        if not data:
            return self._gap(SourceState.OFFLINE, "The channel is not live on Kick")
        viewers = data[0].get("viewer_count") if isinstance(data[0], dict) else None
        if not isinstance(viewers, int) or isinstance(viewers, bool) or viewers < 0:
            raise self._malformed(f"has viewer_count {viewers!r}, not a count")
        return self._ok(viewers)
