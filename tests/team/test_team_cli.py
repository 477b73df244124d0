"""`commsdesk team` and `--database` on a real PostgreSQL server, as separate processes."""

from __future__ import annotations

import itertools

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.cli import commsdesk

_numbers = itertools.count(1)


def as_login(url: str, login: str) -> str:
    return make_url(url).set(username=login).render_as_string(hide_password=False)


def test_a_team_from_init_to_a_statement_approved_by_someone_else(pg_url, tmp_path):
    n = next(_numbers)
    mira, sam = f"cli_mira{n}", f"cli_sam{n}"
    init = commsdesk("team", "init", pg_url, data_dir=tmp_path, check=True)
    assert "Team database ready" in init.stdout
    added = commsdesk("--database", pg_url, "team", "add", mira, "--name", "Mira Chen (founder)",
                      "--can", "draft,post", data_dir=tmp_path, check=True)
    first_password = added.stdout.splitlines()[2].strip()
    assert len(first_password) >= 16 and "team password" in added.stdout
    commsdesk("--database", pg_url, "team", "add", sam, "--name", "Sam Okafor (legal)",
              "--can", "approve", data_dir=tmp_path, check=True)
    refused = commsdesk("--database", pg_url, "team", "add", "Bad Login", "--name", "X",
                        "--can", "draft", data_dir=tmp_path)
    assert refused.returncode == 2 and "not a usable login" in refused.stderr

    as_mira = {"COMMSDESK_DATABASE_URL": as_login(pg_url, mira)}
    who = commsdesk("team", "who", env=as_mira, data_dir=tmp_path / "mira", check=True)
    assert who.stdout.startswith(f"Mira Chen (founder) (login {mira}): draft, post")
    incident = commsdesk("incident", "start", "--title", "Hot wallet drained", "--json",
                         env=as_mira, data_dir=tmp_path / "mira", check=True)
    assert '"id"' in incident.stdout
    statement = commsdesk("statement", "new", "--title", "First", "--json", "-",
                          stdin="We are investigating.", env=as_mira,
                          data_dir=tmp_path / "mira", check=True)
    statement_id = statement.stdout.split(":")[1].strip(" }\n")
    commsdesk("statement", "submit", statement_id, env=as_mira, data_dir=tmp_path / "mira",
              check=True)

    # --as is refused in team mode: who acts is the login.
    forged = commsdesk("--as", "Sam Okafor (legal)", "statement", "approve", statement_id,
                       env=as_mira, data_dir=tmp_path / "mira")
    assert forged.returncode == 1 and "--as is refused on a team database" in forged.stderr
    own = commsdesk("statement", "approve", statement_id, env=as_mira,
                    data_dir=tmp_path / "mira")
    assert own.returncode == 1, own.stdout

    commsdesk("--database", as_login(pg_url, sam), "statement", "approve", statement_id,
              data_dir=tmp_path / "sam", check=True)
    shown = commsdesk("--database", as_login(pg_url, sam), "timeline", "show", "--json",
                      data_dir=tmp_path / "sam", check=True)
    assert '"actor": "Sam Okafor (legal)"' in shown.stdout
    assert '"actor": "Mira Chen (founder)"' in shown.stdout


def test_a_person_replaces_the_first_password_and_it_never_expires(pg_url, tmp_path):
    n = next(_numbers)
    login = f"cli_pat{n}"
    commsdesk("team", "init", pg_url, data_dir=tmp_path, check=True)
    added = commsdesk("--database", pg_url, "team", "add", login, "--name", "Pat Lee (producer)",
                      "--can", "broadcast", data_dir=tmp_path, check=True)
    first = added.stdout.splitlines()[2].strip()
    engine = create_engine(pg_url)
    read = text("SELECT rolvaliduntil IS NOT NULL AND rolvaliduntil < 'infinity', rolpassword "
                "FROM pg_authid WHERE rolname = :login")
    with engine.connect() as connection:
        expiring, hashed_before = connection.execute(read, {"login": login}).one()
    assert expiring
    short = commsdesk("--database", as_login(pg_url, login), "team", "password",
                      stdin=f"{first}\nshort\n", data_dir=tmp_path)
    assert short.returncode == 1, short.stderr
    assert short.stderr == "commsdesk: A password needs at least 12 characters.\n"
    commsdesk("--database", as_login(pg_url, login), "team", "password",
              stdin=f"{first}\ncorrect horse battery staple\n", data_dir=tmp_path, check=True)
    with engine.connect() as connection:
        expiring, hashed_after = connection.execute(read, {"login": login}).one()
    engine.dispose()
    assert not expiring and hashed_after != hashed_before


def test_a_team_database_that_cannot_be_reached_is_one_line(tmp_path):
    gone = f"postgresql+psycopg://mira@/desk?host={tmp_path}/no-server&port=5432"
    done = commsdesk("--database", gone, "incident", "list", data_dir=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("commsdesk: ") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
