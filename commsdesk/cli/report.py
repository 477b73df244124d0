"""`commsdesk report`: the post-incident report of an incident, as PDF or HTML.

Exit status: 0 written; 1 no such incident (or none at all); 2 the file cannot be written there,
or a PDF was asked for and no PDF engine (Chromium) is installed: the report is then written as
HTML beside it, and the one line on standard error says where.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commsdesk.cli.common import EXIT_CANNOT_RUN, EXIT_REFUSED, CannotRun, open_services


def cmd_report(args: argparse.Namespace) -> int:
    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.report.pdf import PdfFailed
    from commsdesk.report.writing import (
        ReportProblem,
        check_target,
        incident_to_report,
        report_format,
        write_report,
    )
    from commsdesk.settings import Settings

    target = Path(args.output).expanduser()
    try:  # before opening the desk: a wrong name or folder is said at once
        report_format(target)
        check_target(target)
    except ReportProblem as exc:
        raise CannotRun(str(exc)) from None
    services, actor = open_services(args)
    try:
        incident = incident_to_report(services.desk, args.incident)
        if incident is None:
            print("commsdesk: there is no incident to report on", file=sys.stderr)
            return EXIT_REFUSED
        zones = Settings.load(resolve_data_dir(args.data_dir)).get("team_time_zones")
        written = write_report(services.desk, actor, incident.id, target,
                               audience=services.audience, starred_only=args.starred,
                               zones=zones)  # fmt: skip
    except (ReportProblem, PdfFailed) as exc:
        raise CannotRun(str(exc)) from None
    finally:
        services.close()
    if written.instead:
        print(f"commsdesk: {written.instead}; the report was written as HTML instead: "
              f"{written.path}", file=sys.stderr)  # fmt: skip
        return EXIT_CANNOT_RUN
    if written.pages is not None:
        print(f"{written.path}\t{written.pages} page{'' if written.pages == 1 else 's'}")
    else:
        print(written.path)
    return 0


def _incident_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"an incident is given by its number, not {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError("an incident's number is 1 or more")
    return value


def add_report_commands(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser(
        "report",
        help="write the post-incident report (PDF or HTML)",
        description="Write the post-incident report of an incident, open or closed: the cover "
        "(title, severity, start, end, duration, the people involved), key times and the update "
        "cadence kept or missed, every statement as posted, the audience chart with our events "
        "marked, the broadcast, the timeline (every event, or --starred), and the timeline's "
        "head with the command that verifies the record against it. Times are UTC, the key "
        "times also in the team's zones (this desk's team_time_zones). The report goes on the "
        "timeline. A PDF is "
        "printed by Chromium; without it the report is written as HTML and the exit status "
        "is 2. Prints the file written (and a PDF's page count).",
    )
    report.add_argument(
        "--incident", type=_incident_id, metavar="N",
        help="the incident's number (default: the active incident, else the latest)",
    )  # fmt: skip
    report.add_argument(
        "-o", "--output", required=True, metavar="FILE",
        help="where to write it: FILE.pdf or FILE.html",
    )  # fmt: skip
    report.add_argument(
        "--starred", action="store_true",
        help="list only the events starred on the timeline (`commsdesk timeline star ID`); "
        "every event when none is, and the report says so",
    )  # fmt: skip
    report.set_defaults(run=cmd_report)
