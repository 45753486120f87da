"""`casehub db upgrade`: the store's schema migrated as an explicit step (other commands refuse a store
that is behind, with one line saying to run this)."""

from __future__ import annotations

import typer

from services.bootstrap import upgrade_store
from services.cli.configuration import settings
from services.cli.consoles import console
from services.cli.error_lines import one_line_errors

db_app = typer.Typer(help="The shared store's schema.", no_args_is_help=True)


@db_app.command("upgrade")
@one_line_errors
def upgrade() -> None:
    """Migrate the store to this casehub's newest schema (Alembic `upgrade head`); idempotent."""
    from sqlalchemy import make_url

    s = settings()
    done = upgrade_store(s)
    shown = make_url(s.store_url).render_as_string(hide_password=True)
    if done.applied:
        console.print(
            f"Store {shown}: upgraded from {done.before or 'empty'} to {done.after} "
            f"(applied {', '.join(done.applied)}).",
            highlight=False,
            soft_wrap=True,
        )
    else:
        console.print(
            f"Store {shown}: already at {done.after}, nothing to do.", highlight=False, soft_wrap=True
        )
