"""`commsdesk p1 …`: the P-1 button for scripts and hardware buttons, and its call chain.

`p1 press` records the press, then runs the chain in the foreground (one call at a time, in
order, until a person answers; then the texts) and prints each step. Stopped midway (Ctrl-C,
killed), the chain stays running on the record: any desk, or `p1 run`, carries it on.
Exit status: 0 a person answered; 3 no one answered after every round; 1 refused (an empty
chain, a bad number); 2 cannot run (no phone provider set up).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from commsdesk.cli.common import EXIT_CANNOT_RUN, open_desk

EXIT_NO_ONE = 3


def _chain(desk):
    from commsdesk.p1.service import CallChain

    return CallChain(desk)


def cmd_chain(args: argparse.Namespace) -> int:
    desk, actor = open_desk(args)
    try:
        chain = _chain(desk)
        command = args.chain_command
        if command == "add":
            added = chain.add(actor, args.name, args.phone, args.ring)
            print(f"Added {added.name} ({added.phone}, rings {added.ring_seconds} s).")
        elif command == "remove":
            chain.remove(actor, args.name)
            print(f"Removed {' '.join(args.name.split())}.")
        elif command == "rounds":
            print(f"The chain is called {chain.set_rounds(actor, args.rounds)} round(s) at most.")
        elif command == "room":
            link = chain.set_room(actor, args.link)
            print(f"Conference room: {link}" if link else "No conference room in the text.")
        else:
            members, rounds, room = chain.members(), chain.rounds(), chain.room()
            if args.json:
                print(json.dumps({
                    "rounds": rounds, "room": room,
                    "chain": [{"name": m.name, "phone": m.phone,
                               "ring_seconds": m.ring_seconds} for m in members],
                }))  # fmt: skip
                return 0
            if not members:
                print("The chain is empty: commsdesk p1 chain add NAME PHONE")
            for n, m in enumerate(members, start=1):
                print(f"{n}. {m.name}  {m.phone}  rings {m.ring_seconds} s")
            print(f"{rounds} round(s); conference room: {room or 'none'}")
        return 0
    finally:
        desk.close()


def cmd_press(args: argparse.Namespace) -> int:
    from commsdesk.p1.chain import people
    from commsdesk.p1.runner import NoProvider, choose_provider
    from commsdesk.publishing.holds import drill_mode

    desk, actor = open_desk(args)
    try:
        drill = True if args.drill else drill_mode(desk)
        try:
            provider = choose_provider(drill=drill)
        except NoProvider as exc:  # cannot run as asked
            print(f"commsdesk: {exc}", file=sys.stderr)
            return EXIT_CANNOT_RUN
        run, started = _chain(desk).press(actor, args.reason, provider=provider.name,
                                          drill=True if args.drill else None)  # fmt: skip
        mark = "DRILL " if run.drill else ""
        print(f"{mark}P-1 {'pressed' if started else 'pressed again: joining the chain running'}"
              f" for '{run.incident_title}'. Calling {people(len(run.chain))} in turn, "
              f"{run.rounds} round(s).", flush=True)  # fmt: skip
        return _follow(desk, provider, pressed=run if started else None)
    finally:
        desk.close()


def cmd_run(args: argparse.Namespace) -> int:
    """Carry on the running chain (after a desk running it stopped)."""
    from commsdesk.p1.runner import NoProvider, choose_provider

    desk, _actor = open_desk(args)
    try:
        latest = _chain(desk).latest()
        if latest is None or (not latest.running and latest.texted_at is not None):
            print("No P-1 chain to carry on.")
            return 0
        try:
            provider = choose_provider(drill=latest.drill)
        except NoProvider as exc:
            print(f"commsdesk: {exc}", file=sys.stderr)
            return EXIT_CANNOT_RUN
        return _follow(desk, provider)
    finally:
        desk.close()


def _follow(desk, provider, pressed=None) -> int:
    """Step the chain until it has ended and its texts are out, printing what changed;
    `pressed`, this press's run, has its first call placed at once."""
    from commsdesk.p1.runner import STEP_EVERY, ChainRunner

    runner = ChainRunner(_chain(desk), provider)
    shown: set[tuple] = set()
    try:
        while True:
            run = runner.start(pressed) if pressed is not None else runner.step()
            pressed = None
            for call in run.calls:
                key = (call.id, call.outcome)
                if key not in shown:
                    shown.add(key)
                    what = ("calling…" if not call.outcome.ended else str(call.outcome))
                    print(f"  round {call.round}: {call.name} ({call.phone}): {what}",
                          flush=True)  # fmt: skip
            if not run.running and (run.texted_at is not None or run.state.value == "cancelled"):
                break
            time.sleep(STEP_EVERY)
    except KeyboardInterrupt:
        print("Stopped following: the chain goes on for any desk (commsdesk p1 run).")
        return 0
    return _said(run)


def _said(run) -> int:
    sent = sum(1 for m in run.messages if m.kind == "sent")
    if run.state.value == "answered":
        print(f"{run.answered_by} answered. Texted {sent} of {len(run.chain)}.")
        return 0
    if run.state.value == "cancelled":
        print("The chain was cancelled.")
        return 0
    print(f"NO ONE ANSWERED after {run.rounds} round(s). The incident stays open. "
          f"Texted {sent} of {len(run.chain)}.")  # fmt: skip
    return EXIT_NO_ONE


def cmd_status(args: argparse.Namespace) -> int:
    desk, _actor = open_desk(args)
    try:
        run = _chain(desk).latest()
    finally:
        desk.close()
    if args.json:
        print(json.dumps(status_json(run)))
        return 0
    if run is None:
        print("P-1 has not been pressed on this desk.")
        return 0
    print(f"{'DRILL ' if run.drill else ''}P-1 pressed by {run.pressed_by} at "
          f"{run.pressed_at:%H:%M:%S} UTC: {run.reason}. Chain {run.summary()}.")  # fmt: skip
    for call in run.calls:
        print(f"  round {call.round}: {call.name} ({call.phone}): {call.outcome}")
    for message in run.messages:
        if message.kind != "sent":
            print(f"  {message.kind}: {message.name} {message.body}".rstrip())
    return 0


def status_json(run) -> dict:
    if run is None:
        return {"state": None, "answered_by": None, "calls": []}

    def stamp(moment):
        return None if moment is None else moment.isoformat()

    return {
        "state": run.state.value, "answered_by": run.answered_by, "drill": run.drill,
        "reason": run.reason, "incident_id": run.incident_id,
        "calls": [{"name": c.name, "phone": c.phone, "outcome": c.outcome.value,
                   "started_at": stamp(c.started_at), "ended_at": stamp(c.ended_at)}
                  for c in run.calls],
        "acknowledged": [m.name for m in run.messages if m.kind in ("reply", "acknowledged")],
    }  # fmt: skip


def cmd_cancel(args: argparse.Namespace) -> int:
    desk, actor = open_desk(args)
    try:
        _chain(desk).cancel(actor)
    finally:
        desk.close()
    print("P-1 chain cancelled; the call ringing now is hung up.")
    return 0


def cmd_ack(args: argparse.Namespace) -> int:
    desk, actor = open_desk(args)
    try:
        _chain(desk).acknowledge(actor)
    finally:
        desk.close()
    print(f"Acknowledged by {actor}.")
    return 0


def add_p1_commands(commands: argparse._SubParsersAction) -> None:
    p1 = commands.add_parser(
        "p1", help="the P-1 button: call the management chain until someone answers",
        description="Press P-1 and the desk phones the chain one person at a time until one "
        "answers, then texts everyone. Every call, outcome and text goes on the timeline.",
    )  # fmt: skip
    sub = p1.add_subparsers(dest="p1_command", metavar="COMMAND", required=True)
    press = sub.add_parser("press", help="press P-1 and run the chain until someone answers",
                           description=__doc__.split("\n\n")[1])  # fmt: skip
    press.add_argument("--reason", required=True, help="why: read out on every call")
    press.add_argument("--drill", action="store_true",
                       help="a drill: the call says so first and the text starts DRILL (the "
                       "desk's Drill mode stays as it is)")  # fmt: skip
    press.set_defaults(run=cmd_press)
    sub.add_parser("run", help="carry on a chain a stopped desk left running").set_defaults(
        run=cmd_run)
    status = sub.add_parser("status", help="the latest chain: state, each call's outcome")
    status.add_argument("--json", action="store_true",
                        help="keys state, answered_by and calls (name, phone, outcome, "
                        "started_at, ended_at)")  # fmt: skip
    status.set_defaults(run=cmd_status)
    sub.add_parser("cancel", help="stop the running chain").set_defaults(run=cmd_cancel)
    sub.add_parser("ack", help="acknowledge the latest P-1 as the person acting").set_defaults(
        run=cmd_ack)
    chain = sub.add_parser("chain", help="the people called, in order, and the rounds")
    chain_sub = chain.add_subparsers(dest="chain_command", metavar="COMMAND", required=True)
    add = chain_sub.add_parser("add", help="add a person at the end of the chain")
    add.add_argument("name")
    add.add_argument("phone", help="international form: +44 20 7946 0000")
    add.add_argument("--ring", type=int, default=None, metavar="SECONDS",
                     help="how long their phone rings (default 30)")  # fmt: skip
    listing = chain_sub.add_parser("list", help="the chain in calling order")
    listing.add_argument("--json", action="store_true")
    chain_sub.add_parser("remove", help="take a person out").add_argument("name")
    chain_sub.add_parser("rounds", help="how many times round the chain at most").add_argument(
        "rounds", type=int)
    chain_sub.add_parser("room", help="the conference room's link, sent in the text"
                         ).add_argument("link")  # fmt: skip
    chain.set_defaults(run=cmd_chain)
