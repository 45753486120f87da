"""Alembic environment: runs on the connection handed over by services.store.engine.migrate()."""

from __future__ import annotations

from alembic import context

from services.store.all_tables import METADATA

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
