"""`commsdesk audience ...`: the audience desk from the command line.

`audience replay FILE.csv --advise [--json]` runs the end-stream advisor over a recorded curve
(`time,viewers[,platform]`) as fast as it can and prints each piece of advice; with --json, one
object per line: {"at": seconds from the first sample, "kind": ..., "message": ...}. Bad rows go
to standard error with their line numbers; the good rows are kept. Several platforms in the file
are summed as the desk sums them (a gap when one has no fresh number).

`audience add-count N --platform P` is the Audience panel's manual entry: a number read off the
platform for the manual source P, stored for the active incident like a typed one.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime


def _time_label(relative: bool, first: float):
    from commsdesk.audience.advisor import clock_label

    if not relative:
        return clock_label(UTC)

    def elapsed(at: float) -> str:
        seconds = int(round(at - first))
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d} in"

    return elapsed


def cmd_audience_replay(args: argparse.Namespace) -> int:
    from commsdesk.audience.advisor import Advisor, AdvisorSettings
    from commsdesk.audience.series import buffer_from_rows, parse_audience_csv
    from commsdesk.cli.common import read_source

    text = read_source(args.file)
    parsed = parse_audience_csv(text)
    for problem in parsed.problems:
        print(f"commsdesk: {args.file} {problem}", file=sys.stderr)
    if not parsed.rows:
        print(f"commsdesk: {args.file} has no usable rows", file=sys.stderr)
        return 1
    try:
        settings = AdvisorSettings(
            share=args.share / 100, below_for=args.minutes * 60,
            min_runtime=args.min_runtime * 60,
        )
    except ValueError as exc:
        raise SystemExit(f"commsdesk: {exc}") from None
    buffer = buffer_from_rows(parsed.rows, fresh_for=args.fresh_for)
    times, values = buffer.total()
    first = float(times[0])
    peak = buffer.peak()
    if not args.advise:
        print(
            f"{len(parsed.rows):,} samples from {', '.join(parsed.platforms())} over "
            f"{(float(times[-1]) - first) / 60:.0f} min; peak "
            + (f"{peak[1]:,.0f} at {(peak[0] - first) / 60:.0f} min" if peak else "none")
        )
        return 0
    advisor = Advisor(settings, time_label=_time_label(parsed.relative, first))
    for at, value in zip(times.tolist(), values.tolist(), strict=True):
        for advice in advisor.observe(at, value):
            offset = round(advice.at - first, 3)
            if args.json:
                record = {"at": offset, "kind": str(advice.kind), "message": advice.message}
                print(json.dumps(record, ensure_ascii=False))
            else:
                print(f"+{offset / 60:.1f} min  {advice.kind:<11}  {advice.message}")
    return 0


def _count(value: str) -> float:
    try:
        return float(value.strip().replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a viewer count is a number, not {value!r}") from None


def cmd_audience_add_count(args: argparse.Namespace) -> int:
    """Through the panel's own path: the manual source checks the number, its reading becomes
    the sample, the store writes it for the active incident."""
    from commsdesk.audience.sources.manual import ManualSource
    from commsdesk.cli.common import open_services
    from commsdesk.desk import DeskError

    services, _ = open_services(args)
    desk = services.desk
    try:
        store = services.audience
        manual = [s for s in store.sources(enabled_only=True) if s.kind == "manual"]
        chosen = next((s for s in manual if s.label.casefold() == args.platform.casefold()), None)
        if chosen is None:
            known = ", ".join(s.label for s in manual) or "none"
            raise DeskError(
                f"No manual audience source called {args.platform!r} is switched on (manual "
                f"sources: {known}); add one in the Audience panel's Sources…"
            )
        source = ManualSource(chosen.label)
        try:
            source.enter(args.count)
        except ValueError as exc:
            raise DeskError(f"{exc}.") from None
        reading = source.fetch()
        incident = desk.active_incident()
        store.append_samples([reading.sample()], incident_id=incident.id if incident else None)
    finally:
        desk.close()
    print(f"{chosen.label}: {reading.viewers:,.0f} viewers at "
          f"{datetime.fromtimestamp(reading.at, UTC):%H:%M:%S} UTC")  # fmt: skip
    return 0


def add_audience_commands(commands: argparse._SubParsersAction) -> None:
    audience = commands.add_parser(
        "audience",
        help="viewer counts and the end-stream advisor",
        description="The audience desk: replay recorded viewer counts through the advisor, "
        "or add a viewer count read off a platform.",
    )
    audience_commands = audience.add_subparsers(
        dest="audience_command", metavar="COMMAND", required=True
    )
    replay = audience_commands.add_parser(
        "replay",
        help="run the advisor over a CSV of viewer counts",
        description="Read FILE (time,viewers[,platform]; time as ISO 8601 or seconds; header "
        "optional) and, with --advise, run the end-stream advisor over it as fast as it can, "
        "printing each piece of advice. Bad rows are reported on standard error with their "
        "line numbers; the good rows are kept. Exit status 1 when no row is usable.",
    )
    replay.add_argument("file", metavar="FILE.csv", help="the recorded viewer counts")
    replay.add_argument("--advise", action="store_true", help="print the advisor's advice")
    replay.add_argument(
        "--json", action="store_true",
        help='one object per line: {"at": seconds from the first sample, "kind": '
        '"suggest_end" | "withdrawn" | "sudden_drop", "message": str}',
    )
    replay.add_argument(
        "--share", type=float, default=10.0, metavar="PERCENT",
        help="suggest ending below this share of the peak (default 10)",
    )
    replay.add_argument(
        "--minutes", type=float, default=10.0,
        help="...for this many minutes (default 10)",
    )
    replay.add_argument(
        "--min-runtime", type=float, default=30.0, metavar="MINUTES",
        help="never before the stream has run this long (default 30)",
    )
    replay.add_argument(
        "--fresh-for", type=float, default=60.0, metavar="SECONDS",
        help="a platform's number counts towards the total this long (default 60)",
    )
    replay.set_defaults(run=cmd_audience_replay)

    add_count = audience_commands.add_parser(
        "add-count",
        help="a viewer count read off a platform (manual entry)",
        description="Store N viewers, now, for the manual audience source named by --platform, "
        "as the Audience panel's manual entry does; it counts for the active incident. Exit "
        "status 1 when there is no such manual source switched on, or N is below 0.",
    )
    add_count.add_argument("count", type=_count, metavar="N", help="viewers, e.g. 2410 or 2,410")
    add_count.add_argument(
        "--platform", required=True, metavar="P", help="the manual source's name, e.g. Kick"
    )
    add_count.set_defaults(run=cmd_audience_add_count)
