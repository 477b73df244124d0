"""Audience sources and their viewer-count samples.

Revision ID: 0004_audience
Revises: 0003_schedule
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_audience"
down_revision: str | None = "0003_schedule"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = 120


def upgrade() -> None:
    op.create_table(
        "audience_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("label", sa.String(NAME), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("interval", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audience_sources"),
        sa.UniqueConstraint("label", name="uq_audience_sources_label"),
    )
    op.create_table(
        "audience_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("viewers", sa.Integer(), nullable=True),
        sa.Column("gap_reason", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name="fk_audience_samples_incident_id_incidents"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["audience_sources.id"],
            name="fk_audience_samples_source_id_audience_sources",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audience_samples"),
    )
    op.create_index(
        "ix_audience_samples_source_id_at", "audience_samples", ["source_id", "at"]
    )
    op.create_index(
        "ix_audience_samples_incident_id_at", "audience_samples", ["incident_id", "at"]
    )


def downgrade() -> None:
    op.drop_index("ix_audience_samples_incident_id_at", table_name="audience_samples")
    op.drop_index("ix_audience_samples_source_id_at", table_name="audience_samples")
    op.drop_table("audience_samples")
    op.drop_table("audience_sources")
