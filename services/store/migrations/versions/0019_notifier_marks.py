"""the notifier's high-water mark per subscription, and when each notified fact happened

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06

Why: the notifier read an agency's newest 5,000 alerts per principal and sweep, so in a burst larger than
that the older part of a subscription's window was never notified (it only logged
`notifier_alerts_not_read`). Each subscription now keeps the (raised_at, alert_id) of the last alert it
has read for good (`alerts_read_at`, `alerts_read_id`; empty: nothing read yet), and a sweep reads at most
5,000 alerts after it, oldest first (services/notify/notifier.py). `notifications.fact_at` is when the fact
happened (an alert raised, a case's first event, a referral), so e-mails of one sweep go oldest first.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as table:
        table.add_column(sa.Column("alerts_read_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("alerts_read_id", sa.String(36), nullable=True))
    with op.batch_alter_table("notifications") as table:
        table.add_column(sa.Column("fact_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as table:
        table.drop_column("fact_at")
    with op.batch_alter_table("subscriptions") as table:
        table.drop_column("alerts_read_id")
        table.drop_column("alerts_read_at")
