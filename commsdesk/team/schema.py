"""Team mode on PostgreSQL: people are database logins, and the server decides who acted.

`install` adds, to a database holding the desk's tables, a role per capability, the
`team_people` table (login -> the name shown on the record) and triggers that refuse, whatever
client sends them:

- a row naming someone other than the session's login as its actor, author, approver or
  creator (the desk's scheduler acts as "Scheduler (<name>)", its desk's person);
- an approval by the author of the version approved, or by a login without `approve`;
- drafting without `draft`, posting or scheduling without `post`, broadcast events without
  `broadcast`, changing the approval policy, the thread limit or the P-1 call chain (its
  people, rounds and conference room) without `admin`; pressing P-1 is anyone's;
- changing or deleting timeline events (an append-only trigger; members cannot delete).

It also adds the notifications every desk listens to (commsdesk.store.changes).

The checks compare against `session_user`, which a client cannot change without being a
superuser. Run by the database's owner (`commsdesk team init`); idempotent.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from commsdesk.team.people import (
    CAPABILITIES,
    FIRST_PASSWORD_HOURS,
    MEMBER_ROLE,
    Person,
    capability_role,
    checked_login,
    first_password,
)

PEOPLE_TABLE = "team_people"
ADMIN_POLICY_KEYS = ("required_approvals", "max_thread_posts", "p1_rounds", "p1_room")

# (table, column naming who acted, capability needed to insert a row, or None)
ACTOR_COLUMNS = (
    ("incidents", "created_by", None),
    ("statements", "created_by", "draft"),
    ("statement_versions", "author", "draft"),
    ("approvals", "approver", "approve"),
    ("timeline_events", "actor", None),
    ("publications", "created_by", "post"),
    ("scheduled_posts", "created_by", "post"),
    ("p1_runs", "pressed_by", None),  # anyone may press P-1, as themselves
)

_FUNCTIONS = """
CREATE TABLE IF NOT EXISTS team_people (
    login name PRIMARY KEY,
    display_name varchar(120) NOT NULL UNIQUE,
    added_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    added_by name NOT NULL DEFAULT session_user
);

CREATE OR REPLACE FUNCTION commsdesk_person() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT display_name FROM team_people WHERE login = session_user
$$;

CREATE OR REPLACE FUNCTION commsdesk_can(capability text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT pg_has_role(session_user, 'commsdesk_can_' || capability, 'MEMBER')
$$;

CREATE OR REPLACE FUNCTION commsdesk_check_actor() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    person text := commsdesk_person();
    claimed text := to_jsonb(NEW) ->> TG_ARGV[0];
    needed text := TG_ARGV[1];
BEGIN
    IF person IS NULL THEN
        RAISE EXCEPTION 'commsdesk: the login % is not a person of this team', session_user
            USING ERRCODE = '42501';
    END IF;
    IF claimed IS DISTINCT FROM person AND claimed IS DISTINCT FROM 'Scheduler (' || person || ')'
    THEN
        RAISE EXCEPTION 'commsdesk: signed in as %, you cannot act as %', person, claimed
            USING ERRCODE = '42501';
    END IF;
    IF TG_OP = 'INSERT' AND needed <> '' AND NOT commsdesk_can(needed) THEN
        RAISE EXCEPTION 'commsdesk: % may not %: ask a team admin for the % capability',
            person, needed, needed USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION commsdesk_check_approval() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.approver IS DISTINCT FROM OLD.approver
           OR NEW.version_id IS DISTINCT FROM OLD.version_id
           OR NEW.rendered_text IS DISTINCT FROM OLD.rendered_text THEN
            RAISE EXCEPTION 'commsdesk: an approval cannot be rewritten' USING ERRCODE = '42501';
        END IF;
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM statement_versions v
               WHERE v.id = NEW.version_id AND v.author = NEW.approver) THEN
        RAISE EXCEPTION 'commsdesk: % wrote this version and cannot approve it', NEW.approver
            USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION commsdesk_check_event() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF NEW.kind LIKE 'broadcast.%' AND NOT commsdesk_can('broadcast') THEN
        RAISE EXCEPTION 'commsdesk: % may not drive the broadcast: ask a team admin',
            commsdesk_person() USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION commsdesk_check_chain() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF NOT commsdesk_can('admin') THEN
        RAISE EXCEPTION 'commsdesk: % may not change the P-1 call chain: ask a team admin',
            commsdesk_person() USING ERRCODE = '42501';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE OR REPLACE FUNCTION commsdesk_check_policy() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    changed text := CASE WHEN TG_OP = 'DELETE' THEN OLD.key ELSE NEW.key END;
BEGIN
    IF changed = ANY (TG_ARGV) AND NOT commsdesk_can('admin') THEN
        RAISE EXCEPTION 'commsdesk: changing % needs the admin capability', changed
            USING ERRCODE = '42501';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE OR REPLACE FUNCTION commsdesk_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'commsdesk: the timeline is append-only' USING ERRCODE = '42501';
END $$;

CREATE OR REPLACE FUNCTION commsdesk_set_password(new_password text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM team_people WHERE login = session_user) THEN
        RAISE EXCEPTION 'commsdesk: the login % is not a person of this team', session_user
            USING ERRCODE = '42501';
    END IF;
    IF length(new_password) < 12 THEN
        RAISE EXCEPTION 'commsdesk: a password needs at least 12 characters'
            USING ERRCODE = '22023';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L VALID UNTIL %L',
                   session_user, new_password, 'infinity');
END $$;
"""


def _roles_sql() -> str:
    names = [MEMBER_ROLE, *(capability_role(c) for c in CAPABILITIES)]
    creates = "\n".join(
        f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN "
        f"CREATE ROLE {name} NOLOGIN; END IF;"
        for name in names
    )
    return f"DO $$ BEGIN\n{creates}\nEND $$;"


def _triggers_sql() -> list[str]:
    statements = []
    for table, column, needed in ACTOR_COLUMNS:
        name = f"commsdesk_{table}_actor"
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE OF {column} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION commsdesk_check_actor('{column}', '{needed or ''}')",
        ]
    keys = ", ".join(f"'{key}'" for key in ADMIN_POLICY_KEYS)
    statements += [
        "DROP TRIGGER IF EXISTS commsdesk_approvals_rules ON approvals",
        "CREATE TRIGGER commsdesk_approvals_rules BEFORE INSERT OR UPDATE ON approvals "
        "FOR EACH ROW EXECUTE FUNCTION commsdesk_check_approval()",
        "DROP TRIGGER IF EXISTS commsdesk_timeline_events_kind ON timeline_events",
        "CREATE TRIGGER commsdesk_timeline_events_kind BEFORE INSERT ON timeline_events "
        "FOR EACH ROW EXECUTE FUNCTION commsdesk_check_event()",
        "DROP TRIGGER IF EXISTS commsdesk_timeline_events_append_only ON timeline_events",
        "CREATE TRIGGER commsdesk_timeline_events_append_only BEFORE UPDATE OR DELETE ON "
        "timeline_events FOR EACH ROW EXECUTE FUNCTION commsdesk_append_only()",
        "DROP TRIGGER IF EXISTS commsdesk_p1_chain_admin ON p1_chain",
        "CREATE TRIGGER commsdesk_p1_chain_admin BEFORE INSERT OR UPDATE OR DELETE ON p1_chain "
        "FOR EACH ROW EXECUTE FUNCTION commsdesk_check_chain()",
        "DROP TRIGGER IF EXISTS commsdesk_desk_policy_admin ON desk_policy",
        "CREATE TRIGGER commsdesk_desk_policy_admin BEFORE INSERT OR UPDATE OR DELETE ON "
        f"desk_policy FOR EACH ROW EXECUTE FUNCTION commsdesk_check_policy({keys})",
    ]
    return statements


def _grants_sql() -> list[str]:
    member = MEMBER_ROLE
    return [
        f"GRANT USAGE ON SCHEMA public TO {member}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {member}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {member}",
        # UPDATE stays granted for the ledger's SELECT ... FOR UPDATE; a trigger refuses it.
        f"REVOKE DELETE, TRUNCATE ON timeline_events FROM {member}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {PEOPLE_TABLE}, alembic_version "
        f"FROM {member}",
        "REVOKE ALL ON FUNCTION commsdesk_set_password(text) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION commsdesk_set_password(text) TO {member}",
    ]


def install(connection: Connection) -> None:
    """Add team mode to a migrated desk database (as its owner); safe to run again."""
    from commsdesk.store.changes import notify_triggers

    connection.execute(text(_roles_sql()))
    connection.execute(text(_FUNCTIONS))
    for statement in [*_triggers_sql(), *notify_triggers(), *_grants_sql()]:
        connection.execute(text(statement))


def is_team(connection: Connection) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    return connection.execute(text(f"SELECT to_regclass('{PEOPLE_TABLE}')")).scalar() is not None


def signed_in(connection: Connection) -> Person | None:
    """The person of this session's login; None when the login is not in the team."""
    login, person = connection.execute(text("SELECT session_user, commsdesk_person()")).one()
    if person is None:
        return None
    held = connection.execute(
        text("SELECT r.rolname FROM pg_roles r WHERE pg_has_role(session_user, r.oid, 'MEMBER') "
             "AND r.rolname LIKE 'commsdesk_can_%'")
    ).scalars()
    can = frozenset(role.removeprefix("commsdesk_can_") for role in held)
    return Person(login, person, can)


def add_person(
    connection: Connection, login: str, name: str, can: tuple[str, ...], *, password: str = ""
) -> str:
    """Create `login` as a person named `name` with the capabilities `can`; return the first
    password, valid for FIRST_PASSWORD_HOURS until the person sets their own."""
    login = checked_login(login)
    name = (name or "").strip()
    if not name:
        raise ValueError("give the person's name as it should appear on the record (--name)")
    exists = connection.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :login"), {"login": login}
    ).scalar()
    if exists:
        raise ValueError(f"the login {login} already exists on this server")
    password = password or first_password()
    until = connection.execute(
        text(f"SELECT (now() + interval '{FIRST_PASSWORD_HOURS} hours')::text")
    ).scalar()
    roles = ", ".join([MEMBER_ROLE, *(capability_role(c) for c in can)])
    quoted = connection.execute(
        text("SELECT quote_literal(:password), quote_literal(:until)"),
        {"password": password, "until": until},
    ).one()
    connection.execute(
        text(f"CREATE ROLE {login} LOGIN PASSWORD {quoted[0]} VALID UNTIL {quoted[1]} "
             f"IN ROLE {roles}")
    )
    connection.execute(
        text(f"INSERT INTO {PEOPLE_TABLE} (login, display_name) VALUES (:login, :name)"),
        {"login": login, "name": name},
    )
    return password


def set_own_password(connection: Connection, password: str) -> None:
    connection.execute(text("SELECT commsdesk_set_password(:p)"), {"p": password})


def connected(connection: Connection) -> list[str]:
    """The people with a desk listening on this database now, by name."""
    from commsdesk.store.changes import APPLICATION

    return list(connection.execute(
        text(f"SELECT DISTINCT p.display_name FROM pg_stat_activity a JOIN {PEOPLE_TABLE} p "
             "ON p.login = a.usename WHERE a.application_name = :app "
             "AND a.datname = current_database() ORDER BY 1"),
        {"app": APPLICATION},
    ).scalars())


def sign_in(url) -> Person:
    """Check that `url` (password included) reaches a team database on which its login is a
    person; their Person, or ValueError saying what is wrong in words for that person."""
    from sqlalchemy.exc import DBAPIError

    from commsdesk.store.database import create_desk_engine

    engine = create_desk_engine(url)
    try:
        with engine.connect() as connection:
            if not is_team(connection):
                raise ValueError(
                    "this database is not set up for a team: its owner runs commsdesk team init"
                )
            person = signed_in(connection)
    except DBAPIError as exc:
        from commsdesk.store.session import first_line

        raise ValueError(f"the server said: {first_line(exc)}") from None
    finally:
        engine.dispose()
    if person is None:
        raise ValueError("your login is not a person of this team: ask a team admin to add it")
    return person
