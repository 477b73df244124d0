"""`commsdesk ...` / `python -m commsdesk ...`: the desk's capabilities for scripts and buttons.

The same use cases as the window; no Qt unless the window is asked for. With no command, the
window opens. Each command group is its own module here.
"""

from __future__ import annotations

import argparse
import sys

from commsdesk import __version__
from commsdesk.cli.audience import add_audience_commands
from commsdesk.cli.obs import add_obs_commands
from commsdesk.cli.posting import add_post_commands
from commsdesk.cli.schedule import add_schedule_commands
from commsdesk.cli.slides import add_slide_commands
from commsdesk.cli.text import add_text_commands
from commsdesk.cli.timeline import add_timeline_commands


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
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    for add in (add_text_commands, add_post_commands, add_schedule_commands,
                add_timeline_commands, add_audience_commands, add_slide_commands,
                add_obs_commands):
        add(commands)
    return parser


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from commsdesk.app import main as open_window

        window_args = ["--data-dir", args.data_dir] if args.data_dir else []
        sys.exit(open_window(window_args))
    sys.exit(args.run(args))
