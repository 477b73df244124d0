"""A throwaway PostgreSQL server for tests: initdb into a temp dir, listen on a unix socket
there only, fsync off. Run as root, the server binaries run as the `postgres` system user (initdb
refuses root); otherwise as the current user. Needs Debian's `postgresql` package."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from itertools import count
from pathlib import Path

from sqlalchemy import URL, create_engine, text

BIN_GLOB = "/usr/lib/postgresql/*/bin"
SUPERUSER = "desk"
SERVER_USER = "postgres"  # created by Debian's postgresql package; used when we are root
PORT = 5432  # only names the socket file: the server listens on no TCP address
SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "50",
}


class ServerUnavailable(Exception):
    """PostgreSQL's server binaries (or the user to run them as) are not on this machine."""


def find_bin_dir() -> Path:
    """The newest installed version's bin dir, holding initdb, pg_ctl and postgres."""
    found = [
        Path(folder)
        for folder in glob.glob(BIN_GLOB)
        if all(os.access(Path(folder) / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres"))
    ]
    if not found:
        raise ServerUnavailable(
            f"no PostgreSQL server binaries in {BIN_GLOB} (install Debian's postgresql package: "
            "sh scripts/system-packages.sh)"
        )
    return max(found, key=lambda folder: int(folder.parent.name))


class PostgresServer:
    """One running server; `new_database()` hands out a fresh, empty database's URL."""

    def __init__(self, bin_dir: Path, root: Path, run_as: str | None) -> None:
        self.bin_dir = bin_dir
        self.root = root  # holds data/, the socket and server.log
        self.run_as = run_as
        self._numbers = count(1)

    @classmethod
    def start(cls) -> PostgresServer:
        bin_dir = find_bin_dir()
        run_as = None
        root = Path(tempfile.mkdtemp(prefix="commsdesk-pg-"))
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam(SERVER_USER)
            except KeyError:
                shutil.rmtree(root)
                raise ServerUnavailable(
                    f"running as root but there is no {SERVER_USER!r} user to run the server as"
                ) from None
            os.chown(root, user.pw_uid, user.pw_gid)
            run_as = SERVER_USER
        server = cls(bin_dir, root, run_as)
        try:
            server._run(
                "initdb", "-D", str(server.data), "-U", SUPERUSER, "--auth=trust",
                "-E", "UTF8", "--no-locale", "--no-sync",
            )  # fmt: skip
            options = " ".join(f"-c {name}={value}" for name, value in SETTINGS.items())
            server._run(
                "pg_ctl", "start", "-w", "-t", "30", "-D", str(server.data),
                "-l", str(root / "server.log"), "-o", f"{options} -k {root} -p {PORT}",
            )  # fmt: skip
        except BaseException:
            server._remove()
            raise
        return server

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> URL:
        return URL.create(
            "postgresql+psycopg",
            username=SUPERUSER,
            database=database,
            query={"host": str(self.root), "port": str(PORT)},
        )

    def new_database(self) -> URL:
        name = f"desk_{next(self._numbers)}"
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: URL) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.data))
        finally:
            self._remove()

    def _admin(self, statement: str) -> None:
        engine = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()

    def _run(self, tool: str, *args: str) -> None:
        command: Sequence[str] = [str(self.bin_dir / tool), *args]
        if self.run_as is not None:
            command = ["runuser", "-u", self.run_as, "--", *command]
        done = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{tool} failed ({done.returncode}):\n{done.stdout}{done.stderr}{tail}"
            )

    def _remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
