"""A report written on a team's PostgreSQL database prints a verify command that names the
database (never its password) and passes as printed. Runs where tests/store/test_postgresql.py
runs (its server and fixtures)."""

from __future__ import annotations

import html
import re
import shlex

from sqlalchemy.engine import make_url

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.report.writing import write_report
from tests.store import test_postgresql as on_postgresql
from tests.support.cli import commsdesk

pg_server = on_postgresql.pg_server
pg_url = on_postgresql.pg_url
open_desks = on_postgresql.open_desks


def test_the_printed_verify_command_names_the_team_database_and_passes(
    pg_url, open_desks, isolated_dirs, tmp_path
):
    # The server trusts local logins; a password in the URL is what the report must not print.
    url = make_url(pg_url)._replace(password="s3cret-pass")
    desk = Desk.open(isolated_dirs, url=url.render_as_string(hide_password=False))
    open_desks.append(desk)
    incident = desk.start_incident("Ana", "Hot wallet drained", Severity.P1)
    desk.star_event("Ana", desk.timeline(limit=1)[0].id)
    written = write_report(desk, "Ana", incident.id, tmp_path / "team.html")
    page = written.path.read_text(encoding="utf-8")
    assert "s3cret-pass" not in page

    command = re.search(r'<p class="command" id="verify-command">(.*?)</p>', page).group(1)
    argv = shlex.split(html.unescape(command))
    printed = url._replace(drivername="postgresql", password=None)
    assert argv[:5] == ["commsdesk", "--database", printed.render_as_string(hide_password=False),
                        "timeline", "verify"]  # fmt: skip
    done = commsdesk(*argv[1:], data_dir=isolated_dirs)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Timeline intact:")
