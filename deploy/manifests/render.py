"""Write the Strimzi resources and the compose file from the ACL table (`casehub deploy render`)."""

from __future__ import annotations

from pathlib import Path

import yaml

from deploy.manifests import DEFAULT_DIR
from deploy.manifests.compose import compose
from deploy.manifests.strimzi import resources
from services.settings import Settings

HEADER = "# Rendered by `casehub deploy render` from the principal/ACL table; do not edit by hand.\n"


def render(settings: Settings, out_dir: Path = DEFAULT_DIR) -> list[Path]:
    """strimzi.yaml (one document per resource) and compose.yaml under `out_dir`; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    strimzi = out_dir / "strimzi.yaml"
    strimzi.write_text(
        HEADER + yaml.safe_dump_all(resources(settings), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    compose_file = out_dir / "compose.yaml"
    compose_file.write_text(
        HEADER + yaml.safe_dump(compose(settings), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return [strimzi, compose_file]
