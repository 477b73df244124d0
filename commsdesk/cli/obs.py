"""`commsdesk obs ...`: OBS Studio from the command line (status, scenes, switching, ending
the stream).

OBS is reached at the desk's settings (obs_host, obs_port) unless --host/--port say otherwise;
the password comes from COMMSDESK_OBS_PASSWORD, else the keyring. Exit status 0 on success, 1
when OBS refuses the request (no such scene), 2 when OBS cannot be reached, refuses the password
or does not answer within 5 s; the reason is one line on standard error.
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_REFUSED = 1
EXIT_NO_OBS = 2


def _target(args: argparse.Namespace) -> tuple[str, int]:
    host, port = args.host, args.port
    if host is None or port is None:
        from commsdesk.data_dir import resolve_data_dir
        from commsdesk.settings import Settings

        settings = Settings.load(resolve_data_dir(args.data_dir))
        host = host or settings.get("obs_host")
        port = port or settings.get("obs_port")
    return host, port


def on_obs(args: argparse.Namespace, action) -> int:
    """Run `action(obs)` on a BlockingObs at --host/--port (else the settings); OBS failures
    exit with one line: 1 when OBS refused, 2 when it is unreachable, refuses the password or
    does not answer."""
    from commsdesk.broadcast.obs.api import ObsError
    from commsdesk.broadcast.obs.blocking import BlockingObs
    from commsdesk.keyring_secrets import load_obs_password

    host, port = _target(args)
    try:
        with BlockingObs(host, port, load_obs_password() or "") as obs:
            return action(obs)
    except ObsError as exc:
        print(f"commsdesk: OBS: {exc}", file=sys.stderr)
        return EXIT_REFUSED if exc.kind == "refused" else EXIT_NO_OBS


def cmd_obs_status(args: argparse.Namespace) -> int:
    def status(obs) -> int:
        from commsdesk.broadcast.obs.api import ObsError

        scenes = obs.scenes()
        try:
            health = obs.stream_health()
        except ObsError:
            health = None
        state = obs.status
        if args.json:
            report = {
                "state": str(state.state),
                "obs_version": state.obs_version,
                "websocket_version": state.websocket_version,
                "host": obs.connection.host,
                "port": obs.connection.port,
                "program_scene": scenes.program,
                "preview_scene": scenes.preview,
                "studio_mode": scenes.studio_mode,
                "scenes": list(scenes.scenes),
            }
            if health is not None:
                report["stream"] = {
                    "live": health.live,
                    "live_seconds": health.live_seconds,
                    "dropped_share": health.dropped_share,
                    "congestion": health.congestion,
                    "cpu_percent": round(health.cpu_percent, 1),
                    "fps": round(health.fps, 2),
                    "target_fps": health.target_fps,
                    "flags": [str(flag) for flag in health.flags],
                }
            print(json.dumps(report, ensure_ascii=False))
            return 0
        print(f"Connected: {state.detail}")
        print(
            f"Program: {scenes.program}"
            + (f"  Preview: {scenes.preview}" if scenes.preview else "")
        )
        if health is not None:
            live = f"LIVE {health.live_seconds:.0f} s" if health.live else "not live"
            flags = ", ".join(str(flag) for flag in health.flags) or "no problems"
            print(
                f"Stream: {live}; OBS CPU {health.cpu_percent:.0f}%, {health.fps:.0f} fps; {flags}"
            )
        return 0

    return on_obs(args, status)


def cmd_obs_scenes(args: argparse.Namespace) -> int:
    def scenes(obs) -> int:
        listing = obs.scenes()
        if args.json:
            print(json.dumps(
                {"scenes": list(listing.scenes), "program": listing.program,
                 "preview": listing.preview}, ensure_ascii=False,
            ))  # fmt: skip
            return 0
        for name in listing.scenes:
            marks = []
            if name == listing.program:
                marks.append("program")
            if name == listing.preview:
                marks.append("preview")
            print(name + (f"  [{', '.join(marks)}]" if marks else ""))
        return 0

    return on_obs(args, scenes)


def cmd_obs_scene(args: argparse.Namespace) -> int:
    def switch(obs) -> int:
        obs.switch_scene(args.name)
        print(f"Program: {args.name}")
        return 0

    return on_obs(args, switch)


def cmd_obs_stream_end(args: argparse.Namespace) -> int:
    """End the live stream and record it, as the Broadcast panel's End stream does: the desk is
    opened first (nothing stops unrecorded), the timeline says how long it ran."""
    from commsdesk.cli.common import explain, open_desk

    desk, actor = open_desk(args)

    def end(obs) -> int:
        health = obs.stream_health()
        obs.stop_stream()  # OBS refusing (not live) is said by on_obs, before any record
        try:
            event = desk.record_stream_ended(actor,
                                             health.live_seconds if health.live else None)
        except Exception as exc:
            failure = explain(exc, args.data_dir)
            if failure is None:
                raise
            print(f"commsdesk: the stream ended, but not on the timeline: {failure[1]}",
                  file=sys.stderr)  # fmt: skip
            return failure[0]
        print(event.summary if event else "Live stream ended (already on the timeline).")
        return 0

    try:
        return on_obs(args, end)
    finally:
        desk.close()


def cmd_obs_stream_start(args: argparse.Namespace) -> int:
    """Go live as the Broadcast panel's Go live does: the destination named (never the key);
    in Drill mode, a stream only to a rehearsal destination, else a recording instead. The
    start goes on the timeline once OBS says the stream runs."""
    from commsdesk.broadcast.going_live import REHEARSAL_SETTING, plan
    from commsdesk.broadcast.obs_actions import go_live
    from commsdesk.cli.common import open_desk
    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.publishing.holds import drill_mode
    from commsdesk.settings import Settings

    desk, actor = open_desk(args)
    rehearsal = Settings.load(resolve_data_dir(args.data_dir)).get(REHEARSAL_SETTING) or []

    def start(obs) -> int:
        drill = True if args.drill else drill_mode(desk)
        going = plan(obs.stream_service(), drill=drill, rehearsal=rehearsal)
        if going.refused:
            print(going.refused, file=sys.stderr)
            return 1
        print(going.sentence, flush=True)
        if args.dry_run:
            return 0
        going = go_live(desk, actor, obs, drill=drill, rehearsal=rehearsal, via="command line")
        print(f"Live stream started to {going.destination}" if going.streams
              else "OBS is recording.")
        return 0

    try:
        return on_obs(args, start)
    finally:
        desk.close()


def add_obs_commands(commands: argparse._SubParsersAction) -> None:
    """Register `obs status|scenes|scene|stream end` on the main parser's subcommands."""
    obs = commands.add_parser(
        "obs",
        help="OBS Studio: status, scenes, switch scene",
        description="Talk to OBS Studio over its WebSocket server (obs-websocket 5, OBS 28+). "
        "The password comes from COMMSDESK_OBS_PASSWORD, else the keyring. Exit status 2 with "
        "one line of reason when OBS is unreachable, refuses the password or does not answer "
        "within 5 s; 1 when OBS refuses the request.",
    )
    obs_commands = obs.add_subparsers(dest="obs_command", metavar="COMMAND", required=True)

    def target(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--host", help="OBS's address (default: the desk's obs_host setting)")
        parser.add_argument(
            "--port", type=int, help="OBS's WebSocket port (default: the obs_port setting, 4455)"
        )

    status = obs_commands.add_parser(
        "status",
        help="connection, versions, program scene, stream health",
        description="Connect to OBS and report its version, obs-websocket's version, the "
        "program (and preview) scene and the stream's health.",
    )
    target(status)
    status.add_argument(
        "--json",
        action="store_true",
        help="print an object: state, obs_version, websocket_version, host, port, "
        "program_scene, preview_scene, studio_mode, scenes, stream",
    )
    status.set_defaults(run=cmd_obs_status)

    scenes = obs_commands.add_parser(
        "scenes",
        help="the scenes, program and preview marked",
        description="One scene per line, top first as OBS lists them; the program scene is "
        "marked [program], the preview (studio mode) [preview].",
    )
    target(scenes)
    scenes.add_argument("--json", action="store_true", help="print scenes, program, preview")
    scenes.set_defaults(run=cmd_obs_scenes)

    scene = obs_commands.add_parser(
        "scene",
        help="put a scene on air",
        description="Make NAME the program scene. Exit status 1 when OBS has no such scene.",
    )
    scene.add_argument("name", metavar="NAME")
    target(scene)
    scene.set_defaults(run=cmd_obs_scene)

    stream = obs_commands.add_parser(
        "stream", help="the live stream: start or end it", description="The live stream."
    )
    stream_commands = stream.add_subparsers(dest="stream_command", metavar="COMMAND", required=True)
    begin = stream_commands.add_parser(
        "start",
        help="go live (a drill records instead, unless to a rehearsal destination)",
        description="Say where OBS will stream (its service and server, never the key), then "
        "start the stream and put its start on the timeline. In Drill mode (or with --drill) "
        "OBS streams only to a destination in the desk's rehearsal_destinations setting, and "
        "records instead otherwise.",
    )
    begin.add_argument("--drill", action="store_true", help="as in Drill mode, whatever it is")
    begin.add_argument("--dry-run", action="store_true", help="only say what would happen")
    target(begin)
    begin.set_defaults(run=cmd_obs_stream_start)
    end = stream_commands.add_parser(
        "end",
        help="stop the live stream and record it on the timeline",
        description="Stop OBS's live stream now (no question asked) and put it on the timeline "
        "with how long it ran, under who acts (--as). Exit status 1 when OBS refuses (the "
        "stream is not live).",
    )
    target(end)
    end.set_defaults(run=cmd_obs_stream_end)
