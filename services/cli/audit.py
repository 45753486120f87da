"""`casehub audit verify`: re-key the audit chain with the server's key and check its persisted head."""

from __future__ import annotations

import typer

from services.access.audit_seal import KEY_FILE, AuditSeal
from services.cli.configuration import settings
from services.cli.consoles import console, err
from services.cli.error_lines import one_line_errors

audit_app = typer.Typer(help="The audit log: verify its keyed hash chain and head.")


@audit_app.command("verify")
@one_line_errors
def verify() -> None:
    """Exit 0 with a summary when every row follows under the key and the head is there; exit 1 naming the
    first bad row (or the missing head) otherwise."""
    from services.access.audit import check_chain
    from services.store.engine import make_engine

    s = settings()
    if s.audit_key is None and not (s.home / KEY_FILE).exists():
        err.print(
            f"no audit key: neither CASEHUB_AUDIT_KEY nor {s.home / KEY_FILE}; the log cannot be verified"
        )
        raise typer.Exit(1)
    engine = make_engine(s.store_url)
    try:
        with engine.connect() as connection:
            state = check_chain(connection, AuditSeal.of(s))
    finally:
        engine.dispose()
    if state.break_ is not None:
        where = f"row {state.break_.seq}" if state.break_.seq is not None else "the end of the log"
        err.print(f"audit log broken at {where}: {state.break_.reason}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    console.print(f"audit log intact: {state.rows} rows, head {state.tail[:16]}…", highlight=False)
