"""What every command shares: reading input, opening the desk, who acts, and what a failure
means for the person at the keyboard (`explain`).

Exit status: 0 done; 1 refused by a rule (the desk's, the scheduling policy's, OBS's); 2 the
command could not run as asked (the database cannot be opened, the disk is full, the folder is
read-only, a file cannot be read or is not UTF-8, the database stayed locked).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_REFUSED = 1
EXIT_CANNOT_RUN = 2

_acting_as: str | None = None  # the global --as NAME
_database: str | None = None  # the global --database URL
DATABASE_ENV = "COMMSDESK_DATABASE_URL"


class CannotRun(Exception):
    """The command cannot run as asked; the message says why and what to do (exit 2)."""


def act_as(name: str | None) -> None:
    """Who acts for this run (the global --as); None goes back to operator()'s own choice."""
    global _acting_as
    _acting_as = name.strip() if name else None


def use_database(url: str | None) -> None:
    """The team database for this run (the global --database); None: COMMSDESK_DATABASE_URL,
    else this desk's own SQLite file."""
    global _database
    _database = url.strip() if url else None


def database_url() -> str | None:
    import os

    return _database or os.environ.get(DATABASE_ENV, "").strip() or None


def read_text(value: str | None, *, what: str) -> str:
    """TEXT given inline, or '-' / nothing for standard input, or a file path for FILE."""
    if value is None or value == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise CannotRun(f"give the {what} as an argument or on standard input")
        raw = getattr(sys.stdin, "buffer", None)
        return decode(raw.read(), "standard input") if raw is not None else sys.stdin.read()
    return value


def read_source(source: str) -> str:
    """The text of FILE, or of standard input for '-', as UTF-8."""
    if source == "-":
        return read_text(None, what="statement")
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise CannotRun(f"cannot read {source}: {exc.strerror}") from None
    return decode(data, source)


def decode(data: bytes, name: str) -> str:
    """UTF-8 text (a byte order mark dropped); else CannotRun naming the line of the bad bytes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CannotRun(not_utf8(name, exc)) from None


def not_utf8(name: str, exc: UnicodeDecodeError) -> str:
    line = exc.object.count(b"\n", 0, exc.start) + 1
    return f"{name} is not UTF-8 text: bad bytes on line {line}; save it as UTF-8 and try again"


def operator(data_dir: Path) -> str:
    """Who acts from the command line: --as, else COMMSDESK_OPERATOR, else the desk's own
    operator."""
    import os

    from commsdesk.settings import Settings

    return (
        _acting_as
        or os.environ.get("COMMSDESK_OPERATOR", "").strip()
        or Settings.load(data_dir).get("operator_name")
        or "command line"
    )


def open_services(args: argparse.Namespace):
    """The services of the desk at --data-dir (or the default one), wired as the window wires
    them, and who acts. A database that cannot be opened raises DatabaseProblem, which
    `explain` turns into one line and exit status 2."""
    from commsdesk.app import open_services as wired
    from commsdesk.data_dir import resolve_data_dir

    data_dir = resolve_data_dir(args.data_dir)
    services = wired(data_dir, url=database_url())
    try:
        return services, acting(services.desk, data_dir)
    except BaseException:
        services.close()
        raise


def acting(desk, data_dir: Path) -> str:
    """Who acts on `desk`: in team mode the person the server says is signed in (--as is
    refused), else operator()."""
    if desk.person is None:
        return operator(data_dir)
    if _acting_as and _acting_as != desk.person.name:
        from commsdesk.desk import DeskError

        raise DeskError(
            f"--as is refused on a team database: you act as the login you signed in with "
            f"({desk.person.login}, {desk.person.name})."
        )
    return desk.person.name


def open_desk(args: argparse.Namespace):
    """The desk of --data-dir (or the default one) and who acts."""
    services, actor = open_services(args)
    return services.desk, actor


def _is(exc: BaseException, module: str, *names: str) -> bool:
    """isinstance against classes of `module`, without importing it: an exception of a module
    never imported cannot have been raised."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(exc, tuple(getattr(loaded, n) for n in names))


def explain(exc: BaseException, data_dir_option: str | None) -> tuple[int, str] | None:
    """(exit status, one line) for a failure any command can meet; None for a bug, which
    should show its traceback."""
    if isinstance(exc, CannotRun):
        return EXIT_CANNOT_RUN, str(exc)
    if _is(exc, "commsdesk.desk", "DeskError") or _is(
        exc, "commsdesk.scheduling.policy", "ScheduleRefused", "AmbiguousTime"
    ):
        return EXIT_REFUSED, str(exc)
    if _is(exc, "commsdesk.store.database", "DatabaseProblem"):
        # Said as for the same OS or SQLite error met later, when that is what it came from.
        cause = exc.__cause__
        return (explain(cause, data_dir_option) if cause else None) or (EXIT_CANNOT_RUN, str(exc))
    if isinstance(exc, UnicodeDecodeError):
        return EXIT_CANNOT_RUN, not_utf8("the input", exc)
    if _is(exc, "sqlalchemy.exc", "DBAPIError") and _is(exc.orig, "psycopg", "Error"):
        from commsdesk.store.session import first_line, team_refusal

        refusal = team_refusal(exc)
        if refusal is not None:
            return EXIT_REFUSED, refusal
        if _is(exc.orig, "psycopg", "OperationalError"):
            return EXIT_CANNOT_RUN, f"cannot use the team database: {first_line(exc)}"
    cause = getattr(exc, "orig", None) if _is(exc, "sqlalchemy.exc", "OperationalError") else exc
    if _is(cause, "sqlite3", "OperationalError"):
        from commsdesk.data_dir import chosen_data_dir
        from commsdesk.store.database import DATABASE_FILE, sqlite_problem

        database = chosen_data_dir(data_dir_option) / DATABASE_FILE
        return EXIT_CANNOT_RUN, sqlite_problem(cause, database)
    if isinstance(exc, OSError):
        from commsdesk.data_dir import chosen_data_dir, os_problem

        said = os_problem(exc, chosen_data_dir(data_dir_option))
        if said is None:
            where = f"{exc.filename}: " if exc.filename else ""
            said = f"{where}{exc.strerror or exc}"
        return EXIT_CANNOT_RUN, said
    return None
