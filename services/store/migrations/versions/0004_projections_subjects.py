"""projections and dead-letter replay state

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dead_letters") as batch:
        batch.add_column(sa.Column("replay_attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("last_replay_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resolved_event_id", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dead_letters") as batch:
        for column in ("resolved_event_id", "resolved_at", "last_replay_at", "replay_attempts"):
            batch.drop_column(column)
