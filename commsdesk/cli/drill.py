"""`commsdesk drill on|off|status`: Drill mode for every desk on this database."""

from __future__ import annotations

import argparse
import json

from commsdesk.cli.common import open_desk


def cmd_drill(args: argparse.Namespace) -> int:
    from commsdesk.publishing.holds import drill_mode, set_drill_mode

    desk, actor = open_desk(args)
    try:
        if args.drill_command == "status":
            on = drill_mode(desk)
            if args.json:
                print(json.dumps({"drill": on}))
            else:
                print("Drill mode is ON: posts go to the SANDBOX, nothing reaches X." if on
                      else "Drill mode is off: approved posts go to X where an account is set "
                      "up.")
            return 0
        on = args.drill_command == "on"
        changed = set_drill_mode(desk, actor, on)
    finally:
        desk.close()
    state = "on" if on else "off"
    print(f"Drill mode {state}." if changed else f"Drill mode was already {state}.")
    return 0


def add_drill_commands(commands: argparse._SubParsersAction) -> None:
    drill = commands.add_parser(
        "drill",
        help="drill mode: every post goes to the SANDBOX",
        description="Drill mode is kept in the database, for every desk on it. While it is on, "
        "nothing from any path reaches a real X account: new posts go to the SANDBOX, and a "
        "post prepared for X before it went on is held for a person. Each change goes on the "
        "timeline.",
    )
    drill_commands = drill.add_subparsers(dest="drill_command", metavar="COMMAND", required=True)
    for name, text in (("on", "turn drill mode on"), ("off", "turn drill mode off")):
        drill_commands.add_parser(name, help=text, description=text.capitalize() + ".")
    status = drill_commands.add_parser("status", help="say whether drill mode is on")
    status.add_argument("--json", action="store_true", help='print {"drill": true|false}')
    drill.set_defaults(run=cmd_drill)
