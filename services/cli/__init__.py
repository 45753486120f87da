"""The `casehub` command line: one module per command group, registered in services.cli.app."""

from services.cli.app import main

__all__ = ["main"]
