"""Alembic environment: runs on the connection handed over by services.store.engine.migrate()."""

from __future__ import annotations

from alembic import context

from services.store import (
    projection_tables,  # noqa: F401 - registers the projection tables
    registry_tables,  # noqa: F401 - registers the registry tables on Base
)
from services.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
