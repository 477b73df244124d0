"""`commsdesk team`: a team database on PostgreSQL, where people are database logins.

`team init URL` is run once by the database's owner; `team add` by a login with CREATEROLE
(the owner); a new person replaces the first password with `team password`, which keeps it in
the keyring for the desk to sign in with.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from commsdesk.cli.common import CannotRun, database_url


def _admin_engine(url: str):
    from commsdesk.keyring_secrets import with_team_password
    from commsdesk.store.database import create_desk_engine

    return create_desk_engine(with_team_password(url))


def _team_url(args: argparse.Namespace) -> str:
    url = database_url()
    if url is None:
        raise CannotRun("give the team database: --database URL before the command, or "
                        "COMMSDESK_DATABASE_URL")
    return url


def cmd_team_init(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from commsdesk.keyring_secrets import with_team_password
    from commsdesk.store.database import open_database
    from commsdesk.team.schema import install

    url = make_url(args.url)
    if url.get_backend_name() != "postgresql":
        raise CannotRun("a team database is PostgreSQL: give a postgresql://… URL")
    engine = open_database(with_team_password(url))  # creates or migrates the desk's tables
    try:
        with engine.begin() as connection:
            install(connection)
    finally:
        engine.dispose()
    shown = url.render_as_string(hide_password=True)
    print(f"Team database ready: {shown}\nAdd each person with: commsdesk --database URL team "
          "add LOGIN --name \"Their Name (role)\" --can draft,approve,post,broadcast,admin")
    return 0


def cmd_team_add(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from commsdesk.team.people import FIRST_PASSWORD_HOURS, capabilities
    from commsdesk.team.schema import add_person

    url = _team_url(args)
    try:
        can = capabilities(args.can)
    except ValueError as exc:
        raise CannotRun(str(exc)) from None
    engine = _admin_engine(url)
    try:
        with engine.begin() as connection:
            password = add_person(connection, args.login, args.name, can)
    except ValueError as exc:
        raise CannotRun(str(exc)) from None
    finally:
        engine.dispose()
    theirs = make_url(url).set(username=args.login, password=None)
    print(f"Added {args.login} ({args.name.strip()}): {', '.join(can)}.")
    print(f"First password, valid {FIRST_PASSWORD_HOURS} h; hand it over in person or read it "
          "out on a call, never in chat or e-mail:")
    print(f"  {password}")
    print("They replace it at their desk with:\n  commsdesk --database "
          f"'{theirs.render_as_string(hide_password=True)}' team password")
    return 0


def cmd_team_password(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from commsdesk.keyring_secrets import KeyringUnavailable, store_team_password
    from commsdesk.team.schema import set_own_password

    url = make_url(_team_url(args))
    if sys.stdin is not None and not sys.stdin.isatty():
        lines = sys.stdin.read().splitlines()
        current, new = (lines + ["", ""])[:2]
    else:
        current = url.password or getpass.getpass("Current (first) password: ")
        new = getpass.getpass("New password (12 characters or more): ")
        if getpass.getpass("Again: ") != new:
            raise CannotRun("the two new passwords differ; nothing was changed")
    engine = _admin_engine(url.set(password=current or url.password))
    try:
        with engine.begin() as connection:
            set_own_password(connection, new)
    finally:
        engine.dispose()
    try:
        store_team_password(url.set(password=None), new)
        kept = "The desk keeps it in the keyring for this database."
    except KeyringUnavailable:
        kept = "No keyring here: give it as PGPASSWORD or in ~/.pgpass."
    print(f"Password changed for {url.username}. {kept}")
    return 0


def cmd_team_who(args: argparse.Namespace) -> int:
    from commsdesk.cli.common import open_services

    services, _ = open_services(args)
    try:
        person = services.desk.person
        if person is None:
            print("Not a team database: this desk acts as its operator.")
            return 0
        print(f"{person.name} (login {person.login}): {', '.join(sorted(person.can)) or 'none'}")
        from commsdesk.team.schema import connected

        with services.desk.engine.connect() as connection:
            present = connected(connection)
        print("Connected now: " + (", ".join(present) if present else "no desk is listening"))
    finally:
        services.close()
    return 0


def cmd_team_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from commsdesk.desk import Desk
    from commsdesk.keyring_secrets import with_team_password
    from commsdesk.store.database import open_database
    from commsdesk.team.importer import ImportRefused, import_desk, source_desk

    if make_url(args.url).get_backend_name() != "postgresql":
        raise CannotRun("a team database is PostgreSQL: give a postgresql://… URL")
    try:
        source = source_desk(Path(args.source).expanduser())
    except ImportRefused as exc:
        raise CannotRun(str(exc)) from None
    engine = open_database(with_team_password(args.url))
    try:
        with engine.begin() as connection:
            done = import_desk(source, connection)
        check = Desk(engine, path=None, anchor=None).verify_timeline()  # as the owner, read only
    except ImportRefused as exc:
        print(f"commsdesk: {exc}; nothing was copied", file=sys.stderr)
        return 1
    finally:
        source.close()
        engine.dispose()
    for line in done.lines():
        print(line)
    print("timeline verify on the team database: " + ("intact" if check.intact else "BROKEN"))
    return 0 if check.intact else 1


def add_team_commands(commands: argparse._SubParsersAction) -> None:
    team = commands.add_parser("team", help="a team database: people, their logins and rights")
    sub = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)

    init = sub.add_parser("init", help="create the desk's tables, roles and rules (as owner)")
    init.add_argument("url", metavar="URL", help="postgresql://owner@host/database")
    init.set_defaults(run=cmd_team_init)

    add = sub.add_parser("add", help="add a person: a login with the given capabilities")
    add.add_argument("login", metavar="LOGIN")
    add.add_argument("--name", required=True, help="their name as the record shows it")
    add.add_argument("--can", required=True, metavar="LIST",
                     help="comma-separated: draft, approve, post, broadcast, admin")
    add.set_defaults(run=cmd_team_add)

    password = sub.add_parser(
        "password", help="replace your password (prompted; or current and new on stdin)"
    )
    password.set_defaults(run=cmd_team_password)

    imported = sub.add_parser(
        "import", help="copy a single desk's record into a fresh team database (as owner)"
    )
    imported.add_argument("url", metavar="URL", help="postgresql://owner@host/database")
    imported.add_argument("--from", dest="source", required=True, metavar="DATA_DIR",
                          help="the single desk's data folder")
    imported.set_defaults(run=cmd_team_import)

    who = sub.add_parser("who", help="who this desk signs in as, and what they can do")
    who.set_defaults(run=cmd_team_who)
