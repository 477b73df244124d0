"""What every command shares: reading input, opening the desk, who acts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def read_text(value: str | None, *, what: str) -> str:
    """TEXT given inline, or '-' / nothing for standard input, or a file path for FILE."""
    if value is None or value == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise SystemExit(f"commsdesk: give the {what} as an argument or on standard input")
        return sys.stdin.read()
    return value


def read_source(source: str) -> str:
    if source == "-":
        return read_text(None, what="statement")
    try:
        return Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise SystemExit(f"commsdesk: cannot read {source}: {exc.strerror}") from None


def operator(data_dir: Path) -> str:
    """Who acts from the command line: COMMSDESK_OPERATOR, else the desk's own operator."""
    import os

    from commsdesk.settings import Settings

    return (
        os.environ.get("COMMSDESK_OPERATOR", "").strip()
        or Settings.load(data_dir).get("operator_name")
        or "command line"
    )


def open_desk(args: argparse.Namespace):
    """The desk of --data-dir (or the default one) and who acts; exits 2 when it cannot open."""
    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.desk import Desk
    from commsdesk.store.database import DatabaseProblem

    data_dir = resolve_data_dir(args.data_dir)
    try:
        return Desk.open(data_dir), operator(data_dir)
    except DatabaseProblem as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
