"""`commsdesk timeline`: the record, its head, its check, and the stars that mark its events.

Exit status: 0 done (the record intact), 1 the record was altered or cut (verify) or the star
refused (star, unstar), 2 the command cannot run (the database cannot be opened).
"""

from __future__ import annotations

import argparse
import json
import sys

SHOWN = 50


def _open(args: argparse.Namespace):
    """The desk to read the record of; one that does not exist is not an empty record."""
    from commsdesk.cli.common import database_url
    from commsdesk.data_dir import chosen_data_dir
    from commsdesk.desk import Desk
    from commsdesk.store.database import DATABASE_FILE, DatabaseProblem

    folder = chosen_data_dir(args.data_dir)  # read only: nothing is created
    url = database_url()
    if url is not None:
        from commsdesk.keyring_secrets import with_team_password

        # The password as the window finds it: a report's verify command names none.
        url = with_team_password(url).render_as_string(hide_password=False)
        try:
            return Desk.open(folder, url=url)
        except DatabaseProblem as exc:
            print(f"commsdesk: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
    if not (folder / DATABASE_FILE).is_file():
        print(f"commsdesk: there is no desk in {folder} (no {DATABASE_FILE}); check --data-dir",
              file=sys.stderr)
        raise SystemExit(2)
    try:
        return Desk.open(folder)
    except DatabaseProblem as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _head(text: str):
    from commsdesk.timeline.anchor import HeadUnreadable, parse_head

    try:
        return parse_head(text)
    except HeadUnreadable as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("give a number of events, 0 or more")
    return value


def _iso(moment) -> str:
    from commsdesk.clock import as_utc

    return as_utc(moment).isoformat().replace("+00:00", "Z")


def cmd_timeline_verify(args: argparse.Namespace) -> int:
    desk = _open(args)
    try:
        report = desk.verify_timeline(head=args.head)
    finally:
        desk.close()
    print("\n".join(report.lines()))
    return 0 if report.intact else 1


def cmd_timeline_head(args: argparse.Namespace) -> int:
    desk = _open(args)
    try:
        head = desk.timeline_head()
    finally:
        desk.close()
    if args.json:
        print(json.dumps(None if head is None else {
            "event_id": head.event_id, "count": head.count, "at": _iso(head.at),
            "hash": head.hash,
        }))  # fmt: skip
    elif head is None:
        print("The timeline holds no events yet.")
    else:
        print(head.line())
    return 0


def cmd_timeline_show(args: argparse.Namespace) -> int:
    desk = _open(args)
    try:
        events = desk.timeline(limit=args.limit or None)
    finally:
        desk.close()
    events.reverse()  # oldest first, like a log
    if args.json:
        shown = []
        for event in events:
            item = {"id": event.id, "at": _iso(event.at), "actor": event.actor,
                    "kind": event.kind, "summary": event.summary}  # fmt: skip
            if event.incident_id is not None:
                item["incident_id"] = event.incident_id
            if event.statement_id is not None:
                item["statement_id"] = event.statement_id
            item["hash"] = event.hash
            shown.append(item)
        print(json.dumps(shown, ensure_ascii=False, indent=2))
        return 0
    for event in events:
        at = _iso(event.at.replace(microsecond=0))
        print(f"#{event.id}\t{at}\t{event.actor}\t{event.kind}\t{event.summary}")
    return 0


def cmd_timeline_star(args: argparse.Namespace) -> int:
    """The ledger's use case, as the timeline panel's Star (S) runs it."""
    from commsdesk.cli.common import open_services
    from commsdesk.desk import Desk

    services, actor = open_services(args)
    try:
        use_case = Desk.star_event if args.timeline_command == "star" else Desk.unstar_event
        event = use_case(services.desk, actor, args.event)
    finally:
        services.close()
    print(f"{event.summary} (timeline event #{event.id}, by {event.actor})")
    return 0


def _event_id(text: str) -> int:
    try:
        value = int(text.lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"an event is given by its number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("an event's number is 1 or more")
    return value


def add_timeline_commands(commands: argparse._SubParsersAction) -> None:
    timeline = commands.add_parser(
        "timeline",
        help="the incident timeline",
        description="Work with the desk's append-only timeline.",
    )
    timeline_commands = timeline.add_subparsers(
        dest="timeline_command", metavar="COMMAND", required=True
    )
    verify = timeline_commands.add_parser(
        "verify",
        help="check the hash chain, its end and the approved texts",
        description="Walk every event and check its hash and its link to the one before; check "
        "that the chain still ends where this desk last saw it (and at the head given); check "
        "every approved text against the digest its approval recorded. Exit status 0 when "
        "intact, 1 when altered or cut, 2 when the database cannot be opened.",
    )
    verify.add_argument(
        "--head",
        type=_head,
        metavar="HEAD",
        help="a head printed earlier by `commsdesk timeline head` (the line, or its sha256): "
        "the chain must still hold it",
    )
    verify.set_defaults(run=cmd_timeline_verify)
    head = timeline_commands.add_parser(
        "head",
        help="print the newest event's hash, id and the number of events",
        description="Print the timeline's head as one line to paste into a report or a post; "
        "`commsdesk timeline verify --head LINE` checks the record against it later.",
    )
    head.add_argument("--json", action="store_true", help="as a JSON object")
    head.set_defaults(run=cmd_timeline_head)
    show = timeline_commands.add_parser(
        "show",
        help="list the newest events, oldest first",
        description="List events: id, time (UTC), who, kind and summary, one a line.",
    )
    show.add_argument("--json", action="store_true", help="as a JSON list of objects")
    show.add_argument(
        "--limit",
        type=_count,
        default=SHOWN,
        metavar="N",
        help=f"the newest N events (default {SHOWN}; 0 for all)",
    )
    show.set_defaults(run=cmd_timeline_show)
    for name, what, description in (
        ("star", "star an event: mark it as worth reading (`report --starred` lists these)",
         "Star a timeline event (its number from `timeline show`). The star is itself an event "
         "on the timeline, under your name. Exit status 1 when the event does not exist, is "
         "starred already, or is itself a star."),
        ("unstar", "take the star off an event",
         "Take the star off a timeline event; that too goes on the timeline. Exit status 1 when "
         "the event is not starred."),
    ):  # fmt: skip
        star = timeline_commands.add_parser(name, help=what, description=description)
        star.add_argument("event", type=_event_id, metavar="EVENT_ID", help="the event's number")
        star.set_defaults(run=cmd_timeline_star)
