"""`commsdesk scheduler run`: a headless desk that runs the scheduled posts, for a server.

On a team database it takes its turn like any desk: it runs the posts while it leads, and
takes over within seconds when the desk that led goes away. It also carries on a P-1 chain
(calls, texts, replies) that the desk which pressed it left running. Stops on Ctrl-C or
SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import threading

from commsdesk.cli.common import open_services


def cmd_scheduler_run(args: argparse.Namespace) -> int:
    services, _ = open_services(args)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    scheduler = services.scheduler()
    scheduler.start()
    listener = None
    if services.desk.person is not None:  # follow other desks' schedule changes at once
        from commsdesk.store.changes import ChangeListener

        def heard(change) -> None:
            if change.table in ("*", "scheduled_posts", "desk_policy"):
                scheduler.refresh()

        listener = ChangeListener(services.desk.engine.url, heard)
        listener.start()
    where = services.desk.engine.url.render_as_string(hide_password=True)
    print(f"Scheduler on {where}: waiting for its turn to run the posts", flush=True)
    leading = False
    chains = Chains(services.desk)
    try:
        while not stop.wait(0.5):
            chains.step()
            if scheduler.running != leading:
                leading = scheduler.running
                print("running the scheduled posts" if leading
                      else "another desk runs the scheduled posts", flush=True)
    finally:
        if listener is not None:
            listener.stop()
        scheduler.shutdown()
        services.close()
    print("Scheduler stopped", flush=True)
    return 0


class Chains:
    """The P-1 chain carried on once a second, its problems printed once."""

    def __init__(self, desk) -> None:
        import time

        from commsdesk.p1.runner import Carrier
        from commsdesk.p1.service import CallChain

        self.carrier = Carrier(CallChain(desk))
        self.clock = time.monotonic
        self.next_at = 0.0
        self.said: str | None = None

    def step(self) -> None:
        if self.clock() < self.next_at:
            return
        self.next_at = self.clock() + 1.0
        try:
            run = self.carrier.step()
        except Exception as exc:  # the database or provider away: tried again next second
            problem = f"P-1 chain not carried on: {exc}"
        else:
            problem = self.carrier.problem if run is not None and run.running else None
        if problem and problem != self.said:
            print(problem, flush=True)
        self.said = problem


def add_scheduler_commands(commands: argparse._SubParsersAction) -> None:
    scheduler = commands.add_parser("scheduler", help="run the scheduled posts without a window")
    sub = scheduler.add_subparsers(dest="scheduler_command", metavar="ACTION", required=True)
    run = sub.add_parser("run", help="run them until stopped (one desk of a team at a time)")
    run.set_defaults(run=cmd_scheduler_run)
