"""Desk → Connect to a team… starts the desk again on the database just chosen: a database
given on the command line or in the environment must not override it."""

from commsdesk.app import parse_args, restart_command

URL = "postgresql://mira@db.example/crisis"


def test_the_database_given_at_start_is_left_out_of_the_restart():
    for given in (["--database", URL], [f"--database={URL}"], ["--datab", URL]):
        argv = ["main.py", "--data-dir", "/srv/desk", *given, "--demo"]
        again, env = restart_command(argv, {"COMMSDESK_DATABASE_URL": URL, "HOME": "/home/m"})
        assert again == ["main.py", "--data-dir", "/srv/desk", "--demo"], given
        assert env == {"HOME": "/home/m"}
        args = parse_args(again[1:])
        assert args.database is None  # so the desk's own setting decides


def test_everything_else_is_kept_as_it_was():
    argv = ["main.py", "--data-dir", "/srv/database-notes"]
    assert restart_command(argv, {})[0] == argv
