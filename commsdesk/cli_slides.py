"""`commsdesk slide ...`: broadcast slides from the command line.

`slide render TEMPLATE [--set KEY=VALUE ...] -o FILE.png` draws a slide (back_at, standby,
statement, lower_third) as the desk would send it to OBS: 1920×1080, the team's zones and slide
templates from this desk's settings. `-o FILE.html` writes the browser-source page instead. Exit
status 1 for a template that does not render or a time that cannot be used, 2 for a field the
slide does not take (the message lists those it does).

More `slide` commands register in add_slide_commands(), each as its own sub-command.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path


def _values(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SystemExit(f"commsdesk: --set takes KEY=VALUE, not {pair!r}")
        values[key.strip()] = value
    return values


def _now(text: str | None) -> datetime:
    from commsdesk.domain.clock import as_utc, utc_now

    if text is None:
        return utc_now()
    try:
        return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise SystemExit(
            f"commsdesk: --now takes ISO 8601, e.g. 2026-11-24T17:50Z; not {text!r}"
        ) from None


def cmd_slide_render(args: argparse.Namespace) -> int:
    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.domain.schedule_policy import AmbiguousTime, ScheduleRefused
    from commsdesk.domain.slides import (
        BackAt,
        SlideKind,
        SlideProblem,
        SlideRequest,
        UnknownField,
        build_slide,
        resolve_time_entry,
    )
    from commsdesk.domain.team_time import clock_in_zones
    from commsdesk.domain.templates import TemplateProblem
    from commsdesk.settings import Settings

    settings = Settings.load(resolve_data_dir(args.data_dir))
    zones = tuple(settings.get("team_time_zones")) or ("UTC",)
    slides_dir = args.slides_dir if args.slides_dir is not None else settings.get("slides_dir")
    now = _now(args.now)
    try:
        kind = SlideKind.named(args.template)
    except SlideProblem as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        return 2
    request = SlideRequest(kind, _values(args.set), zone=args.zone or zones[0], zones=zones)
    try:
        slide = build_slide(request, now, fold=args.fold)
    except UnknownField as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        return 2
    except (SlideProblem, AmbiguousTime, ScheduleRefused) as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        return 1

    if isinstance(slide, BackAt):
        said = resolve_time_entry(request.values["at"], now, request.zone, fold=args.fold)
        print(f"Back at {said.describe(now)} ({clock_in_zones(slide.at, list(zones))})")

    output = Path(args.output)
    try:
        if output.suffix.lower() in (".html", ".htm"):
            from commsdesk.slides.html_page import page_html
            from commsdesk.slides.render import write_atomically

            write_atomically(output, page_html(slide, now=now, slides_dir=slides_dir).encode())
            print(f"Wrote {output} (browser source page, 1920×1080)")
            return 0
        from commsdesk.slides.render import ensure_gui_application, render_slide

        ensure_gui_application()
        rendered = render_slide(slide, now=now, slides_dir=slides_dir)
        rendered.save(output)
    except TemplateProblem as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"commsdesk: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for warning in rendered.warnings:
        print(f"commsdesk: {warning}", file=sys.stderr)
    print(f"Wrote {output} (1920×1080, text at {rendered.scale:.0%})")
    if rendered.countdown_box:
        x, y, w, h = rendered.countdown_box
        print(
            f"Countdown box: x={x} y={y} w={w} h={h}, {rendered.countdown_px} px "
            f"{rendered.countdown_color}"
        )
    return 0


def add_slide_commands(commands: argparse._SubParsersAction) -> None:
    from commsdesk.domain.slides import SLIDE_TYPES

    slide = commands.add_parser(
        "slide",
        help="broadcast slides: render",
        description="Broadcast slides as the desk draws them for OBS.",
    )
    slide_commands = slide.add_subparsers(dest="slide_command", metavar="COMMAND", required=True)

    fields = "; ".join(
        f"{kind.value}: " + ", ".join(spec.name for spec in cls.FIELDS)
        for kind, cls in SLIDE_TYPES.items()
    )
    render = slide_commands.add_parser(
        "render",
        help="draw a slide to a 1920×1080 PNG (or its browser page)",
        description="Draw TEMPLATE with the fields given by --set to FILE.png, 1920×1080, as "
        "the desk sends it to OBS; FILE.html writes the browser-source page instead. Times for "
        "back_at's `at`: 18:30 (24-hour), 6:30 (the next 6:30, morning or evening), 6:30pm, "
        f"+15m, +1h30m, 90m. Fields: {fields}.",
    )
    render.add_argument(
        "template", metavar="TEMPLATE", help="back_at, standby, statement or lower_third"
    )
    render.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="a field of the slide"
    )
    render.add_argument(
        "-o", "--output", required=True, metavar="FILE.png", help="where to write it"
    )
    render.add_argument(
        "--zone", metavar="NAME",
        help="the zone times are typed in (default: the first of the team's zones)",
    )
    render.add_argument(
        "--fold", type=int, choices=(0, 1),
        help="for a time the clocks show twice: 0 the first, 1 the second",
    )
    render.add_argument(
        "--slides-dir", metavar="DIR",
        help="look for templates here first (default: the slides_dir setting)",
    )
    render.add_argument(
        "--now", metavar="ISO",
        help="draw as at this instant (default: now), e.g. 2026-11-24T17:50Z",
    )
    render.set_defaults(run=cmd_slide_render)
