"""public tips: form tokens used (replay refusal) and BCĐ 389's triage decisions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tip_form_uses",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nonce"),
    )
    op.create_index("ix_tip_form_uses_used_at", "tip_form_uses", ["used_at"])
    op.create_table(
        "tip_triage",
        sa.Column("tip_event_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tip_event_id"),
    )


def downgrade() -> None:
    op.drop_table("tip_triage")
    op.drop_index("ix_tip_form_uses_used_at", table_name="tip_form_uses")
    op.drop_table("tip_form_uses")
