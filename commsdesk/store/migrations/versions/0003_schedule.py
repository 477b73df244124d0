"""Scheduled posts, and the table APScheduler keeps its jobs in.

Revision ID: 0003_schedule
Revises: 0002_outbox
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_schedule"
down_revision: str | None = "0002_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = 120


def upgrade() -> None:
    op.create_table(
        "scheduled_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(NAME), nullable=False),
        sa.Column("sandbox", sa.Boolean(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(NAME), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"], ["statements.id"], name="fk_scheduled_posts_statement_id_statements"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_scheduled_posts"),
        sa.UniqueConstraint("statement_id", name="uq_scheduled_posts_statement_id"),
    )
    op.create_index("ix_scheduled_posts_state_due_at", "scheduled_posts", ["state", "due_at"])
    # As APScheduler 3.11's SQLAlchemyJobStore defines it (it then finds the table and keeps it).
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.String(191), nullable=False),
        sa.Column("next_run_time", sa.Float(25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_apscheduler_jobs"),
    )
    op.create_index("ix_apscheduler_jobs_next_run_time", "apscheduler_jobs", ["next_run_time"])


def downgrade() -> None:
    op.drop_index("ix_apscheduler_jobs_next_run_time", table_name="apscheduler_jobs")
    op.drop_table("apscheduler_jobs")
    op.drop_index("ix_scheduled_posts_state_due_at", table_name="scheduled_posts")
    op.drop_table("scheduled_posts")
