"""`commsdesk ...` / `python -m commsdesk ...`: the desk's capabilities for scripts and buttons.

The same use cases as the window; no Qt unless the window is asked for. With no command, the
window opens. Each command group is its own module here. A failure any command can meet (see
common.explain) is one line on standard error and exit status 1 (refused by a rule) or 2
(cannot run as asked), never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from commsdesk import __version__
from commsdesk.cli.audience import add_audience_commands
from commsdesk.cli.common import act_as, explain, use_database
from commsdesk.cli.drill import add_drill_commands
from commsdesk.cli.incidents import add_incident_commands
from commsdesk.cli.obs import add_obs_commands
from commsdesk.cli.p1 import add_p1_commands
from commsdesk.cli.policy import add_policy_commands
from commsdesk.cli.posting import add_post_commands
from commsdesk.cli.report import add_report_commands
from commsdesk.cli.schedule import add_schedule_commands
from commsdesk.cli.scheduler_run import add_scheduler_commands
from commsdesk.cli.slides import add_slide_commands
from commsdesk.cli.statements import add_statement_commands
from commsdesk.cli.team import add_team_commands
from commsdesk.cli.text import add_text_commands
from commsdesk.cli.timeline import add_timeline_commands
from commsdesk.cli.watch import add_watch_commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commsdesk",
        description="CommsDesk: crisis communications desk. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"CommsDesk {__version__}")
    parser.add_argument(
        "--data-dir",
        help="folder of the desk's database (default: COMMSDESK_DATA_DIR, "
        "else the user data folder)",
    )
    parser.add_argument(
        "--as",
        dest="acting_as",
        metavar="NAME",
        type=_name,
        help="who acts, as recorded on the timeline (default: COMMSDESK_OPERATOR, else the "
        "desk's operator name)",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="a team database, postgresql://login@host/database (default: "
        "COMMSDESK_DATABASE_URL, else this desk's own SQLite file)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    for add in (add_incident_commands, add_statement_commands,
                add_text_commands, add_post_commands, add_schedule_commands,
                add_drill_commands, add_policy_commands, add_timeline_commands,
                add_audience_commands, add_slide_commands, add_obs_commands,
                add_team_commands, add_scheduler_commands, add_watch_commands,
                add_p1_commands, add_report_commands):
        add(commands)
    return parser


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    for arg in argv:  # bytes that are not UTF-8 arrive as surrogates: say so, once
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
            print(f"commsdesk: the argument {shown} is not UTF-8 text; type it again as UTF-8",
                  file=sys.stderr)
            sys.exit(2)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from commsdesk.app import main as open_window

        window_args = ["--data-dir", args.data_dir] if args.data_dir else []
        if args.database:
            window_args += ["--database", args.database]
        sys.exit(open_window(window_args))
    act_as(args.acting_as)
    use_database(args.database)
    try:
        code = args.run(args)
    except Exception as exc:
        failure = explain(exc, args.data_dir)
        if failure is None:
            raise
        code, message = failure
        print(f"commsdesk: {message}", file=sys.stderr)
    sys.exit(code)


def _name(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("give a name")
    return value.strip()
