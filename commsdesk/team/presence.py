"""What a team desk shows of the others: who has a desk open now, and what the team last put on
air (from the record, so a desk without OBS knows it too)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from commsdesk.timeline.chain import EventKind, TimelineEvent

ON_AIR_KINDS = [
    str(EventKind.BROADCAST_SLIDE), str(EventKind.BROADCAST_LIVE),
    str(EventKind.BROADCAST_SCENE), str(EventKind.BROADCAST_STOPPED),
]  # fmt: skip


@dataclass(frozen=True)
class TeamView:
    people: tuple[str, ...]  # with a desk open on the team database now, by name
    on_air: TimelineEvent | None  # the latest change of what is on air, by any desk


def team_view(desk) -> TeamView:
    """Read on the database lane (a read-only use case)."""
    from commsdesk.team.schema import connected

    with desk.engine.connect() as connection:
        people = tuple(connected(connection))
    latest = desk.timeline(kinds=ON_AIR_KINDS, limit=1)
    return TeamView(people, latest[0] if latest else None)


def people_text(view: TeamView, me: str) -> tuple[str, str]:
    """("3 at desks", tooltip naming them) for the header."""
    others = [name for name in view.people if name != me]
    count = len(others) + 1
    short = "alone at a desk" if not others else f"{count} at desks"
    names = ", ".join(others) if others else "no one else"
    return short, f"Desks open on the team database now: you and {names}."


def on_air_text(view: TeamView) -> tuple[str, str]:
    """("On air: …", tooltip) from the latest broadcast change on the record; ("", "") if none."""
    event = view.on_air
    if event is None:
        return "", ""
    what = event.summary
    for prefix in ("Slide on air: ", "Back to live: ", "Scene on air: "):
        what = what.removeprefix(prefix)
    if event.kind == str(EventKind.BROADCAST_SLIDE):
        short = f"On air: slide {what}"
    elif event.kind == str(EventKind.BROADCAST_STOPPED):
        short = "Stream ended"
    else:
        short = f"On air: {what}"
    when = event.at.replace(tzinfo=UTC).astimezone().strftime("%H:%M")  # stored naive UTC
    return short, f"{event.summary}, by {event.actor} at {when} (from the team's record)"
