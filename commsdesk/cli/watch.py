"""`commsdesk watch`: each change on a team database as it is committed, for scripts and walls."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from datetime import datetime

from commsdesk.cli.common import CannotRun, database_url


def cmd_watch(args: argparse.Namespace) -> int:
    from commsdesk.keyring_secrets import with_team_password
    from commsdesk.store.changes import ChangeListener

    url = database_url()
    if url is None:
        raise CannotRun("watch follows a team database: give --database URL before the "
                        "command, or COMMSDESK_DATABASE_URL")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())

    def show(change) -> None:
        at = datetime.now().astimezone().isoformat(timespec="milliseconds")
        if args.json:
            line = json.dumps({"at": at, "table": change.table, "op": change.op,
                               "id": change.id, "statement_id": change.statement_id,
                               "by": change.by})
        else:
            line = f"{at[11:23]}  {change.line()}"
        print(line, flush=True)

    def connection(up: bool, why: str) -> None:
        print("watching" if up else f"connection lost: {why}; trying again",
              file=sys.stderr, flush=True)

    listener = ChangeListener(with_team_password(url), show, connection)
    listener.start()
    stop.wait()
    listener.stop()
    return 0


def add_watch_commands(commands: argparse._SubParsersAction) -> None:
    watch = commands.add_parser("watch", help="print each change on a team database as it happens")
    watch.add_argument("--json", action="store_true", help="one JSON object per line")
    watch.set_defaults(run=cmd_watch)
