"""Who may do what in team mode: the capabilities a person is given and the names they map to.

Each capability is a PostgreSQL role the person's login is a member of; the server checks
them (see `schema.py`), the desk only reads them to show what a person can do.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

CAPABILITIES = ("draft", "approve", "post", "broadcast", "admin")
MEMBER_ROLE = "commsdesk_member"  # every person's login is in it; it holds the table grants
LOGIN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
FIRST_PASSWORD_HOURS = 24  # a first password stops working if not replaced by then


def capability_role(capability: str) -> str:
    return f"commsdesk_can_{capability}"


def capabilities(text: str) -> tuple[str, ...]:
    """'draft,approve' -> ('draft', 'approve'); unknown names are refused with the known ones."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in CAPABILITIES]
    if unknown:
        raise ValueError(
            f"unknown capability {', '.join(unknown)}: choose from {', '.join(CAPABILITIES)}"
        )
    if not names:
        raise ValueError(f"give at least one capability: {', '.join(CAPABILITIES)}")
    return tuple(dict.fromkeys(names))


def checked_login(login: str) -> str:
    """A login the desk creates: lower-case letters, digits and _ (no quoting surprises)."""
    if not LOGIN.match(login or ""):
        raise ValueError(
            f"{login!r} is not a usable login: lower-case letters, digits and _, starting with a "
            "letter, at most 63 characters"
        )
    return login


def first_password() -> str:
    """A one-time password for a new person: read out or handed over, replaced at first use."""
    return secrets.token_urlsafe(15)


@dataclass(frozen=True)
class Person:
    """The person signed in to a team database, as the server knows them."""

    login: str
    name: str
    can: frozenset[str]

    def may(self, capability: str) -> bool:
        return capability in self.can

    @property
    def scheduler(self) -> str:
        """The actor of what the scheduler does on this person's desk."""
        return f"Scheduler ({self.name})"


SSL_MODES = ("prefer", "require", "verify-full")


def team_url(
    host: str, port: int, database: str, login: str, sslmode: str = "prefer", ca_file: str = ""
) -> str:
    """The URL of a team database, never holding a password (that stays in the keyring).
    `verify-full` checks the server's certificate and name, against `ca_file` if given."""
    from sqlalchemy.engine import URL

    host, database, login = host.strip(), database.strip(), login.strip()
    missing = [what for what, value in (("host", host), ("database", database),
                                        ("login", login)) if not value]  # fmt: skip
    if missing:
        raise ValueError(f"give the {' and '.join(missing)}")
    if not 0 < port < 65536:
        raise ValueError(f"{port} is not a port (1-65535)")
    if sslmode not in SSL_MODES:
        raise ValueError(f"TLS mode {sslmode!r}: choose from {', '.join(SSL_MODES)}")
    query = {"sslmode": sslmode}
    if ca_file.strip():
        query["sslrootcert"] = ca_file.strip()
    if host.startswith("/"):  # a Unix socket's folder (a server on this machine)
        query.update(host=host, port=str(port))
        host, port = None, None
    return URL.create(
        "postgresql+psycopg", username=login, host=host, port=port, database=database,
        query=query,
    ).render_as_string(hide_password=False)  # fmt: skip
