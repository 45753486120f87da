"""`casehub deploy render`: the Strimzi resources and compose file, from the principal/ACL table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deploy.manifests import DEFAULT_DIR
from services.cli.configuration import settings
from services.cli.consoles import console
from services.cli.error_lines import one_line_errors

deploy_app = typer.Typer(help="Manifests for a real cluster (Strimzi, compose).", no_args_is_help=True)


@deploy_app.command("render")
@one_line_errors
def render_manifests(
    out: Annotated[
        Path, typer.Option(help="Directory to write strimzi.yaml and compose.yaml into.")
    ] = DEFAULT_DIR,
) -> None:
    """Render the manifests from the same table the local broker's ACLs come from."""
    from deploy.manifests.render import render

    for path in render(settings(), out):
        console.print(f"wrote {path}", highlight=False)
