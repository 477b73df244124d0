"""Timeline event ids are never reused: AUTOINCREMENT on SQLite.

Without it SQLite hands out the largest id plus one, so after the newest events are deleted the
next event takes a deleted one's id. The table is copied into one declared AUTOINCREMENT, every
row and index kept (SQLite cannot ALTER this). PostgreSQL's sequences never go back: nothing to do.

Revision ID: 0006_event_ids_never_reused
Revises: 0005_publication_claim
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006_event_ids_never_reused"
down_revision: str | None = "0005_publication_claim"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _recreate(autoincrement: bool) -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "timeline_events",
        recreate="always",
        table_kwargs={"sqlite_autoincrement": autoincrement},
    ):
        pass


def upgrade() -> None:
    _recreate(True)


def downgrade() -> None:
    _recreate(False)
