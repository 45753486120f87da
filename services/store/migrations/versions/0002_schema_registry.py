"""schema registry (subjects, versions, config)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_schemas",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("schema_type", sa.String(length=16), nullable=False),
        sa.Column("schema_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("registry_schemas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_schemas_fingerprint"), ["fingerprint"], unique=False)
        batch_op.create_index(
            "ux_registry_schemas_registered_fingerprint",
            ["fingerprint"],
            unique=True,
            postgresql_where=sa.text("id >= 1000"),
            sqlite_where=sa.text("id >= 1000"),
        )

    op.create_table(
        "registry_subject_versions",
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("schema_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["schema_id"], ["registry_schemas.id"]),
        sa.PrimaryKeyConstraint("subject", "version"),
    )
    with op.batch_alter_table("registry_subject_versions", schema=None) as batch_op:
        batch_op.create_index("ux_registry_subject_schema", ["subject", "schema_id"], unique=True)

    op.create_table(
        "registry_config",
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("compatibility", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
    )


def downgrade() -> None:
    op.drop_table("registry_config")
    with op.batch_alter_table("registry_subject_versions", schema=None) as batch_op:
        batch_op.drop_index("ux_registry_subject_schema")
    op.drop_table("registry_subject_versions")
    with op.batch_alter_table("registry_schemas", schema=None) as batch_op:
        batch_op.drop_index("ux_registry_schemas_registered_fingerprint")
        batch_op.drop_index(batch_op.f("ix_registry_schemas_fingerprint"))
    op.drop_table("registry_schemas")
