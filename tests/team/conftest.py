"""One throwaway PostgreSQL server for every team test (tests/store/pg_server.py), and a fresh
database per test."""

from tests.store.test_postgresql import pg_server, pg_url  # noqa: F401
