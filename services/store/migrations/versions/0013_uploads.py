"""uploads of agency reports in the browser, and each row's preview and outcome

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("upload_id", sa.String(length=36), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("provinces", sa.String(length=200), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploader_name", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_ok", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("upload_id"),
    )
    op.create_index("ix_uploads_agency_uploaded_at", "uploads", ["agency", "uploaded_at"])
    op.create_table(
        "upload_rows",
        sa.Column("upload_id", sa.String(length=36), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("preview", sa.String(length=8), nullable=False),
        sa.Column("cells", _JSON, nullable=False),
        sa.Column("problems", _JSON, nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("topic", sa.String(length=249), nullable=True),
        sa.Column("partition", sa.Integer(), nullable=True),
        sa.Column("offsets", sa.String(length=64), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("upload_id", "row_number"),
    )


def downgrade() -> None:
    op.drop_table("upload_rows")
    op.drop_table("uploads")
