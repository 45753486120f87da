"""Alembic environment: runs on the connection handed over by services.store.engine.migrate()."""

from __future__ import annotations

from alembic import context

from services.store import (  # noqa: F401 - every table module registers its tables on Base (autogenerate)
    access_tables,
    alert_tables,
    audience_tables,
    entity_tables,
    inbox_tables,
    notification_tables,
    projection_tables,
    registry_tables,
    tally_tables,
    tip_tables,
    upload_tables,
    webhook_tables,
)
from services.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
