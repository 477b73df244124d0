"""`commsdesk incident ...`: start, update, close and list incidents through the desk's own use
cases, so the command line keeps the window's rules (one active incident at a time, P1 to P4,
fact names fit for templates) and every change goes on the timeline under who acts."""

from __future__ import annotations

import argparse
import json

from commsdesk.cli.common import open_desk


def fact(value: str) -> tuple[str, str]:
    """KEY=VALUE, for --fact."""
    key, sep, text = value.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"a fact is KEY=VALUE, not {value!r}")
    return key.strip(), text


def _incident_json(incident) -> dict:
    return {
        "id": incident.id,
        "title": incident.title,
        "severity": incident.severity.value,
        "started_at": incident.started_at.isoformat(),
        "closed_at": incident.closed_at.isoformat() if incident.closed_at else None,
        "summary": incident.summary,
        "facts": incident.facts,
        "created_by": incident.created_by,
    }


def cmd_incident_start(args: argparse.Namespace) -> int:
    desk, actor = open_desk(args)
    try:
        incident = desk.start_incident(
            actor, args.title, args.severity, args.summary, dict(args.fact)
        )
    finally:
        desk.close()
    print(json.dumps({"id": incident.id}) if args.json else incident.id)
    return 0


def cmd_incident_update(args: argparse.Namespace) -> int:
    desk, actor = open_desk(args)
    try:
        facts = None
        if args.fact:  # the given facts change or (empty) remove those named; others stay
            facts = dict(desk.incident(args.id).facts)
            for key, value in args.fact:
                if value:
                    facts[key] = value
                else:
                    facts.pop(key, None)
        incident = desk.update_incident(
            actor, args.id, title=args.title, severity=args.severity, summary=args.summary,
            facts=facts,
        )  # fmt: skip
    finally:
        desk.close()
    print(f"#{incident.id} {incident.severity.value} {incident.title}")
    return 0


def cmd_incident_close(args: argparse.Namespace) -> int:
    desk, actor = open_desk(args)
    try:
        incident = desk.close_incident(actor, args.id, args.note)
    finally:
        desk.close()
    print(f"#{incident.id} closed at {incident.closed_at:%Y-%m-%d %H:%M} UTC")
    return 0


def cmd_incident_list(args: argparse.Namespace) -> int:
    desk, _ = open_desk(args)
    try:
        incidents = desk.list_incidents()
    finally:
        desk.close()
    if args.json:
        print(json.dumps([_incident_json(i) for i in incidents], ensure_ascii=False))
        return 0
    if not incidents:
        print("No incidents.")
    for incident in incidents:
        state = f"closed {incident.closed_at:%Y-%m-%d %H:%M}" if incident.closed_at else "ACTIVE"
        print(
            f"#{incident.id}  {incident.severity.value}  {incident.started_at:%Y-%m-%d %H:%M} "
            f"UTC  {state}  {incident.title}"
        )
    return 0


def add_incident_commands(commands: argparse._SubParsersAction) -> None:
    incident = commands.add_parser(
        "incident",
        help="start, update, close and list incidents",
        description="Incidents, with the desk's rules: one active at a time; severity P1 to "
        "P4; fact names start with a lower-case letter and use a-z, 0-9 and _. Each change "
        "goes on the timeline under who acts (--as). Exit status 1 when a rule refuses.",
    )
    incident_commands = incident.add_subparsers(
        dest="incident_command", metavar="COMMAND", required=True
    )

    def details(parser: argparse.ArgumentParser, *, new: bool) -> None:
        parser.add_argument(
            "--severity", choices=("P1", "P2", "P3", "P4"), default="P1" if new else None,
            help="how bad" + (" (default P1)" if new else ""),
        )  # fmt: skip
        parser.add_argument(
            "--summary", default="" if new else None, help="what happened, in a few sentences"
        )
        parser.add_argument(
            "--fact", type=fact, action="append", default=[], metavar="KEY=VALUE",
            help="a fact statements can use as {{ incident.KEY }}; repeat for more",
        )  # fmt: skip

    start = incident_commands.add_parser(
        "start",
        help="start an incident; prints its id",
        description="Start an incident now. Refused while another incident is active.",
    )
    start.add_argument("--title", required=True)
    details(start, new=True)
    start.add_argument("--json", action="store_true", help='print {"id": N}')
    start.set_defaults(run=cmd_incident_start)

    update = incident_commands.add_parser(
        "update",
        help="change an incident's title, severity, summary or facts",
        description="Change what is given. --fact KEY=VALUE sets a fact, --fact KEY= removes "
        "it; facts not named stay as they are.",
    )
    update.add_argument("id", type=int, metavar="ID")
    update.add_argument("--title")
    details(update, new=False)
    update.set_defaults(run=cmd_incident_update)

    close = incident_commands.add_parser(
        "close", help="close an incident", description="Close the incident, with a note."
    )
    close.add_argument("id", type=int, metavar="ID")
    close.add_argument("--note", default="", help="why or how it ended")
    close.set_defaults(run=cmd_incident_close)

    listing = incident_commands.add_parser(
        "list",
        help="every incident, newest first",
        description="One line per incident: id, severity, start (UTC), state, title.",
    )
    listing.add_argument(
        "--json", action="store_true",
        help="print a list of objects: id, title, severity, started_at, closed_at, summary, "
        "facts, created_by",
    )  # fmt: skip
    listing.set_defaults(run=cmd_incident_list)
