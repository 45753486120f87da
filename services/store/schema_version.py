"""Which migration a store's schema is at, and refusing to run on one that is behind the code.

Migrations are an explicit step (`casehub db upgrade`, run by `casehub up`, `make demo` and the test
fixtures), not something every process does on start: several processes starting together would race to
alter the schema, and an operator should see, and choose, when a production schema changes. A process
that finds the store behind says so in one line instead of failing later on a missing column.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from schemas.errors import CasehubError

MIGRATIONS = Path(__file__).with_name("migrations")


class StoreNotUpgraded(CasehubError):
    """The store's schema is not at the migration this code needs: run `casehub db upgrade`."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def head_revision() -> str:
    """The newest migration shipped with this code."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations in {MIGRATIONS}")
    return head


def schema_revision(connection: Connection) -> str | None:
    """The migration the store's schema is at; None for a store never migrated."""
    return MigrationContext.configure(connection).get_current_revision()


def revisions_between(before: str | None, after: str) -> list[str]:
    """The migrations that take a schema from `before` to `after`, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.iterate_revisions(after, before or "base")))]


@cache
def known_revisions() -> frozenset[str]:
    """Every migration shipped with this code."""
    return frozenset(r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions())


def newer_than_this_code(current: str | None, shown_url: str) -> StoreNotUpgraded | None:
    """The refusal for a store at a migration this code does not ship — one a newer casehub wrote, which
    `casehub db upgrade` cannot help with (alembic's own answer was a traceback, found in session 17)."""
    if current is None or current in known_revisions():
        return None
    return StoreNotUpgraded(
        f"the store {shown_url} is at migration {current}, which this casehub (newest {head_revision()}) "
        "does not know: a newer casehub wrote it — run that version (or restore a backup), not an upgrade"
    )


def require_current_schema(connection: Connection, shown_url: str) -> None:
    """Raise StoreNotUpgraded unless the store is at this code's newest migration."""
    current, head = schema_revision(connection), head_revision()
    if (newer := newer_than_this_code(current, shown_url)) is not None:
        raise newer
    if current != head:
        at = "has no casehub schema" if current is None else f"is at migration {current}"
        raise StoreNotUpgraded(
            f"the store {shown_url} {at}, this casehub needs {head}: run `casehub db upgrade`"
        )
