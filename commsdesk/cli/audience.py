"""`commsdesk audience ...`: the audience desk from the command line.

`audience replay FILE.csv --advise [--json]` runs the end-stream advisor over a recorded curve
(`time,viewers[,platform]`) as fast as it can and prints each piece of advice; with --json, one
object per line: {"at": seconds from the first sample, "kind": ..., "message": ...}. Bad rows go
to standard error with their line numbers; the good rows are kept. Several platforms in the file
are summed as the desk sums them (a gap when one has no fresh number).

`audience add-count N --platform P` is the Audience panel's manual entry: a number read off the
platform for the manual source P, checked as a typed one is (a whole number within P's
plausible bound), stored for the active incident.

`audience samples [--source S] [--limit N] [--numbers] [--json]` lists the newest samples with
their ids; `audience strike ID --reason TEXT` strikes one from the record, as the chart's
"Strike from the record…" does: the sample stays as it was read, counts nowhere any more, and
the strike goes on the timeline with who and why.
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
    reading, counting = buffer.coverage()
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
    for at, value, r, c in zip(
        times.tolist(), values.tolist(), reading.tolist(), counting.tolist(), strict=True
    ):
        for advice in advisor.observe(at, value, (r, c)):
            offset = round(advice.at - first, 3)
            if args.json:
                record = {"at": offset, "kind": str(advice.kind), "message": advice.message}
                print(json.dumps(record, ensure_ascii=False))
            else:
                print(f"+{offset / 60:.1f} min  {advice.kind:<11}  {advice.message}")
    return 0


def cmd_audience_add_count(args: argparse.Namespace) -> int:
    """Through the panel's own path: the manual source checks the number, its reading becomes
    the sample, the store writes it for the active incident."""
    from commsdesk.audience.sources.manual import ManualSource
    from commsdesk.audience.validation import Rejected
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
        except Rejected as exc:
            raise DeskError(f"{exc}.") from None
        reading = source.fetch()
        incident = desk.active_incident()
        store.append_samples([reading.sample()], incident_id=incident.id if incident else None)
    finally:
        desk.close()
    print(f"{chosen.label}: {reading.viewers:,.0f} viewers at "
          f"{datetime.fromtimestamp(reading.at, UTC):%H:%M:%S} UTC")  # fmt: skip
    return 0


def cmd_audience_samples(args: argparse.Namespace) -> int:
    from commsdesk.cli.common import open_services

    services, _ = open_services(args)
    try:
        incident = services.desk.active_incident()
        records = services.audience.samples(
            source=args.source, limit=args.limit, numbers_only=args.numbers,
            incident_id=incident.id if incident is not None and not args.all else None,
        )
    finally:
        services.close()
    for record in records:
        if args.json:
            print(json.dumps({"id": record.id, "source": record.source, "at": record.at,
                              "viewers": record.viewers, "gap_reason": record.gap_reason,
                              "struck": record.struck}, ensure_ascii=False))
        else:
            print(record.line())
    return 0


def cmd_audience_strike(args: argparse.Namespace) -> int:
    """The store's use case, as the chart's "Strike from the record…" runs it."""
    from commsdesk.cli.common import open_services

    services, actor = open_services(args)
    try:
        event = services.audience.strike_sample(actor, args.sample, args.reason)
    finally:
        services.close()
    data = event.data
    if args.json:
        print(json.dumps({"sample_id": data["sample_id"], "source": data["source"],
                          "at": data["at"], "viewers": data["viewers"], "reason": data["reason"],
                          "event_id": event.id, "actor": event.actor}, ensure_ascii=False))
    else:
        print(f"{event.summary} (timeline event #{event.id}, by {event.actor})")
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
        "status 1 when there is no such manual source switched on, or N is not a whole number "
        "from 0 to the platform's plausible bound (YouTube 20,000,000, Twitch 10,000,000, Kick "
        "5,000,000, X 20,000,000, any other 100,000,000).",
    )
    add_count.add_argument("count", metavar="N", help="viewers, e.g. 2410 or 2,410")
    add_count.add_argument(
        "--platform", required=True, metavar="P", help="the manual source's name, e.g. Kick"
    )
    add_count.set_defaults(run=cmd_audience_add_count)

    samples = audience_commands.add_parser(
        "samples",
        help="the newest viewer-count samples, with their ids",
        description="List the newest samples of the active incident (or, with --all, of every "
        "incident), newest first: id, time (UTC), source, viewers or the gap's reason, and "
        "STRUCK for a sample struck from the record. Use the id with `audience strike`.",
    )
    samples.add_argument("--source", metavar="LABEL", help="only this source's samples")
    samples.add_argument("--limit", type=int, default=20, metavar="N", help="how many (20)")
    samples.add_argument("--numbers", action="store_true", help="leave gaps out")
    samples.add_argument("--all", action="store_true", help="every incident's samples")
    samples.add_argument(
        "--json", action="store_true",
        help='one object per line: {"id", "source", "at" (epoch seconds), "viewers" (null for '
        'a gap), "gap_reason", "struck"}',
    )
    samples.set_defaults(run=cmd_audience_samples)

    strike = audience_commands.add_parser(
        "strike",
        help="strike a sample from the record (a wrong number)",
        description="Strike sample ID (see `audience samples`) from the record: it stays stored "
        "as it was read, counts nowhere from now on (lines, total, peak, advice), and the "
        "strike goes on the timeline with who struck it, the sample and the reason. Exit "
        "status 1 when there is no such sample, it is a gap, it is struck already, or no "
        "reason is given.",
    )
    strike.add_argument("sample", type=int, metavar="ID", help="the sample's id")
    strike.add_argument("--reason", required=True, metavar="TEXT", help="why, for the record")
    strike.add_argument(
        "--json", action="store_true",
        help='{"sample_id", "source", "at", "viewers", "reason", "event_id", "actor"}',
    )
    strike.set_defaults(run=cmd_audience_strike)
