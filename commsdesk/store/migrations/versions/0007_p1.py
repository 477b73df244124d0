"""The P-1 call chain, its runs, their calls and texts.

Revision ID: 0007_p1
Revises: 0006_event_ids_never_reused
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_p1"
down_revision: str | None = "0006_event_ids_never_reused"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = 120


def upgrade() -> None:
    op.create_table(
        "p1_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("ring_seconds", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_p1_chain"),
        sa.UniqueConstraint("name", name="uq_p1_chain_name"),
    )
    op.create_table(
        "p1_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("pressed_by", sa.String(NAME), nullable=False),
        sa.Column("pressed_at", sa.DateTime(), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("chain", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("answered_by", sa.String(NAME), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("replies_since", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name="fk_p1_runs_incident_id_incidents"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_p1_runs"),
    )
    op.create_table(
        "p1_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("sid", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.String(300), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["p1_runs.id"], name="fk_p1_calls_run_id_p1_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_p1_calls"),
        sa.UniqueConstraint(
            "run_id", "round", "position", name="uq_p1_calls_run_id_round_position"
        ),
    )
    op.create_table(
        "p1_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("sid", sa.String(64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["p1_runs.id"], name="fk_p1_messages_run_id_p1_runs"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_p1_messages"),
        sa.UniqueConstraint("sid", name="uq_p1_messages_sid"),
    )


def downgrade() -> None:
    for table in ("p1_messages", "p1_calls", "p1_runs", "p1_chain"):
        op.drop_table(table)
