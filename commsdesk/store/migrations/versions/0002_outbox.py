"""Publishing to X: publications, their outbox parts, and the sandbox feed.

Revision ID: 0002_outbox
Revises: 0001_initial
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_outbox"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = 120


def upgrade() -> None:
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=True),
        sa.Column("account", sa.String(NAME), nullable=False),
        sa.Column("sandbox", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(NAME), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("wait_until", sa.DateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("standalone_from", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["statement_id"], ["statements.id"], name="fk_publications_statement_id_statements"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_publications"),
        sa.UniqueConstraint("key", name="uq_publications_key"),
    )
    op.create_table(
        "outbox_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("media", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("post_id", sa.String(32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("posted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name="fk_outbox_parts_publication_id_publications",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_parts"),
        sa.UniqueConstraint(
            "publication_id", "position", name="uq_outbox_parts_publication_id_position"
        ),
    )
    op.create_index("ix_outbox_parts_publication_id", "outbox_parts", ["publication_id"])
    op.create_table(
        "sandbox_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(NAME), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply_to", sa.Integer(), nullable=True),
        sa.Column("media", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sandbox_posts"),
    )
    op.create_index("ix_sandbox_posts_account", "sandbox_posts", ["account"])


def downgrade() -> None:
    op.drop_table("sandbox_posts")
    op.drop_index("ix_outbox_parts_publication_id", table_name="outbox_parts")
    op.drop_table("outbox_parts")
    op.drop_table("publications")
