"""Secrets live in the OS keyring, never in the database, settings or logs.

Where no keyring backend works (a headless Linux box), that is said plainly and the explicit
alternative is environment variables (for X: COMMSDESK_X_*). Nothing falls back to plaintext.
"""

from __future__ import annotations

from dataclasses import fields

from commsdesk.publishing.x.api import XCredentials

SERVICE = "CommsDesk"
ENV_ACCOUNT = "env"  # the account name under which COMMSDESK_X_* credentials are offered


class KeyringUnavailable(RuntimeError):
    pass


def _keyring():
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    usable = not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 1) > 0
    if not usable:
        raise KeyringUnavailable(
            "No system keyring is available on this machine, so secrets cannot be stored. "
            "Give the X account through the COMMSDESK_X_CONSUMER_KEY, "
            "COMMSDESK_X_CONSUMER_SECRET, COMMSDESK_X_ACCESS_TOKEN and "
            "COMMSDESK_X_ACCESS_SECRET environment variables instead."
        )
    return keyring


def keyring_status() -> str | None:
    """None when the keyring works; otherwise the sentence to show the person."""
    try:
        _keyring()
    except KeyringUnavailable as exc:
        return str(exc)
    return None


def store_x_credentials(account: str, credentials: XCredentials) -> None:
    keyring = _keyring()
    for field in fields(XCredentials):
        keyring.set_password(SERVICE, f"x:{account}:{field.name}", getattr(credentials, field.name))


def load_x_credentials(account: str) -> XCredentials | None:
    """The account's credentials: from the environment for the 'env' account, else the keyring
    (None when it has none, or there is no keyring)."""
    if account == ENV_ACCOUNT:
        return XCredentials.from_env()
    try:
        keyring = _keyring()
    except KeyringUnavailable:
        return None
    values = [keyring.get_password(SERVICE, f"x:{account}:{f.name}") for f in fields(XCredentials)]
    return XCredentials(*values) if all(values) else None


# --- viewer sources (YouTube API key, Twitch and Kick client secrets) ---------------------------


def _viewer_key(source: str, name: str) -> str:
    return f"viewers:{source}:{name}"


def store_viewer_secret(source: str, name: str, value: str) -> None:
    """Keep a viewer source's secret (e.g. "api_key", "client_secret") under its label."""
    _keyring().set_password(SERVICE, _viewer_key(source, name), value)


def load_viewer_secret(source: str, name: str) -> str | None:
    """The secret, or None when it was never stored or there is no keyring."""
    try:
        keyring = _keyring()
    except KeyringUnavailable:
        return None
    return keyring.get_password(SERVICE, _viewer_key(source, name))


def delete_viewer_secret(source: str, name: str) -> None:
    from contextlib import suppress

    import keyring.errors

    with suppress(KeyringUnavailable, keyring.errors.PasswordDeleteError):
        _keyring().delete_password(SERVICE, _viewer_key(source, name))


VIEWER_SECRET_NAMES = ("api_key", "client_secret")


def forget_viewer_secrets(source: str) -> None:
    """Every secret a viewer source can have, gone (the source was removed)."""
    for name in VIEWER_SECRET_NAMES:
        delete_viewer_secret(source, name)


# --- OBS WebSocket password ----------------------------------------------------------------------

ENV_OBS_PASSWORD = "COMMSDESK_OBS_PASSWORD"
_OBS_PASSWORD_KEY = "obs:password"


def store_obs_password(password: str) -> None:
    """The OBS WebSocket server password, in the keyring."""
    _keyring().set_password(SERVICE, _OBS_PASSWORD_KEY, password)


def load_obs_password() -> str | None:
    """COMMSDESK_OBS_PASSWORD when set (automation), else the keyring's; None when neither has
    one (an OBS without authentication needs none)."""
    import os

    from_env = os.environ.get(ENV_OBS_PASSWORD)
    if from_env is not None:
        return from_env
    try:
        keyring = _keyring()
    except KeyringUnavailable:
        return None
    return keyring.get_password(SERVICE, _OBS_PASSWORD_KEY)


def _team_key(url) -> str:
    """The keyring entry for a team database login: the URL without its password."""
    from sqlalchemy.engine import make_url

    return "team:" + make_url(url).set(password=None).render_as_string(hide_password=False)


def store_team_password(url, password: str) -> None:
    _keyring().set_password(SERVICE, _team_key(url), password)


def with_team_password(url):
    """`url` with the password the keyring holds for its login, when it names none. Without
    a keyring entry it is returned unchanged (libpq may still find PGPASSWORD or ~/.pgpass)."""
    from sqlalchemy.engine import make_url

    url = make_url(url)
    if url.password or url.get_backend_name() != "postgresql":
        return url
    try:
        password = _keyring().get_password(SERVICE, _team_key(url))
    except KeyringUnavailable:
        return url
    return url.set(password=password) if password else url


# The P-1 chain's Twilio account, under the same names as the variables that offer it.
TWILIO_NAMES = (
    "COMMSDESK_TWILIO_ACCOUNT_SID", "COMMSDESK_TWILIO_AUTH_TOKEN", "COMMSDESK_TWILIO_FROM",
)


def store_twilio(account_sid: str, auth_token: str, from_number: str) -> None:
    keyring = _keyring()
    for name, value in zip(TWILIO_NAMES, (account_sid, auth_token, from_number), strict=True):
        keyring.set_password(SERVICE, f"twilio:{name}", value)


def load_twilio() -> dict[str, str]:
    """What the keyring holds of the Twilio account, by variable name ({} without a keyring)."""
    try:
        keyring = _keyring()
    except KeyringUnavailable:
        return {}
    found = {name: keyring.get_password(SERVICE, f"twilio:{name}") for name in TWILIO_NAMES}
    return {name: value for name, value in found.items() if value}
