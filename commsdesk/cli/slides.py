"""`commsdesk slide ...`: broadcast slides from the command line.

`slide render TEMPLATE [--set KEY=VALUE ...] -o FILE.png` draws a slide (back_at, standby,
statement, lower_third) as the desk would send it to OBS: 1920×1080, the team's zones and slide
templates from this desk's settings. `-o FILE.html` writes the browser-source page instead. Exit
status 1 for a template that does not render or a time that cannot be used, 2 for a field the
slide does not take (the message lists those it does).

`slide back-at TIME [--message TEXT]`, `slide push TEMPLATE [--set KEY=VALUE ...]` and `slide off`
drive OBS (at the obs_host/obs_port settings unless --host/--port say otherwise; the password from
COMMSDESK_OBS_PASSWORD, else the keyring): the slide is drawn by the same renderer into the desk's
`slides/` folder and shown in one batch; `off` returns to the scene that was on before. Each is
recorded on the desk's timeline. Exit status 1 for a slide that cannot be drawn or a request OBS
refuses, 2 when OBS is unreachable, refuses the password or does not answer within 5 s (and for a
field the slide does not take); the reason is one line on standard error.

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
    from commsdesk.clock import as_utc, utc_now

    if text is None:
        return utc_now()
    try:
        return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise SystemExit(
            f"commsdesk: --now takes ISO 8601, e.g. 2026-11-24T17:50Z; not {text!r}"
        ) from None


def cmd_slide_render(args: argparse.Namespace) -> int:
    from commsdesk.broadcast.on_air import producer_zone
    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.scheduling.policy import AmbiguousTime, ScheduleRefused
    from commsdesk.settings import Settings
    from commsdesk.slides.slide_kinds import (
        BackAt,
        SlideKind,
        SlideProblem,
        SlideRequest,
        UnknownField,
        build_slide,
        resolve_time_entry,
    )
    from commsdesk.statements.templates import TemplateProblem
    from commsdesk.team_time import clock_in_zones

    settings = Settings.load(resolve_data_dir(args.data_dir))
    zones = tuple(settings.get("team_time_zones")) or ("UTC",)
    slides_dir = args.slides_dir if args.slides_dir is not None else settings.get("slides_dir")
    now = _now(args.now)
    try:
        kind = SlideKind.named(args.template)
    except SlideProblem as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        return 2
    zone = args.zone or producer_zone(settings.get("producer_zone"))
    request = SlideRequest(kind, _values(args.set), zone=zone, zones=zones)
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


def _draw_for_obs(args: argparse.Namespace, kind_name: str, values: dict[str, str]):
    """(the slide, the PNG's path) drawn into the desk's slides folder; exits 1 or 2 with the
    reason when the slide cannot be built or drawn."""
    from commsdesk.broadcast.obs_actions import draw_slide
    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.scheduling.policy import AmbiguousTime, ScheduleRefused
    from commsdesk.settings import Settings
    from commsdesk.slides.slide_kinds import SlideProblem, UnknownField
    from commsdesk.statements.templates import TemplateProblem

    data_dir = resolve_data_dir(args.data_dir)
    try:
        slide, path, warnings = draw_slide(data_dir, Settings.load(data_dir), kind_name, values,
                                           zone=args.zone, fold=args.fold)  # fmt: skip
    except UnknownField as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except (SlideProblem, AmbiguousTime, ScheduleRefused, TemplateProblem) as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"commsdesk: cannot write {where}{exc.strerror or exc}", file=sys.stderr)
        raise SystemExit(1) from None
    for warning in warnings:
        print(f"commsdesk: {warning}", file=sys.stderr)
    return slide, path


def _push(args: argparse.Namespace, kind_name: str, values: dict[str, str]) -> int:
    from commsdesk.broadcast.obs_actions import push_slide
    from commsdesk.cli.common import open_desk
    from commsdesk.cli.obs import on_obs

    desk, actor = open_desk(args)  # before anything goes on air: every push is recorded
    try:
        slide, path = _draw_for_obs(args, kind_name, values)

        def push(obs) -> int:
            pushed = push_slide(desk, actor, obs, slide, path, via="command line",
                                countdown=getattr(args, "count", False))  # fmt: skip
            print(f"On air: {pushed.headline} ({path})")
            if pushed.loaded is False:
                return _blank(obs, path)
            if pushed.countdown:
                _keep_counting(obs, slide.at)
            return 0

        return on_obs(args, push)
    finally:
        desk.close()


def _blank(obs, path) -> int:
    """OBS cut to the slides scene but could not read the file (on the record): said."""
    from commsdesk.broadcast.obs.host import is_this_machine
    from commsdesk.broadcast.program import not_loaded_text
    from commsdesk.cli.obs import EXIT_NO_OBS

    host = obs.connection.host
    print(f"commsdesk: {not_loaded_text(path, host, is_this_machine(host))}", file=sys.stderr)
    return EXIT_NO_OBS


def _keep_counting(obs, target: datetime) -> None:
    """Update OBS's countdown text each second until the moment comes or Ctrl-C."""
    import time

    from commsdesk.slides.slide_kinds import countdown_text

    print("Keeping the countdown current; Ctrl-C to stop.")
    try:
        while True:
            text = countdown_text(target, _now(None))
            obs.set_countdown(text)
            if text == countdown_text(target, target):
                return
            time.sleep(1.0 - time.time() % 1.0)
    except KeyboardInterrupt:
        return


def cmd_slide_back_at(args: argparse.Namespace) -> int:
    values = {"at": args.time}
    if args.message:
        values["message"] = args.message
    return _push(args, "back_at", values)


def cmd_slide_push(args: argparse.Namespace) -> int:
    return _push(args, args.template, _values(args.set))


def cmd_slide_off(args: argparse.Namespace) -> int:
    from commsdesk.broadcast.obs_actions import back_to_live
    from commsdesk.cli.common import open_desk
    from commsdesk.cli.obs import on_obs

    desk, actor = open_desk(args)

    def off(obs) -> int:
        print(f"Program: {back_to_live(desk, actor, obs, via='command line')}")
        return 0

    try:
        return on_obs(args, off)
    finally:
        desk.close()


def _obs_target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="OBS's address (default: the desk's obs_host setting)")
    parser.add_argument(
        "--port", type=int, help="OBS's WebSocket port (default: the obs_port setting, 4455)"
    )


def _time_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--zone", metavar="NAME",
        help="the zone times are typed in (default: the producer_zone setting, else this "
        "computer's zone)",
    )  # fmt: skip
    parser.add_argument(
        "--fold", type=int, choices=(0, 1),
        help="for a time the clocks show twice: 0 the first, 1 the second",
    )  # fmt: skip


def add_slide_commands(commands: argparse._SubParsersAction) -> None:
    from commsdesk.slides.slide_kinds import SLIDE_TYPES

    slide = commands.add_parser(
        "slide",
        help="broadcast slides: render, back-at, push, off",
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
        help="the zone times are typed in (default: the producer_zone setting, else this "
        "computer's zone)",
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

    back_at = slide_commands.add_parser(
        "back-at",
        help="put “We'll be back at TIME” on air in OBS",
        description="Draw the Back-at slide for TIME (18:30, 6:30pm, +15m, 1h30m) in the team's "
        "zones and put it on air in OBS in one batch. Without --count the countdown text is left "
        "blank (nothing would keep it current).",
    )
    back_at.add_argument("time", metavar="TIME")
    back_at.add_argument("--message", metavar="TEXT", help="a line under the times")
    back_at.add_argument(
        "--count", action="store_true",
        help="stay running and keep OBS's countdown current each second until TIME (Ctrl-C ends)",
    )  # fmt: skip
    _time_options(back_at)
    _obs_target(back_at)
    back_at.set_defaults(run=cmd_slide_back_at)

    push = slide_commands.add_parser(
        "push",
        help="put a slide on air in OBS",
        description="Draw TEMPLATE with the fields given by --set, as `slide render` does, and "
        f"put it on air in OBS in one batch. Fields: {fields}.",
    )
    push.add_argument(
        "template", metavar="TEMPLATE", help="back_at, standby, statement or lower_third"
    )
    push.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="a field of the slide"
    )
    _time_options(push)
    _obs_target(push)
    push.set_defaults(run=cmd_slide_push)

    off = slide_commands.add_parser(
        "off",
        help="back to live: the scene that was on before the slide",
        description="Return OBS's program to the scene that was on air before the last slide "
        "push (remembered in OBS, so it works after a push from the desk or another command).",
    )
    _obs_target(off)
    off.set_defaults(run=cmd_slide_off)
