"""projections and dead-letter replay state

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inspections",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("result", sa.String(length=32), nullable=False),
        sa.Column("province_code", sa.String(length=8), nullable=True),
        sa.Column("subject_id", sa.String(length=128), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspections_case_id"), ["case_id"], unique=False)

    op.create_table(
        "penalties",
        sa.Column("decision_number", sa.Text(), nullable=False),
        sa.Column("fine_vnd", sa.BigInteger(), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=True),
        sa.Column("instrument", sa.String(length=64), nullable=True),
        sa.Column("article", sa.String(length=8), nullable=True),
        sa.Column("clause", sa.String(length=8), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("penalties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_penalties_case_id"), ["case_id"], unique=False)

    op.create_table(
        "reactions",
        sa.Column("reacting_agency", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("refers_to_event_id", sa.String(length=36), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("reactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reactions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reactions_refers_to_event_id"), ["refers_to_event_id"], unique=False
        )

    op.create_table(
        "referrals",
        sa.Column("to_agency", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("document_number", sa.Text(), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_to_agency"), ["to_agency"], unique=False)

    op.create_table(
        "seizures",
        sa.Column("item_no", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("value_vnd", sa.BigInteger(), nullable=True),
        sa.Column("handling", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("item_no", "event_id"),
    )
    with op.batch_alter_table("seizures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seizures_case_id"), ["case_id"], unique=False)

    op.create_table(
        "subject_identifiers",
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("subject_id", "kind", "value"),
    )
    with op.batch_alter_table("subject_identifiers", schema=None) as batch_op:
        batch_op.create_index("ix_subject_identifiers_value", ["kind", "value"], unique=False)

    op.create_table(
        "subject_observations",
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("platform", sa.String(length=32), nullable=True),
        sa.Column("province_code", sa.String(length=8), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("subject_observations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subject_observations_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subject_observations_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "subjects",
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("platforms", sa.String(length=200), nullable=False),
        sa.Column("agencies", sa.String(length=200), nullable=False),
        sa.Column("case_count", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject_id"),
    )
    op.create_table(
        "takedowns",
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("request_reference", sa.Text(), nullable=False),
        sa.Column(
            "listing_urls",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("takedowns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_takedowns_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_takedowns_request_reference"), ["request_reference"], unique=False
        )

    op.create_table(
        "tips",
        sa.Column("received_via", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=True),
        sa.Column("province_code", sa.String(length=8), nullable=True),
        sa.Column("suspected_category", sa.String(length=64), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("tips", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tips_case_id"), ["case_id"], unique=False)

    op.create_table(
        "violations",
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("instrument", sa.String(length=64), nullable=False),
        sa.Column("article", sa.String(length=8), nullable=False),
        sa.Column("clause", sa.String(length=8), nullable=True),
        sa.Column("subject_id", sa.String(length=128), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_violations_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_violations_category"), ["category"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goods_value_vnd", sa.BigInteger(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("current_province_code", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("bucket", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("stage", sa.String(length=32), server_default="none", nullable=False))
        batch_op.add_column(sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("origin_event_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("origin_event_type", sa.String(length=48), nullable=True))
        batch_op.add_column(sa.Column("closing_event_id", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_opened_at"), ["opened_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_bucket"), ["bucket"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_current_province_code"), ["current_province_code"], unique=False
        )

    with op.batch_alter_table("dead_letters") as batch:
        batch.add_column(sa.Column("replay_attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("last_replay_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resolved_event_id", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_current_province_code"))
        batch_op.drop_index(batch_op.f("ix_cases_bucket"))
        batch_op.drop_index(batch_op.f("ix_cases_opened_at"))
        for column in ("closing_event_id", "origin_event_type", "origin_event_id", "opened_at", "stage"):
            batch_op.drop_column(column)
        batch_op.drop_column("closed_at")
        batch_op.drop_column("outcome")
        batch_op.drop_column("bucket")
        batch_op.drop_column("current_province_code")
        batch_op.drop_column("goods_value_vnd")

    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_violations_category"))
        batch_op.drop_index(batch_op.f("ix_violations_case_id"))

    op.drop_table("violations")
    with op.batch_alter_table("tips", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tips_case_id"))

    op.drop_table("tips")
    with op.batch_alter_table("takedowns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_takedowns_request_reference"))
        batch_op.drop_index(batch_op.f("ix_takedowns_case_id"))

    op.drop_table("takedowns")
    op.drop_table("subjects")
    with op.batch_alter_table("subject_observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_observations_subject_id"))
        batch_op.drop_index(batch_op.f("ix_subject_observations_case_id"))

    op.drop_table("subject_observations")
    with op.batch_alter_table("subject_identifiers", schema=None) as batch_op:
        batch_op.drop_index("ix_subject_identifiers_value")

    op.drop_table("subject_identifiers")
    with op.batch_alter_table("seizures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seizures_case_id"))

    op.drop_table("seizures")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_to_agency"))
        batch_op.drop_index(batch_op.f("ix_referrals_case_id"))

    op.drop_table("referrals")
    with op.batch_alter_table("reactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reactions_refers_to_event_id"))
        batch_op.drop_index(batch_op.f("ix_reactions_case_id"))

    op.drop_table("reactions")
    with op.batch_alter_table("penalties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penalties_case_id"))

    op.drop_table("penalties")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_case_id"))

    op.drop_table("inspections")

    with op.batch_alter_table("dead_letters") as batch:
        for column in ("resolved_event_id", "resolved_at", "last_replay_at", "replay_attempts"):
            batch.drop_column(column)
