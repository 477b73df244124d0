"""Desk → Connect to a team…, against a real team database: a wrong database is said and kept
out; the right one keeps the URL in the settings and the password in the keyring only."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from commsdesk.settings import Settings
from commsdesk.ui.lanes import Lane
from commsdesk.ui.team_dialog import TeamDialog
from tests.support.memory_keyring import memory_keyring  # noqa: F401
from tests.team.test_identity import MIRA, Team


def test_connecting_keeps_the_url_in_settings_and_the_password_in_the_keyring(
    qtbot, pg_url, tmp_path, memory_keyring  # noqa: F811
):
    team = Team(pg_url, tmp_path)
    url = make_url(pg_url)
    (tmp_path / "desk").mkdir()
    settings = Settings.load(tmp_path / "desk")
    lane = Lane("database")
    people = []
    dialog = TeamDialog(settings, lane, people.append)
    qtbot.addWidget(dialog)
    dialog.host.setText(url.query["host"])  # the test server's socket folder
    dialog.port.setValue(int(url.query["port"]))
    dialog.database.setText("no_such_database")
    dialog.login.setText(team.logins[MIRA])
    dialog.password.setText("s3cret-first-password")
    dialog.try_connect()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Not connected"), timeout=20_000)
    assert "no_such_database" in dialog.message.text()
    assert settings.get("team_database") == "" and people == []

    dialog.database.setText(url.database)
    dialog.try_connect()
    qtbot.waitUntil(lambda: bool(people) and lane.outstanding == 0, timeout=20_000)
    assert people[0].name == MIRA
    kept = settings.get("team_database")
    assert make_url(kept).database == url.database and make_url(kept).password is None
    written = Path(settings.path).read_text()
    assert url.database in written and "s3cret-first-password" not in written
    assert "s3cret-first-password" in memory_keyring.passwords.values()
    lane.stop()
    team.close()


def test_a_server_gone_away_is_the_team_state_not_a_dialog(qtbot, tmp_path):
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    from commsdesk.app import Wiring

    engine = create_engine(f"postgresql+psycopg://mira@/desk?host={tmp_path}/gone&port=5432")
    try:
        engine.connect()
    except OperationalError as exc:
        gone = exc
    engine.dispose()
    (tmp_path / "desk").mkdir()
    wiring = Wiring(Settings.load(tmp_path / "desk"))
    refusals, states = [], []
    wiring.bridge.refused.connect(refusals.append)
    wiring.bridge.connection_changed.connect(lambda up, why: states.append((up, why)))
    wiring.bridge._refuse(gone)
    wiring.bridge._refuse(ValueError("a rule said no"))
    assert refusals == ["a rule said no"]
    assert states and states[0][0] is False and "gone" in states[0][1]
    wiring.stop()
