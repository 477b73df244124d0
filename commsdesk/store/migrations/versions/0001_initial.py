"""The first schema: incidents, statements with versions and approvals, the timeline, policy.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = 120
TITLE = 300


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(TITLE), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(NAME), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
    )
    op.create_index("ix_incidents_started_at", "incidents", ["started_at"])
    op.create_index("ix_incidents_closed_at", "incidents", ["closed_at"])

    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(TITLE), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(NAME), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("approved_version_id", sa.Integer(), nullable=True),
        sa.Column("approved_text", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_statements"),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name="fk_statements_incident_id_incidents"
        ),
    )
    op.create_index(
        "ix_statements_incident_id_updated_at", "statements", ["incident_id", "updated_at"]
    )
    op.create_index("ix_statements_updated_at", "statements", ["updated_at"])

    op.create_table(
        "statement_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(NAME), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("sealed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_statement_versions"),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name="fk_statement_versions_statement_id_statements",
        ),
        sa.UniqueConstraint(
            "statement_id", "number", name="uq_statement_versions_statement_id_number"
        ),
    )

    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("approver", sa.String(NAME), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("rendered_text", sa.Text(), nullable=False),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_approvals"),
        sa.ForeignKeyConstraint(
            ["statement_id"], ["statements.id"], name="fk_approvals_statement_id_statements"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["statement_versions.id"],
            name="fk_approvals_version_id_statement_versions",
        ),
    )
    op.create_index("ix_approvals_statement_id", "approvals", ["statement_id"])
    op.create_index("ix_approvals_version_id", "approvals", ["version_id"])

    op.create_table(
        "timeline_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(NAME), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("statement_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_timeline_events"),
    )
    op.create_index("ix_timeline_events_kind", "timeline_events", ["kind"])
    op.create_index("ix_timeline_events_actor", "timeline_events", ["actor"])
    op.create_index("ix_timeline_events_incident_id", "timeline_events", ["incident_id"])
    op.create_index("ix_timeline_events_statement_id", "timeline_events", ["statement_id"])

    op.create_table(
        "desk_policy",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_desk_policy"),
    )


def downgrade() -> None:
    op.drop_table("desk_policy")
    for index in ("kind", "actor", "incident_id", "statement_id"):
        op.drop_index(f"ix_timeline_events_{index}", table_name="timeline_events")
    op.drop_table("timeline_events")
    op.drop_index("ix_approvals_version_id", table_name="approvals")
    op.drop_index("ix_approvals_statement_id", table_name="approvals")
    op.drop_table("approvals")
    op.drop_table("statement_versions")
    op.drop_index("ix_statements_updated_at", table_name="statements")
    op.drop_index("ix_statements_incident_id_updated_at", table_name="statements")
    op.drop_table("statements")
    op.drop_index("ix_incidents_closed_at", table_name="incidents")
    op.drop_index("ix_incidents_started_at", table_name="incidents")
    op.drop_table("incidents")
