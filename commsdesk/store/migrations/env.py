"""Alembic environment. The desk runs migrations itself (commsdesk.store.database.upgrade) and
passes its open connection in `config.attributes["connection"]`; there is no alembic.ini.

A Config with `sqlalchemy.url` set also works: online against a scratch database when writing a
new migration, or offline (`sql=True`) to print the SQL for a DBA.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from commsdesk.store.models import Base

config = context.config


def run_on(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTERs by copying tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    # SQL for a DBA to review or run, e.g. for PostgreSQL: upgrade(config, "head", sql=True).
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=Base.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
elif (given := config.attributes.get("connection")) is not None:
    run_on(given)
else:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(
            "No database: pass a connection in config.attributes['connection'] "
            "or set sqlalchemy.url."
        )
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            run_on(connection)
    finally:
        engine.dispose()
