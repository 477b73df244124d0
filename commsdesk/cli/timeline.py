"""`commsdesk timeline`: the record, and its check."""

from __future__ import annotations

import argparse
import sys


def cmd_timeline_verify(args: argparse.Namespace) -> int:
    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.desk import Desk
    from commsdesk.store.database import DatabaseProblem

    try:
        desk = Desk.open(resolve_data_dir(args.data_dir))
    except DatabaseProblem as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        return 2
    try:
        report = desk.verify_timeline()
    finally:
        desk.close()
    if report.intact:
        print(f"Timeline intact: {report.checked:,} events, every hash matches.")
        return 0
    brk = report.first_break
    print(
        f"Timeline altered at event #{brk.event_id} (position {brk.position:,} of the chain): "
        f"{brk.reason}."
    )
    return 1


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
        help="check the hash chain and report the first break",
        description="Walk every event and check its hash and its link to the one before. "
        "Exit status 0 when intact, 1 at the first altered event, 2 when the database "
        "cannot be opened.",
    )
    verify.set_defaults(run=cmd_timeline_verify)
