"""Every table module of the store, imported: each registers its tables on `Base.metadata`, which then
describes the whole schema (alembic's environment and the schema drift test read it)."""

from __future__ import annotations

from services.store import (  # noqa: F401 - imported for the tables they register
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

METADATA = Base.metadata
