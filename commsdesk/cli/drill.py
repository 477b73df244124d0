"""`commsdesk drill on|off|status`: Drill mode for every desk on this database;
`commsdesk drill run [SCENARIO]`: a scored drill, end to end (commsdesk.drill);
`commsdesk drill put-right`: the desk back as before a drill that was cut short."""

from __future__ import annotations

import argparse
import contextlib
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


def cmd_drill_put_right(args: argparse.Namespace) -> int:
    """Exit 0 once put right, 1 when no drill was cut short."""
    from commsdesk.desk import DeskError
    from commsdesk.drill.run import put_right

    desk, actor = open_desk(args)
    try:
        done = put_right(desk, actor)
    except DeskError as exc:
        print(str(exc))
        return 1
    finally:
        desk.close()
    print("Put right: " + ("; ".join(done) if done else "nothing was left to put back") + ".")
    return 0


def cmd_drill_run(args: argparse.Namespace) -> int:
    """Run a scenario end to end; exit 0 when every step was done, 1 when one failed (or the
    desk cannot run a drill now), 2 when the scenario cannot be read."""
    from functools import partial
    from pathlib import Path

    from commsdesk.broadcast.obs_actions import open_obs
    from commsdesk.cli.common import CannotRun, open_services
    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.drill.run import STEPS, DrillParts, DrillRun
    from commsdesk.drill.scenario import ScenarioProblem, load
    from commsdesk.settings import Settings

    try:
        scenario = load(args.scenario)
    except ScenarioProblem as exc:
        raise CannotRun(str(exc)) from None
    report = Path(args.report).expanduser() if args.report else None
    if report is not None:
        from commsdesk.report.writing import ReportProblem, check_target, report_format

        try:
            report_format(report)
            check_target(report)
        except ReportProblem as exc:
            raise CannotRun(str(exc)) from None
    data_dir = resolve_data_dir(args.data_dir)
    host, port = args.host, args.port

    settings = Settings.load(data_dir)
    phone = None
    if args.twilio:
        from commsdesk.p1.runner import choose_provider

        phone = choose_provider
    services, actor = open_services(args)
    try:
        parts = DrillParts(services, actor, data_dir, settings,
                           partial(open_obs, settings, host=host, port=port), phone=phone,
                           report_path=report)  # fmt: skip
        drill = DrillRun(scenario, parts)

        def say(line: str) -> None:
            if args.json:
                return
            with contextlib.suppress(OSError):  # a closed pipe: the drill still runs out
                print(line, flush=True)

        def begun() -> None:
            say(f"Drill: {scenario.name} ({scenario.path.name}), as {actor}. Drill mode is on "
                "for the run: posts go to the SANDBOX. "
                + ("P-1 calls the real chain through Twilio (each call says it is a drill)."
                   if args.twilio else "P-1 rings a stand-in phone: no one is called."))
            for line in drill.foreseen:
                say(f"  Foreseen: {line}")

        def shown(result) -> None:
            number = len(drill.results)
            state = f"done in {result.seconds:.1f} s" if result.ok else "FAILED"
            detail = result.said if result.ok else result.error
            say(f"  {number:>2}/{len(STEPS)} {result.title}: {state}: {detail}")

        card = drill.run(on_step=shown, on_begun=begun)  # said once it has begun
    finally:
        services.close()
    if args.json:
        print(json.dumps(card.as_json(), ensure_ascii=False))
    else:
        print("\n".join(card.lines()))
    return 0 if not card.failed else 1


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

    from commsdesk.drill.scenario import DEFAULT

    run = drill_commands.add_parser(
        "run",
        help="run a scored drill end to end",
        description="Rehearse a crisis end to end in drill mode on the desk's real parts: press "
        "P-1, start the incident, draft the first statement from its template, two approvals "
        "by two people, post to the SANDBOX, go live on OBS (a rehearsal destination, else a "
        "recording), a Back-at slide, back to live, the audience replayed to the end-stream "
        "advice, end the stream, close the incident and write its report. A step that fails "
        "is noted and the rest go on. Exit status 0 when every step was done, 1 when one "
        "failed or a drill cannot start now (an incident open), 2 when the scenario cannot be "
        "read.",
    )
    run.add_argument("scenario", metavar="SCENARIO", nargs="?", default=DEFAULT,
                     help="a shipped scenario (cold-wallet-breach, exchange-outage) or a .toml "
                     f"file (default: {DEFAULT})")  # fmt: skip
    run.add_argument("--json", action="store_true",
                     help="print one object: steps, scores, report")  # fmt: skip
    run.add_argument("-o", "--report", metavar="FILE.pdf",
                     help="where to write the report (default: the data folder's drills/)")
    run.add_argument("--twilio", action="store_true",
                     help="P-1 phones the real chain through the Twilio account set up (each "
                     "call says it is a drill); without it a stand-in phone answers")
    run.add_argument("--host", help="OBS's address (default: the desk's obs_host setting)")
    run.add_argument("--port", type=int, help="OBS's WebSocket port (default: obs_port, 4455)")
    run.set_defaults(run=cmd_drill_run)
    mend = drill_commands.add_parser(
        "put-right",
        help="put the desk back as before a drill that was cut short",
        description="A drill stopped mid-way (its desk killed) leaves drill mode on, the "
        "approvals asked raised and its incident open. Run this once it is not running "
        "anywhere: drill mode and the approvals asked go back to what they were before it, its "
        "incident is closed and its P-1 acknowledged, and the timeline says so. Exit status 1 "
        "when no drill was cut short.",
    )
    mend.set_defaults(run=cmd_drill_put_right)
