"""A configured source (commsdesk.audience.series.AudienceSource) made into a live one, with its
secrets from the keyring. Non-secret config keys per kind:
youtube {video_id}, twitch {user_login, client_id}, kick {broadcaster_user_id, client_id?},
json_url {url, pointer}; base URLs (`base_url`, `id_url`) may be set for a stand-in server.
Secrets: youtube "api_key", twitch/kick "client_secret"."""

from __future__ import annotations

from collections.abc import Callable

from commsdesk.audience.series import AudienceSource
from commsdesk.audience.sources.json_url import JsonUrlSource
from commsdesk.audience.sources.kick import KickSource
from commsdesk.audience.sources.manual import ManualSource
from commsdesk.audience.sources.reading import ViewerSource
from commsdesk.audience.sources.twitch import TwitchSource
from commsdesk.audience.sources.youtube import YouTubeSource
from commsdesk.audience.validation import platform_key
from commsdesk.keyring_secrets import load_viewer_secret


class MissingSecret(LookupError):
    pass


def build_source(
    source: AudienceSource,
    secret: Callable[[str, str], str | None] = load_viewer_secret,
) -> ViewerSource:
    """Raises MissingSecret (the message says which) or KeyError for a missing config key."""
    config = source.config

    def needed(name: str) -> str:
        value = secret(source.label, name)
        if not value:
            raise MissingSecret(f"{source.label} needs its {name.replace('_', ' ')} in the keyring")
        return value

    urls = {k: config[k] for k in ("base_url", "id_url") if config.get(k)}
    if source.kind == "youtube":
        return YouTubeSource(
            source.label, config["video_id"], needed("api_key"), interval=source.interval,
            **{k: v for k, v in urls.items() if k == "base_url"},
        )
    if source.kind == "twitch":
        return TwitchSource(
            source.label, config["user_login"], config["client_id"], needed("client_secret"),
            interval=source.interval, **urls,
        )
    if source.kind == "kick":
        client_id = config.get("client_id", "")
        return KickSource(
            source.label, config["broadcaster_user_id"], client_id=client_id,
            client_secret=needed("client_secret") if client_id else "",
            interval=source.interval, **urls,
        )
    if source.kind == "json_url":
        return JsonUrlSource(
            source.label, config["url"], config.get("pointer", ""), interval=source.interval,
            bound_platform=platform_key(source.label),
        )
    if source.kind == "manual":
        return ManualSource(source.label, interval=source.interval)
    raise ValueError(f"{source.kind} sources are built from a file, not from settings")
