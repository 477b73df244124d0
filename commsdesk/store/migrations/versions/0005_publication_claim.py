"""One run per publication: the claim (who, until when) taken before any part is sent.

Revision ID: 0005_publication_claim
Revises: 0004_audience
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_publication_claim"
down_revision: str | None = "0004_audience"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("publications") as table:
        table.add_column(sa.Column("claim_token", sa.String(64), nullable=True))
        table.add_column(sa.Column("claimed_by", sa.String(200), nullable=True))
        table.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publications") as table:
        table.drop_column("claimed_until")
        table.drop_column("claimed_by")
        table.drop_column("claim_token")
