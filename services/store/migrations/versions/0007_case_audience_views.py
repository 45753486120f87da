"""case audience views: per-audience folds of cases with restricted events (services/store/audience_tables.py)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_audience_views",
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=32), server_default="none", nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("opened_by", sa.String(length=16), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("origin_event_id", sa.String(length=36), nullable=True),
        sa.Column("origin_event_type", sa.String(length=48), nullable=True),
        sa.Column("agencies", sa.String(length=200), nullable=False),
        sa.Column("province_code", sa.String(length=8), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("platform", sa.String(length=64), nullable=True),
        sa.Column("goods", sa.Text(), nullable=True),
        sa.Column("total_fines_vnd", sa.BigInteger(), nullable=False),
        sa.Column("goods_value_vnd", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("current_province_code", sa.String(length=8), nullable=True),
        sa.Column("bucket", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closing_event_id", sa.String(length=36), nullable=True),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("first_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("audience", "case_id"),
    )
    op.create_table(
        "restricted_cases",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("case_id"),
    )


def downgrade() -> None:

    op.drop_table("restricted_cases")
    op.drop_table("case_audience_views")
