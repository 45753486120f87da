"""`casehub agencies credentials | rotate | acls`: the hub's Kafka users, their files and their ACLs."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from services.broker_access.principals import Grant, Role, grants, principals
from services.cli.configuration import settings
from services.cli.consoles import console
from services.cli.error_lines import one_line_errors

agencies_app = typer.Typer(
    help="Kafka users of the agencies and hub processes: credentials, rotation, ACLs.", no_args_is_help=True
)


@agencies_app.command("credentials")
@one_line_errors
def credentials() -> None:
    """Create (or re-apply) every Kafka user and ACL on the broker; print where each credential file is."""
    from services.broker_access.provisioning import provision

    s = settings()
    done = provision(s)
    roles = {p.name: p.role for p in principals(s)}
    for name, path in sorted(done.files.items()):
        new = " (new)" if name in done.created else ""
        console.print(f"{name:<14} {roles[name].value:<13} {path}{new}", highlight=False)
    console.print(f"{done.acls} ACLs applied; files are mode 0600 (librdkafka properties).", highlight=False)


@agencies_app.command("rotate")
@one_line_errors
def rotate_password(
    user: Annotated[str, typer.Argument(help="The Kafka user (an agency code or a hub role).")],
) -> None:
    """Give USER a new password on the broker and in its file; connected clients keep working."""
    from services.broker_access.provisioning import rotate

    s = settings()
    known = {p.name for p in principals(s) if p.role is not Role.ADMIN}
    if user not in known:
        raise typer.BadParameter(f"unknown Kafka user {user!r}; one of {', '.join(sorted(known))}")
    path = rotate(s, user)
    console.print(f"New password for {user} in {path}; new logins need it, open sessions continue.")


def grant_table(rows: list[Grant], title: str) -> Table:
    table = Table(title=title)
    for column in ("principal", "resource", "name", "pattern", "operation"):
        table.add_column(column)
    for g in rows:
        table.add_row(g.principal, g.resource.value, g.name, g.pattern.value, g.operation.value)
    return table


@agencies_app.command("acls")
@one_line_errors
def acls(
    expected: Annotated[bool, typer.Option(help="Print the table's ACLs instead of the broker's.")] = False,
) -> None:
    """The ACL matrix as the broker holds it (describe ACLs), or as the table derives it."""
    from services.broker_access.provisioning import admin_options, describe_grants
    from services.kafka_admin import admin_client

    s = settings()
    if expected:
        console.print(grant_table(sorted(grants(s)), "ACLs derived from the agency reference data"))
        return
    admin = admin_client(s.kafka_bootstrap, s.connect_timeout_s, admin_options(s))
    try:
        held = sorted(describe_grants(admin))
    finally:
        admin.close()
    console.print(grant_table(held, f"ACLs on {s.kafka_bootstrap}"))
    missing = grants(s) - set(held)
    if missing:
        console.print(f"{len(missing)} ACLs of the table are missing; run `casehub agencies credentials`")
        raise typer.Exit(1)
