"""The P-1 chain's rules, with no database and no clock of their own.

A chain is an ordered list of people (name, E.164 phone, ring time) called one at a time, in
order, for a number of rounds. The next person is called when a call ends unanswered (no answer,
busy, failed, an answering machine); the chain stops at the first person who answers as a human.
After the last round with no one answering, it is exhausted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from commsdesk.p1.provider import CallOutcome

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
DEFAULT_RING_SECONDS = 30
RING_SECONDS = (10, 120)  # what a person may set; a provider rings for at most about two minutes
DEFAULT_ROUNDS = 3
ROUNDS = (1, 10)
NAME_LENGTH = 120


class ChainProblem(ValueError):
    """A chain entry or setting that cannot be used, in words for the person who typed it."""


class RunState(StrEnum):
    RUNNING = "running"
    ANSWERED = "answered"
    EXHAUSTED = "exhausted"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Member:
    name: str
    phone: str
    ring_seconds: int = DEFAULT_RING_SECONDS


@dataclass(frozen=True)
class Call:
    round: int  # from 1
    position: int  # index in the chain, from 0
    outcome: CallOutcome


def people(n: int) -> str:
    """"1 person", "3 people"."""
    return "1 person" if n == 1 else f"{n} people"


def phone_number(text: str) -> str:
    """An E.164 number from what was typed (spaces, dashes, dots and brackets dropped)."""
    cleaned = re.sub(r"[\s\-().]", "", text or "")
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    if not E164.match(cleaned):
        raise ChainProblem(
            f"{text!r} is not a phone number in international form: a + then the country code "
            "and number, up to 15 digits, such as +44 20 7946 0000."
        )
    return cleaned


def member(name: str, phone: str, ring_seconds: int | None = None) -> Member:
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_LENGTH:
        raise ChainProblem(f"A name of 1 to {NAME_LENGTH} characters, please.")
    ring = DEFAULT_RING_SECONDS if ring_seconds is None else int(ring_seconds)
    low, high = RING_SECONDS
    if not low <= ring <= high:
        raise ChainProblem(f"Ring time is {low} to {high} seconds, not {ring}.")
    return Member(name, phone_number(phone), ring)


def rounds_setting(value: int) -> int:
    low, high = ROUNDS
    if not low <= int(value) <= high:
        raise ChainProblem(f"Rounds are {low} to {high}, not {value}.")
    return int(value)


def next_call(size: int, rounds: int, calls: list[Call]) -> tuple[int, int] | None:
    """(round, position) of the next person to call, or None: a call still going, a person who
    answered, or every round done. `calls` in the order they were made."""
    if size == 0 or any(c.outcome is CallOutcome.HUMAN for c in calls):
        return None
    if calls and not calls[-1].outcome.ended:
        return None
    if not calls:
        return (1, 0)
    last = calls[-1]
    position, round_ = last.position + 1, last.round
    if position >= size:
        position, round_ = 0, round_ + 1
    return None if round_ > rounds else (round_, position)


def state_after(size: int, rounds: int, calls: list[Call]) -> RunState:
    """What the chain is once `calls` are known (cancelling is a person's act, not a rule)."""
    if any(c.outcome is CallOutcome.HUMAN for c in calls):
        return RunState.ANSWERED
    if next_call(size, rounds, calls) is None and (not calls or calls[-1].outcome.ended):
        return RunState.EXHAUSTED
    return RunState.RUNNING


def spoken(title: str, reason: str, *, drill: bool, pressed_by: str) -> str:
    """What the call says to whoever answers."""
    first = "This is a drill. " if drill else ""
    return (
        f"{first}CommsDesk P 1 alert. {pressed_by} pressed P 1 for the incident {title}. "
        f"Reason: {reason}. A text message with the conference room follows. "
        f"{'This is a drill.' if drill else 'Please join now.'}"
    )


def text_message(title: str, reason: str, answered_by: str | None, room: str, *,
                 drill: bool) -> str:  # fmt: skip
    """The SMS everyone in the chain gets once the chain ends."""
    head = "DRILL " if drill else ""
    who = f"{answered_by} answered" if answered_by else "No one answered the calls"
    where = f" Join: {room}" if room else ""
    return (f"{head}P-1: {title}. {reason}. {who}.{where} Reply to acknowledge.")[:1500]
