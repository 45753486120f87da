"""the notifier's read-ahead per subscription: a burst of alerts larger than one sweep is read on at once

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

Why: a subscription's mark (`alerts_read_at`, `alerts_read_id`, migration 0019) moves only over alerts
at least five minutes old, so in a burst larger than one sweep's page inside those five minutes every
sweep read the same first page again and the rest of the burst waited until it settled. The
(raised_at, alert_id) of the last alert a sweep read past a full page (`alerts_ahead_at`,
`alerts_ahead_id`; empty: no burst being read) lets the next sweep read on from there
(services/notify/alert_marks.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as table:
        table.add_column(sa.Column("alerts_ahead_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("alerts_ahead_id", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as table:
        table.drop_column("alerts_ahead_id")
        table.drop_column("alerts_ahead_at")
