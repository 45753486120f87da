"""web sessions: the web UI's cookie holds a random session id, not the API token

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

Only the SHA-256 of a session id is stored; a session expires, and signing out revokes it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("session_hash", sa.String(64), primary_key=True),
        sa.Column("principal_id", sa.String(64), sa.ForeignKey("principals.principal_id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_web_sessions_principal_id", "web_sessions", ["principal_id"])


def downgrade() -> None:
    op.drop_table("web_sessions")
