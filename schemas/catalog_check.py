"""What `casehub schemas check` (and so `make test`) verifies about a folder of versioned .avsc files."""

from __future__ import annotations

import json
from collections import defaultdict
from importlib.resources.abc import Traversable

from schemas.catalog import SchemaCatalog, SchemaVersion, catalog_manifest, load_catalog
from schemas.compatibility import CompatibilityLevel, check_compatibility

BUNDLED_IDS = range(1, 1000)  # the registry gives schemas registered by clients ids from 1000 up


def check_schema_folder(
    folder: Traversable, level: CompatibilityLevel = CompatibilityLevel.BACKWARD_TRANSITIVE
) -> list[str]:
    """Every problem in the folder: unlisted files, bad ids or names, incompatible versions."""
    listed = {entry["file"] for entry in catalog_manifest(folder)}
    files = sorted(item.name for item in folder.iterdir() if item.name.endswith(".avsc"))
    problems = [f"{name}: not listed in catalog.json" for name in files if name not in listed]
    catalog = load_catalog(folder)
    return problems + catalog_identity_problems(catalog) + catalog_incompatibilities(catalog, level)


def catalog_identity_problems(catalog: SchemaCatalog) -> list[str]:
    """Ids outside the bundled range, or a file whose record is not the one catalog.json names."""
    problems = []
    for version in catalog.versions():
        if version.schema_id not in BUNDLED_IDS:
            problems.append(f"{_label(version)}: bundled ids must lie in 1..{BUNDLED_IDS.stop - 1}")
        name = version.parsed.get("name") if isinstance(version.parsed, dict) else None
        if name != version.record:
            problems.append(f"{_label(version)}: the file defines {name}")
    return problems


def catalog_incompatibilities(catalog: SchemaCatalog, level: CompatibilityLevel) -> list[str]:
    """Each version of a record checked against all its earlier versions under `level`."""
    by_record: dict[str, list[SchemaVersion]] = defaultdict(list)
    for version in sorted(catalog.versions(), key=lambda v: v.version):
        by_record[version.record].append(version)
    problems = []
    for versions in by_record.values():
        for index, version in enumerate(versions):
            earlier = [(v.version, json.loads(v.text)) for v in versions[:index]]
            result = check_compatibility(level, json.loads(version.text), earlier)
            problems += [f"{_label(version)}: {message}" for message in result.messages]
    return problems


def _label(version: SchemaVersion) -> str:
    return f"{version.record} v{version.version} (id {version.schema_id})"
