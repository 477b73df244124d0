"""YouTube Data API v3: `videos.list?part=liveStreamingDetails&id=VIDEO&key=KEY`, 1 quota unit
a call out of 10,000 a day (see `commsdesk.audience.series.youtube_quota`).

`concurrentViewers` is a string, and absent when the owner hides the count or the stream has
ended: those are gaps (hidden, offline), never zeros. 403 quotaExceeded holds the source until
the quota resets at midnight Pacific time.
"""

from __future__ import annotations

from datetime import UTC, datetime

from commsdesk.audience.series import next_youtube_reset
from commsdesk.audience.sources.http_source import HttpSource, Refusal
from commsdesk.audience.sources.reading import Reading, SourceState

YOUTUBE_API = "https://www.googleapis.com"
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded", "rateLimitExceeded"}
KEY_REASONS = {
    "keyInvalid", "keyExpired", "API_KEY_INVALID", "forbidden", "accessNotConfigured",
    "ipRefererBlocked",
}


def error_reasons(body: object) -> set[str]:
    """The `reason` of each entry in Google's error envelope."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return set()
    errors = body["error"].get("errors") or []
    reasons = {e.get("reason", "") for e in errors if isinstance(e, dict)}
    details = body["error"].get("details") or []
    reasons |= {d.get("reason", "") for d in details if isinstance(d, dict)}
    return reasons - {""}


class YouTubeSource(HttpSource):
    platform = "YouTube"
    bound_platform = "youtube"

    def __init__(
        self, label: str, video_id: str, api_key: str, *, interval: float = 15.0,
        base_url: str = YOUTUBE_API, **kwargs,
    ) -> None:
        super().__init__(label, interval, **kwargs)
        self.video_id = video_id
        self._key = api_key
        self.url = base_url.rstrip("/") + "/youtube/v3/videos"
        self.units_used = 0  # since the last quota reset
        self._reset_at = 0.0

    def _count_unit(self) -> None:
        now = self.clock()
        if now >= self._reset_at:
            self.units_used = 0
            self._reset_at = next_youtube_reset(datetime.fromtimestamp(now, UTC)).timestamp()
        self.units_used += 1

    def _fetch(self) -> Reading:
        params = {"part": "liveStreamingDetails", "id": self.video_id, "key": self._key}
        self._count_unit()
        response = self._send("GET", self.url, params=params)
        if response.status_code in (400, 403):
            reasons = error_reasons(self._json(response))
            if reasons & QUOTA_REASONS:
                reset = next_youtube_reset(datetime.fromtimestamp(self.clock(), UTC))
                raise Refusal(
                    self._gap(
                        SourceState.QUOTA_EXCEEDED,
                        "The YouTube API quota for today is used up; the count comes back "
                        f"after it resets at {reset:%H:%M} UTC (midnight Pacific time)",
                        retry_at=reset.timestamp(),
                    )
                )
            if reasons & KEY_REASONS or response.status_code == 403:
                raise Refusal(
                    self._gap(
                        SourceState.CREDENTIALS_REFUSED,
                        f"YouTube refused the API key ({', '.join(sorted(reasons)) or 'HTTP 403'})",
                    )
                )
        self._common_refusals(response)
        if response.status_code == 404:
            raise Refusal(self._gap(SourceState.NOT_FOUND, "YouTube knows no such video"))
        if response.status_code != 200:
            raise Refusal(
                self._gap(SourceState.FAILED, f"YouTube answered HTTP {response.status_code}")
            )
        body = self._json(response)
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise self._malformed("has no list of items")
        if not items:
            raise Refusal(
                self._gap(
                    SourceState.NOT_FOUND,
                    f"YouTube has no video {self.video_id!r} (wrong id, private or deleted)",
                )
            )
        item = items[0]
        details = item.get("liveStreamingDetails") if isinstance(item, dict) else None
        if details is None:
            raise Refusal(self._gap(SourceState.OFFLINE, "The video is not a live broadcast"))
        if not isinstance(details, dict):
            raise self._malformed("has liveStreamingDetails that are not an object")
        if details.get("actualEndTime"):
            raise Refusal(self._gap(SourceState.OFFLINE, "The stream has ended"))
        viewers = details.get("concurrentViewers")
        if viewers is None:
            if details.get("scheduledStartTime") and not details.get("actualStartTime"):
                raise Refusal(self._gap(SourceState.OFFLINE, "The stream has not started yet"))
            raise Refusal(
                self._gap(SourceState.HIDDEN, "The channel does not show its viewer count")
            )
        try:
            count = int(str(viewers))
        except ValueError:
            raise self._malformed(f"has concurrentViewers {viewers!r}, not a number") from None
        if count < 0:
            raise self._malformed(f"has a negative viewer count ({count})")
        return self._ok(count)
