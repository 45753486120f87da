"""`casehub tokens`: principals and their API tokens (who may read what), and the demo set."""

from __future__ import annotations

from typing import Annotated

import typer

from consumers.clock import utcnow
from schemas.bounds import is_url_safe_id, line_refusal
from schemas.errors import CasehubError
from services.access.principal import PRINCIPAL_ID_MAX, Principal, Role
from services.bootstrap import open_store
from services.cli.configuration import settings
from services.cli.consoles import console
from services.cli.error_lines import one_line_errors

tokens_app = typer.Typer(help="Principals and API tokens: create, list, revoke; seed the demo users.")


@tokens_app.command("create")
@one_line_errors
def create(
    principal_id: Annotated[str, typer.Argument(help="A stable id, e.g. qltt-hn-nguyenvana.")],
    role: Annotated[Role, typer.Option(help="What they may do.")],
    agency: Annotated[str | None, typer.Option(help="Agency code; decides which events they see.")] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    province: Annotated[
        list[str] | None, typer.Option(help="Province scope (repeat); none = whole country.")
    ] = None,
    label: Annotated[str | None, typer.Option(help="What the token is for.")] = None,
) -> None:
    """Create (or update) a principal and print a new token for it — shown once, stored only as a hash."""
    from schemas.reference import agencies, provinces_on
    from services.access.resolver import issue_token, save_principal

    if not is_url_safe_id(principal_id, PRINCIPAL_ID_MAX):
        raise typer.BadParameter(
            f"a principal id is 1-{PRINCIPAL_ID_MAX} characters: letters A-Z a-z, digits and . _ ~ : - "
            "(starting with a letter or digit); it is shown in audit rows, pages and logs"
        )
    for option, text in (("--name", name), ("--label", label)):
        if text is not None and (refusal := line_refusal(text)):
            raise typer.BadParameter(f"{option}: {refusal}")
    if agency is not None and agency not in agencies():
        raise typer.BadParameter(f"unknown agency {agency!r} (one of {', '.join(sorted(agencies()))})")
    current = {p.code for p in provinces_on(utcnow().date())}
    if unknown := sorted(set(province or ()) - current):
        raise typer.BadParameter(f"not a current province code: {', '.join(unknown)}")
    engine, _ = open_store(settings())
    principal = Principal(principal_id, name or principal_id, agency, role, frozenset(province or ()))
    save_principal(engine, principal)
    console.print(issue_token(engine, principal_id, label=label), highlight=False)


@tokens_app.command("list")
@one_line_errors
def list_() -> None:
    """Every principal with its agency, role and province scope."""
    from services.access.resolver import list_principals

    engine, _ = open_store(settings())
    for p in list_principals(engine):
        scope = ",".join(sorted(p.provinces)) or "national"
        console.print(
            f"{p.principal_id:28} {p.agency or '-':8} {p.role.value:15} {scope:10} {p.display_name}"
        )


@tokens_app.command("revoke")
@one_line_errors
def revoke(principal_id: Annotated[str, typer.Argument(help="Whose tokens to revoke.")]) -> None:
    """Revoke every live token and web session of a principal (a leaked or rotated token)."""
    from services.access.revocation import revoke_access

    engine, _ = open_store(settings())
    revoked = revoke_access(engine, principal_id)
    if not revoked.known:
        raise CasehubError(_unknown(principal_id))
    console.print(
        f"revoked {revoked.tokens} token(s) and {revoked.sessions} web session(s) of {principal_id}"
    )


@tokens_app.command("disable")
@one_line_errors
def disable(principal_id: Annotated[str, typer.Argument(help="Who leaves.")]) -> None:
    """Disable a principal: tokens and web sessions end, subscriptions stop; `create` enables again."""
    from services.access.revocation import revoke_access

    engine, _ = open_store(settings())
    revoked = revoke_access(engine, principal_id, disable=True)
    if not revoked.known:
        raise CasehubError(_unknown(principal_id))
    state = "disabled" if revoked.disabled else "was not an enabled principal"
    console.print(
        f"{principal_id}: {state}; revoked {revoked.tokens} token(s) and {revoked.sessions} web session(s)"
    )


@tokens_app.command("demo")
@one_line_errors
def demo() -> None:
    """Seed the demo principals with their well-known tokens (for a demo store only)."""
    from services.access.demo import seed_demo_principals

    engine, _ = open_store(settings())
    console.print(demo_token_lines(seed_demo_principals(engine)), highlight=False, end="")


def demo_token_lines(tokens: dict[str, str] | None) -> str:
    """The demo tokens as lines for the `casehub up` summary."""
    if not tokens:
        return ""
    lines = [f"  Token (DEMO) : {token}" for token in tokens.values()]
    return "\n".join(lines) + "\n"


def _unknown(principal_id: str) -> str:
    return f"no principal {principal_id!r}: nothing revoked (`casehub tokens list` shows who there is)"
