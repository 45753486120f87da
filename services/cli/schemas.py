"""`casehub schemas list | check | register`: the versioned Avro contract and its schema registry."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from schemas.compatibility import CompatibilityLevel
from services.cli.configuration import settings
from services.cli.consoles import console, err
from services.cli.error_lines import one_line_errors
from services.registry.prefix import PREFIX

if TYPE_CHECKING:
    from schemas.catalog import SchemaVersion

schemas_app = typer.Typer(help="The Avro case-event contract and the schema registry.", no_args_is_help=True)
DirOption = Annotated[
    Path | None,
    typer.Option("--dir", help="A folder with catalog.json and .avsc files (default: the bundled ones)."),
]


def _folder(directory: Path | None) -> Any:
    return directory if directory is not None else resources.files("schemas").joinpath("avro")


@schemas_app.command("list")
@one_line_errors
def list_schemas(directory: DirOption = None) -> None:
    """Every versioned schema: record, version, id, file and the event types of its payload union."""
    from schemas.catalog import catalog_manifest, load_catalog
    from services.registry.seed import agency_subjects

    folder = _folder(directory)
    files = {entry["id"]: entry["file"] for entry in catalog_manifest(folder)}
    for version in load_catalog(folder).versions():
        event_types = _event_types(version)
        heading = f"[bold]{version.record}[/bold] v{version.version}  id {version.schema_id}"
        listing = f"\n  event types ({len(event_types)}): {', '.join(event_types)}" if event_types else ""
        console.print(
            f"{heading}  {files[version.schema_id]}{listing}",
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        f"Registry subjects: <topic>-value of each agency topic, e.g. {agency_subjects(settings())[0]}; "
        f"default compatibility {CompatibilityLevel.BACKWARD_TRANSITIVE.value}.",
        highlight=False,
        soft_wrap=True,
    )


@schemas_app.command("check")
@one_line_errors
def check_schemas(directory: DirOption = None) -> None:
    """Check each .avsc against all earlier versions of its record (BACKWARD_TRANSITIVE); exit 1 if not."""
    from schemas.catalog import load_catalog
    from schemas.catalog_check import check_schema_folder

    folder = _folder(directory)
    problems = check_schema_folder(folder)
    for problem in problems:
        err.print(f"[red]incompatible:[/red] {problem}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    count = len(load_catalog(folder).versions())
    console.print(f"{count} schema versions checked: each reads every earlier version of its record.")


@schemas_app.command("register")
@one_line_errors
def register_schemas(
    url: Annotated[str | None, typer.Option(help="Registry URL (default: the hub API's /registry).")] = None,
) -> None:
    """Register the bundled envelope versions, oldest first, under every agency topic's value subject
    (and the alert versions under the alerts topic's)."""
    from schemas.alerts import ALERT_RECORD
    from schemas.catalog import ENVELOPE_RECORD, bundled_catalog
    from schemas.registry_client import RegistryCatalog
    from services.registry.seed import agency_subjects, alert_subjects

    s = settings()
    registry = RegistryCatalog(
        url or s.schema_registry_url or f"http://{s.api_host}:{s.api_port}{PREFIX}",
        token=s.schema_registry_token,  # CASEHUB_SCHEMA_REGISTRY_TOKEN: a schema steward's
    )
    try:
        for record, subjects in ((ENVELOPE_RECORD, agency_subjects(s)), (ALERT_RECORD, alert_subjects(s))):
            bundled = (v for v in bundled_catalog().versions() if v.record == record)
            versions = sorted(bundled, key=_by_version)
            for subject in subjects:
                ids = [registry.register(subject, version.text) for version in versions]
                console.print(
                    f"{subject}: versions {[v.version for v in versions]} → ids {ids}", highlight=False
                )
    finally:
        registry.close()


def _by_version(version: SchemaVersion) -> int:
    return version.version


def _event_types(version: SchemaVersion) -> list[str]:
    """Names of the records in the envelope's payload union (empty for other records)."""
    fields = version.parsed.get("fields", []) if isinstance(version.parsed, dict) else []
    payload: list[Any] = next((f["type"] for f in fields if f["name"] == "payload"), [])
    return [branch["name"].rpartition(".")[2] for branch in payload if isinstance(branch, dict)]
