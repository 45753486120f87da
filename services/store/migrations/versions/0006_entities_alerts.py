"""seller entities (keys, members, merge history, corrections) and early-warning alerts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _correction_columns() -> list[sa.Column]:
    return [
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=512), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        _at("added_at"),
    ]


def upgrade() -> None:
    op.create_table(
        "entity_identifiers",
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=512), nullable=False),
        sa.Column("strong", sa.Boolean(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("first_event_id", sa.String(length=36), nullable=False),
        _at("first_seen_at"),
        sa.PrimaryKeyConstraint("subject_id", "kind", "value"),
    )
    op.create_index("ix_entity_identifiers_key", "entity_identifiers", ["kind", "value"])
    op.create_table(
        "entity_members",
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("entity_id", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("subject_id"),
    )
    op.create_index("ix_entity_members_entity_id", "entity_members", ["entity_id"])
    op.create_table(
        "entity_links",
        sa.Column("seq", _SEQ, nullable=False),
        _at("at"),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("entity_id", sa.String(length=24), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("other_subject_id", sa.String(length=128), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("value", sa.String(length=512), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    for column in ("entity_id", "subject_id", "other_subject_id"):
        op.create_index(f"ix_entity_links_{column}", "entity_links", [column])
    op.create_table(
        "entity_stoplist",
        *_correction_columns(),
        sa.PrimaryKeyConstraint("kind", "value"),
    )
    op.create_table(
        "entity_blocks",
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        *_correction_columns(),
        sa.PrimaryKeyConstraint("subject_id", "kind", "value"),
    )
    op.create_table(
        "entity_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("link_cap", sa.Integer(), nullable=False),
        sa.Column("stoplist_version", sa.String(length=32), nullable=False),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.String(length=36), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=24), nullable=True),
        sa.Column("agencies", sa.String(length=200), nullable=False),
        sa.Column("distribution_level", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        _at("triggered_at"),
        _at("raised_at"),
        _at("published_at", nullable=True),
        sa.Column("alert", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("alert_id"),
    )
    for column in ("rule", "entity_id", "raised_at"):
        op.create_index(f"ix_alerts_{column}", "alerts", [column])


def downgrade() -> None:
    for column in ("rule", "entity_id", "raised_at"):
        op.drop_index(f"ix_alerts_{column}", table_name="alerts")
    op.drop_table("alerts")
    op.drop_table("entity_state")
    op.drop_table("entity_blocks")
    op.drop_table("entity_stoplist")
    for column in ("entity_id", "subject_id", "other_subject_id"):
        op.drop_index(f"ix_entity_links_{column}", table_name="entity_links")
    op.drop_table("entity_links")
    op.drop_index("ix_entity_members_entity_id", table_name="entity_members")
    op.drop_table("entity_members")
    op.drop_index("ix_entity_identifiers_key", table_name="entity_identifiers")
    op.drop_table("entity_identifiers")
