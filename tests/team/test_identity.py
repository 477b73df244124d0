"""Team mode's identity on a real PostgreSQL server: who acted is the session's login, checked
by the server, whatever a client sends. Each forgery is tried as a person would try it: through
the desk's own use cases, and by hand-written SQL on the person's own login."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from commsdesk.desk import Desk, DeskError
from commsdesk.incidents.incident import Severity
from commsdesk.store.database import DatabaseProblem, open_database
from commsdesk.team.schema import add_person, install

MIRA = "Mira Chen (founder)"
SAM = "Sam Okafor (legal)"
ADA = "Ada Park (admin)"
_numbers = itertools.count(1)
OLDER = "0005_publication_claim"  # the schema before the newest


class Team:
    """A team database with Mira (draft, post), Sam (approve), Ada (admin, approve, draft)."""

    def __init__(self, owner_url: str, data_dir) -> None:
        self.owner_url = owner_url
        self.data_dir = data_dir
        engine = open_database(owner_url)
        n = next(_numbers)
        self.logins = {MIRA: f"mira{n}", SAM: f"sam{n}", ADA: f"ada{n}"}
        with engine.begin() as connection:
            install(connection)
            add_person(connection, self.logins[MIRA], MIRA, ("draft", "post"))
            add_person(connection, self.logins[SAM], SAM, ("approve",))
            add_person(connection, self.logins[ADA], ADA, ("admin", "approve", "draft"))
        engine.dispose()
        self.desks: list[Desk] = []
        self.engines = []

    def url(self, name: str) -> str:
        login = self.logins.get(name, name)
        return make_url(self.owner_url).set(username=login).render_as_string(hide_password=False)

    def desk(self, name: str) -> Desk:
        desk = Desk.open(self.data_dir / name.split()[0], url=self.url(name))
        self.desks.append(desk)
        return desk

    def sql(self, name: str, statement: str, **params):
        """A hand-written statement on `name`'s own login, committed."""
        engine = create_engine(self.url(name))
        self.engines.append(engine)
        with engine.begin() as connection:
            return connection.execute(text(statement), params)

    def close(self) -> None:
        for desk in self.desks:
            desk.close()
        for engine in self.engines:
            engine.dispose()


@pytest.fixture
def team(pg_url, tmp_path):
    made = Team(pg_url, tmp_path)
    yield made
    made.close()


def refused(call, *words: str) -> str:
    with pytest.raises((DBAPIError, DeskError)) as caught:
        call()
    message = str(caught.value)
    for word in words:
        assert word in message, message
    return message


def in_review(team: Team) -> tuple[Desk, int]:
    mira = team.desk(MIRA)
    incident = mira.start_incident(MIRA, "Hot wallet drained", Severity.P1)
    statement = mira.create_statement(MIRA, incident.id, "First statement", "We are on it.")
    mira.submit(MIRA, statement.id)
    return mira, statement.id


def test_the_desk_signs_in_as_the_person_the_server_knows(team):
    mira = team.desk(MIRA)
    assert mira.person.name == MIRA
    assert mira.person.login == team.logins[MIRA]
    assert mira.person.can == {"draft", "post"}
    assert mira.scheduler_actor == f"Scheduler ({MIRA})"


def test_a_login_outside_the_team_cannot_open_the_desk(team):
    engine = create_engine(team.owner_url)
    with engine.begin() as connection:
        connection.execute(text("DROP ROLE IF EXISTS stranger"))
        connection.execute(text("CREATE ROLE stranger LOGIN IN ROLE commsdesk_member"))
    engine.dispose()
    with pytest.raises(DatabaseProblem, match="stranger is not a person of this team"):
        Desk.open(team.data_dir / "stranger", url=team.url("stranger"))


def test_the_use_cases_cannot_act_under_another_name(team):
    mira, statement_id = in_review(team)
    refused(lambda: mira.record(SAM, "note", "Sam says it is fine"), "Signed in as", MIRA)
    # Renaming herself does not make her someone else: the server knows her login.
    refused(lambda: mira.record("Mira Chen", "note", "renamed"), "cannot act as")
    assert all(event.actor == MIRA for event in mira.timeline())


def test_approvals_by_the_author_are_refused_by_the_database_itself(team):
    mira, statement_id = in_review(team)
    version = team.sql(
        MIRA, "SELECT id FROM statement_versions WHERE statement_id = :s", s=statement_id
    ).scalar()
    insert = (
        "INSERT INTO approvals (statement_id, version_id, approver, at, rendered_text) "
        "VALUES (:s, :v, :who, now(), 'We are on it.')"
    )
    # Mira, on her own login, approving her own version (she lacks approve too) ...
    refused(lambda: team.sql(MIRA, insert, s=statement_id, v=version, who=MIRA),
            "may not approve")
    # ... or claiming to be Sam.
    refused(lambda: team.sql(MIRA, insert, s=statement_id, v=version, who=SAM),
            "cannot act as")
    # Ada may approve, but not a version she wrote.
    ada = team.desk(ADA)
    own = ada.create_statement(ADA, mira.active_incident().id, "Ada's", "Withdrawals resume.")
    ada_version = team.sql(
        ADA, "SELECT id FROM statement_versions WHERE statement_id = :s", s=own.id
    ).scalar()
    refused(lambda: team.sql(ADA, insert, s=own.id, v=ada_version, who=ADA),
            "wrote this version")
    assert team.sql(SAM, "SELECT count(*) FROM approvals").scalar() == 0
    # Sam, as himself, may.
    sam = team.desk(SAM)
    approved = sam.approve(SAM, statement_id)
    assert approved.state.value == "approved"


def test_the_author_is_told_the_approver_signs_in_with_their_own_login(team):
    mira, statement_id = in_review(team)
    message = refused(lambda: mira.approve(MIRA, statement_id),
                      "You wrote v1; approval must come from someone else")  # fmt: skip
    assert message.endswith("; the approver signs in with their own login under Desk → Connect "
                            "to a team… (or `--database` on the command line).")  # fmt: skip


def test_an_approval_cannot_be_rewritten_to_name_someone_else(team):
    mira, statement_id = in_review(team)
    team.desk(SAM).approve(SAM, statement_id)
    refused(
        lambda: team.sql(SAM, "UPDATE approvals SET approver = :who", who=ADA),
        "cannot act as",
    )
    refused(
        lambda: team.sql(SAM, "UPDATE approvals SET rendered_text = 'Something else'"),
        "cannot be rewritten",
    )


def test_the_timeline_is_append_only_for_people(team):
    mira, _ = in_review(team)
    refused(lambda: team.sql(MIRA, "UPDATE timeline_events SET summary = 'nothing happened'"),
            "append-only")
    refused(lambda: team.sql(MIRA, "DELETE FROM timeline_events"), "permission denied")
    refused(
        lambda: team.sql(
            MIRA,
            "INSERT INTO timeline_events (at, actor, kind, summary, data, prev_hash, hash) "
            "VALUES (now(), :who, 'note', 'forged', '{}', '', '')", who=SAM,
        ),
        "cannot act as",
    )
    refused(lambda: team.sql(MIRA, "DELETE FROM team_people"), "permission denied")
    assert mira.verify_timeline().intact


def test_changing_the_approval_policy_needs_admin_and_goes_on_the_timeline(team):
    mira = team.desk(MIRA)
    refused(lambda: mira.set_required_approvals(MIRA, 0), "needs the admin capability")
    refused(
        lambda: team.sql(MIRA, "INSERT INTO desk_policy (key, value) VALUES "
                               "('required_approvals', '0')"),
        "needs the admin capability",
    )
    ada = team.desk(ADA)
    ada.set_required_approvals(ADA, 2)
    assert ada.approval_policy().required == 2
    assert any(e.actor == ADA and "2" in e.summary for e in ada.timeline(limit=5))


def test_capabilities_are_checked_by_the_server(team):
    sam = team.desk(SAM)
    incident = sam.start_incident(SAM, "Phishing wave", Severity.P2)
    refused(lambda: sam.create_statement(SAM, incident.id, "Draft", "Text"), "may not draft")
    refused(
        lambda: sam.record(SAM, "broadcast.scene", "Switched to Camera"),
        "may not drive the broadcast",
    )


def test_a_person_cannot_upgrade_the_team_database_and_is_told_who_can(team):
    engine = create_engine(team.owner_url)
    with engine.begin() as connection:  # as if the team's database were one schema older
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        connection.execute(
            text("UPDATE alembic_version SET version_num = :older"), {"older": OLDER}
        )
    engine.dispose()
    with pytest.raises(DatabaseProblem, match="ask the database's owner to run commsdesk team"):
        Desk.open(team.data_dir / "mira-late", url=team.url(MIRA))
    assert current != OLDER
