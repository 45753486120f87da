"""Deployment manifests for a real cluster, rendered from the hub's one principal/ACL table:
Strimzi custom resources (``strimzi``) and a compose file (``compose``); ``render`` writes both."""

from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "rendered"
"""Where `casehub deploy render` writes them unless told (here, not in ``render``: the CLI names it as an
option's default without importing the renderers)."""
