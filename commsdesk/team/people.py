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
