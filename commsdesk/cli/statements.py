"""`commsdesk statement ...`: write, submit, approve and withdraw statements through the desk's
own use cases, so the rules are the window's: approval comes from someone other than the author,
for one exact version; a statement whose placeholders do not render is never approved; editing
an approved statement sends it back to draft. Who acts is --as (else COMMSDESK_OPERATOR, else
the desk's operator name)."""

from __future__ import annotations

import argparse
import json

from commsdesk.cli.common import open_desk, read_source


def _summary(statement) -> str:
    """'#12 In review, v2 (approved by Sam Okafor) Holding statement'."""
    approvals = f" (approved by {', '.join(statement.approvals)})" if statement.approvals else ""
    return (
        f"#{statement.id} {statement.state.label}, v{statement.version_number}{approvals}  "
        f"{statement.title}"
    )


def _statement_json(statement) -> dict:
    return {
        "id": statement.id,
        "incident_id": statement.incident_id,
        "title": statement.title,
        "state": statement.state.value,
        "version": statement.version_number,
        "version_author": statement.version_author,
        "approvals": list(statement.approvals),
        "updated_at": statement.updated_at.isoformat(),
    }


def cmd_statement_new(args: argparse.Namespace) -> int:
    from commsdesk.desk import DeskError

    body = read_source(args.source)
    desk, actor = open_desk(args)
    try:
        incident_id = args.incident
        if incident_id is None:
            active = desk.active_incident()
            if active is None:
                raise DeskError(
                    "No incident is active: start one (commsdesk incident start) or give "
                    "--incident ID."
                )
            incident_id = active.id
        statement = desk.create_statement(actor, incident_id, args.title, body)
        desk.save_version(actor, statement.id, body)  # v1 is saved: an edit makes v2
    finally:
        desk.close()
    print(json.dumps({"id": statement.id}) if args.json else statement.id)
    return 0


def cmd_statement_edit(args: argparse.Namespace) -> int:
    body = read_source(args.source)
    desk, actor = open_desk(args)
    try:
        before = desk.statement(args.id)
        version = desk.save_version(actor, args.id, body)
        statement = desk.statement(args.id)
    finally:
        desk.close()
    if version.number == before.version_number and body == before.body:
        print(f"#{args.id} unchanged: the text is v{version.number} already")
    else:
        print(f"#{args.id} v{version.number} saved; {statement.state.label.lower()}")
    return 0


def _move(use_case, *extra):
    """A command running `use_case(desk, actor, id, *extra args)`: the Desk method itself, so
    that finding its usages finds this command (Desk is imported only when a command runs)."""

    def run(args: argparse.Namespace) -> int:
        desk, actor = open_desk(args)
        try:
            statement = use_case(desk)(actor, args.id, *(getattr(args, a) for a in extra))
        finally:
            desk.close()
        print(_summary(statement))
        return 0

    return run


def cmd_statement_list(args: argparse.Namespace) -> int:
    desk, _ = open_desk(args)
    try:
        statements = desk.list_statements(None)
    finally:
        desk.close()
    if args.json:
        print(json.dumps([_statement_json(s) for s in statements], ensure_ascii=False))
        return 0
    if not statements:
        print("No statements.")
    for statement in statements:
        print(_summary(statement) + f"  (incident #{statement.incident_id})")
    return 0


def cmd_statement_show(args: argparse.Namespace) -> int:
    desk, _ = open_desk(args)
    try:
        statement = desk.statement(args.id)
        newest = desk.versions(args.id)[-1]
    finally:
        desk.close()
    if args.json:
        shown = _statement_json(statement) | {
            "body": statement.body,
            "version_saved_at": newest.updated_at.isoformat(),
            "approved_version_id": statement.approved_version_id,
            "approved_text": statement.approved_text,
            "note": statement.note,
        }
        print(json.dumps(shown, ensure_ascii=False))
        return 0
    print(f"#{statement.id} {statement.title}  (incident #{statement.incident_id})")
    print(f"State: {statement.state.label}" + (f": {statement.note}" if statement.note else ""))
    print(
        f"Newest version: v{statement.version_number} by {statement.version_author}, "
        f"{newest.updated_at:%Y-%m-%d %H:%M} UTC"
    )
    print("Approved by: " + (", ".join(statement.approvals) or "nobody yet"))
    print(f"--- v{statement.version_number} ---")
    print(statement.body.rstrip("\n"))
    if statement.approved_text is not None:
        print("--- approved text, as it will be posted ---")
        print(statement.approved_text.rstrip("\n"))
    return 0


def add_statement_commands(commands: argparse._SubParsersAction) -> None:
    statement = commands.add_parser(
        "statement",
        help="write, submit, approve, withdraw and show statements",
        description="Statements, with the desk's rules: approval from someone other than the "
        "author, for the exact version; editing after approval needs approval again. Each "
        "change goes on the timeline under who acts (--as). Exit status 1 when a rule refuses, "
        "2 when the file cannot be read or is not UTF-8.",
    )
    statement_commands = statement.add_subparsers(
        dest="statement_command", metavar="COMMAND", required=True
    )

    new = statement_commands.add_parser(
        "new",
        help="a new statement from a file; prints its id",
        description="Create a statement whose text (v1, saved) is FILE, or standard input for "
        "-, for --incident ID or else the active incident.",
    )
    new.add_argument("--title", required=True)
    new.add_argument("--incident", type=int, metavar="ID", help="default: the active incident")
    new.add_argument("source", metavar="FILE", help="UTF-8 text, or - for standard input")
    new.add_argument("--json", action="store_true", help='print {"id": N}')
    new.set_defaults(run=cmd_statement_new)

    edit = statement_commands.add_parser(
        "edit",
        help="save a file as the statement's new version",
        description="Save FILE (or standard input for -) as a new version. An approved or "
        "in-review statement goes back to draft; a scheduled, posted or withdrawn one is "
        "refused.",
    )
    edit.add_argument("id", type=int, metavar="ID")
    edit.add_argument("source", metavar="FILE", help="UTF-8 text, or - for standard input")
    edit.set_defaults(run=cmd_statement_edit)

    for name, use_case, helped in (
        ("submit", lambda desk: desk.submit, "send the newest version for review"),
        ("approve", lambda desk: desk.approve, "approve the newest version (not its author)"),
    ):
        parser = statement_commands.add_parser(name, help=helped, description=helped + ".")
        parser.add_argument("id", type=int, metavar="ID")
        parser.set_defaults(run=_move(use_case))

    withdraw = statement_commands.add_parser(
        "withdraw", help="withdraw a statement, saying why",
        description="Withdraw a statement; its approvals stop counting.",
    )  # fmt: skip
    withdraw.add_argument("id", type=int, metavar="ID")
    withdraw.add_argument("--reason", required=True, help="why it is withdrawn")
    withdraw.set_defaults(run=_move(lambda desk: desk.withdraw, "reason"))

    listing = statement_commands.add_parser(
        "list",
        help="every statement, newest change first",
        description="One line per statement: id, state, newest version, approvers, title.",
    )
    listing.add_argument(
        "--json", action="store_true",
        help="print a list of objects: id, incident_id, title, state, version, version_author, "
        "approvals, updated_at",
    )  # fmt: skip
    listing.set_defaults(run=cmd_statement_list)

    show = statement_commands.add_parser(
        "show",
        help="state, newest version, approvers and approved text",
        description="The statement's state, its newest version, who approved it and the "
        "approved text that would be posted.",
    )
    show.add_argument("id", type=int, metavar="ID")
    show.add_argument(
        "--json", action="store_true",
        help="print an object: the list's fields, body, version_saved_at, approved_version_id, "
        "approved_text, note",
    )  # fmt: skip
    show.set_defaults(run=cmd_statement_show)
